using Shouldly;

namespace Meshwork.Compression.Tests;

public sealed class SnappyTests
{
    [Theory]
    [MemberData(nameof(Samples.Names), MemberType = typeof(Samples))]
    public void Compress_RoundTrips_AllSamples(string name)
    {
        var data = Samples.All[name];
        var compressed = Snappy.Compress(data);
        Snappy.GetUncompressedLength(compressed).ShouldBe(data.Length);
        Snappy.Decompress(compressed).ShouldEqualBytes(data);

        var destination = new byte[data.Length];
        Snappy.Decompress(compressed, destination).ShouldBe(data.Length);
        destination.ShouldEqualBytes(data);
    }

    [Fact]
    public void Compress_ShrinksRepetitiveData_UsingCopies()
    {
        Snappy.Compress(Samples.Repetitive).Length.ShouldBeLessThan(Samples.Repetitive.Length / 20);
        Snappy.Compress(Samples.Text).Length.ShouldBeLessThan(Samples.Text.Length / 3);
    }

    [Fact]
    public void Compress_SpanOverload_RejectsSmallDestination()
    {
        Should.Throw<ArgumentException>(() => Snappy.Compress(Samples.Text, new byte[10]));
    }

    [Fact]
    public void Decompress_RejectsOutputAboveLimit()
    {
        var compressed = Snappy.Compress(Samples.Repetitive);
        Should.Throw<CompressionException>(() => Snappy.Decompress(compressed, maxOutputLength: 1000)).Message.ShouldContain("limit");
    }

    [Theory]
    [InlineData("text.txt.snappy", "text.txt")]
    [InlineData("records.bin.snappy", "records.bin")]
    public void Decompress_GoldenFromPythonSnappy_MatchesOriginal(string compressed, string original)
    {
        Snappy.Decompress(Samples.TestData(compressed)).ShouldEqualBytes(Samples.TestData(original));
        Snappy.DecompressKafka(Samples.TestData(compressed)).ShouldEqualBytes(Samples.TestData(original));
    }

    [Theory]
    [InlineData("text.txt", "text.txt.snappy")]
    [InlineData("records.bin", "records.bin.snappy")]
    public void Compress_MatchesReferenceImplementation_ByteForByte(string original, string golden)
    {
        // Same hash, skip heuristic and copy-splitting rules as google/snappy, so the output is identical.
        Snappy.Compress(Samples.TestData(original)).ShouldEqualBytes(Samples.TestData(golden));
    }

    [Theory]
    [MemberData(nameof(Samples.Names), MemberType = typeof(Samples))]
    public void Decompress_ReferenceCompressedOutput_MatchesOriginal(string name)
    {
        var data = Samples.All[name];
        Snappy.Decompress(Tools.Python(Tools.SnappyCompress, data)).ShouldEqualBytes(data);
    }

    [Theory]
    [MemberData(nameof(Samples.Names), MemberType = typeof(Samples))]
    public void Compress_OutputDecodesWithReferenceImplementation(string name)
    {
        var data = Samples.All[name];
        Tools.Python(Tools.SnappyDecompress, Snappy.Compress(data)).ShouldEqualBytes(data);
    }
}

public sealed class XerialSnappyTests
{
    [Theory]
    [MemberData(nameof(Samples.Names), MemberType = typeof(Samples))]
    public void Compress_RoundTrips_AllSamples(string name)
    {
        var data = Samples.All[name];
        var framed = XerialSnappy.Compress(data);
        XerialSnappy.IsXerial(framed).ShouldBeTrue();
        XerialSnappy.Decompress(framed).ShouldEqualBytes(data);
        Snappy.DecompressKafka(framed).ShouldEqualBytes(data);
        Codecs.Decompress(CompressionCodec.Snappy, framed).ShouldEqualBytes(data);
    }

    [Fact]
    public void Compress_WritesSnappyJavaHeader()
    {
        var framed = XerialSnappy.Compress(Samples.Text);
        framed.AsSpan(0, 16).ToArray().ShouldBe(new byte[] { 0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1 });
    }

    [Fact]
    public void Decompress_GoldenHandBuiltFraming_MatchesOriginal()
    {
        var golden = Samples.TestData("records.bin.xerial");
        XerialSnappy.IsXerial(golden).ShouldBeTrue();
        Snappy.DecompressKafka(golden).ShouldEqualBytes(Samples.TestData("records.bin"));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("mixed-1mib")]
    [InlineData("empty")]
    public void CrossImplementation_BothDirections(string name)
    {
        var data = Samples.All[name];
        XerialSnappy.Decompress(Tools.Python(Tools.XerialCompress, data)).ShouldEqualBytes(data);
        Tools.Python(Tools.XerialDecompress, XerialSnappy.Compress(data)).ShouldEqualBytes(data);
    }

    [Fact]
    public void IsXerial_FalseForRawSnappy()
    {
        XerialSnappy.IsXerial(Snappy.Compress(Samples.Text)).ShouldBeFalse();
        XerialSnappy.IsXerial([]).ShouldBeFalse();
    }
}
