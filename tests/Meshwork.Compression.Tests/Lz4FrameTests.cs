using System.Buffers.Binary;
using Shouldly;

namespace Meshwork.Compression.Tests;

public sealed class Lz4FrameTests
{
    [Theory]
    [MemberData(nameof(Samples.Names), MemberType = typeof(Samples))]
    public void Compress_RoundTrips_AllSamples(string name)
    {
        var data = Samples.All[name];
        Lz4Frame.Decompress(Lz4Frame.Compress(data)).ShouldEqualBytes(data);
    }

    [Fact]
    public void Compress_ShrinksCompressibleData()
    {
        Lz4Frame.Compress(Samples.Repetitive).Length.ShouldBeLessThan(Samples.Repetitive.Length / 100);
        Lz4Frame.Compress(Samples.Text).Length.ShouldBeLessThan(Samples.Text.Length / 3);
        // Incompressible blocks are stored with the uncompressed flag, so they barely grow.
        Lz4Frame.Compress(Samples.Random64K).Length.ShouldBeLessThan(Samples.Random64K.Length + 32);
    }

    [Theory]
    [InlineData("text.txt.lz4", "text.txt")]
    [InlineData("records.bin.lz4", "records.bin")]
    public void Decompress_GoldenFromLz4Cli_MatchesOriginal(string compressed, string original)
    {
        Lz4Frame.Decompress(Samples.TestData(compressed)).ShouldEqualBytes(Samples.TestData(original));
    }

    [Theory]
    [MemberData(nameof(Samples.Names), MemberType = typeof(Samples))]
    public void Compress_OutputDecodesWithLz4Cli(string name)
    {
        var data = Samples.All[name];
        Tools.Lz4(Lz4Frame.Compress(data), "-d", "-c", "-q").ShouldEqualBytes(data);
    }

    [Theory]
    [InlineData("text", "-1")]
    [InlineData("text", "-9")]
    [InlineData("mixed-1mib", "-1")]
    [InlineData("mixed-1mib", "-BD")]
    [InlineData("random-64k", "-BX")]
    [InlineData("pattern", "--content-size")]
    [InlineData("repetitive", "-B4")]
    [InlineData("empty", "-1")]
    [InlineData("one-byte", "-1")]
    public void Decompress_Lz4CliOutput_MatchesOriginal(string name, string option)
    {
        var data = Samples.All[name];
        Lz4Frame.Decompress(Tools.Lz4(data, "-c", "-q", option)).ShouldEqualBytes(data);
    }

    [Fact]
    public void Decompress_ConcatenatedAndSkippableFrames()
    {
        var skippable = new byte[8 + 5];
        BinaryPrimitives.WriteUInt32LittleEndian(skippable, 0x184D2A5A);
        BinaryPrimitives.WriteUInt32LittleEndian(skippable.AsSpan(4), 5);
        byte[] input = [.. Lz4Frame.Compress(Samples.Text), .. skippable, .. Lz4Frame.Compress(Samples.OneByte)];
        Lz4Frame.Decompress(input).ShouldEqualBytes([.. Samples.Text, .. Samples.OneByte]);
    }

    [Fact]
    public void Decompress_AcceptsLegacyKafkaHeaderChecksum()
    {
        // Kafka clients before message format v2 hashed the magic together with the descriptor.
        var frame = Lz4Frame.Compress(Samples.Text);
        frame[6] = (byte)(XxHash32.Hash(frame.AsSpan(0, 6)) >> 8);
        Lz4Frame.Decompress(frame).ShouldEqualBytes(Samples.Text);
    }

    [Fact]
    public void Compress_WritesKafkaStyleFrameDescriptor()
    {
        var frame = Lz4Frame.Compress(Samples.Text);
        BinaryPrimitives.ReadUInt32LittleEndian(frame).ShouldBe(Lz4Frame.Magic);
        frame[4].ShouldBe((byte)0x60, "version 01, independent blocks, no checksums, no content size");
        frame[5].ShouldBe((byte)0x40, "64 KiB maximum block size");
        BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(frame.Length - 4)).ShouldBe(0u, "end mark");
    }

    [Fact]
    public void Decompress_BadHeaderChecksum_Throws()
    {
        var frame = Lz4Frame.Compress(Samples.Text);
        frame[6] ^= 0x55;
        Should.Throw<CompressionException>(() => Lz4Frame.Decompress(frame)).Message.ShouldContain("header checksum");
    }

    [Fact]
    public void Decompress_BadContentChecksum_Throws()
    {
        // The CLI writes a content checksum by default; our writer omits it as Kafka's clients do.
        var frame = Samples.TestData("text.txt.lz4");
        frame[^1] ^= 0x01;
        Should.Throw<CompressionException>(() => Lz4Frame.Decompress(frame)).Message.ShouldContain("content checksum");
    }

    [Fact]
    public void Decompress_RejectsOutputAboveLimit()
    {
        var frame = Lz4Frame.Compress(Samples.Repetitive);
        Should.Throw<CompressionException>(() => Lz4Frame.Decompress(frame, maxOutputLength: 10_000)).Message.ShouldContain("limit");
    }
}

public sealed class XxHashTests
{
    [Theory]
    [InlineData("", 0x02CC5D05u)]
    [InlineData("abc", 0x32D153FFu)]
    public void XxHash32_KnownVectors(string input, uint expected)
    {
        XxHash32.Hash(System.Text.Encoding.ASCII.GetBytes(input)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("", 0xEF46DB3751D8E999ul)]
    [InlineData("abc", 0x44BC2CF5AD770999ul)]
    public void XxHash64_KnownVectors(string input, ulong expected)
    {
        XxHash64.Hash(System.Text.Encoding.ASCII.GetBytes(input)).ShouldBe(expected);
    }
}
