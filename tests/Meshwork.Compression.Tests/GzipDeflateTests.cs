using Shouldly;

namespace Meshwork.Compression.Tests;

public sealed class GzipDeflateTests
{
    [Theory]
    [MemberData(nameof(Samples.Names), MemberType = typeof(Samples))]
    public void AllFormats_RoundTrip(string name)
    {
        var data = Samples.All[name];
        Gzip.Decompress(Gzip.Compress(data)).ShouldEqualBytes(data);
        Deflate.Decompress(Deflate.Compress(data)).ShouldEqualBytes(data);
        Deflate.DecompressZlib(Deflate.CompressZlib(data)).ShouldEqualBytes(data);
        Codecs.Decompress(CompressionCodec.Gzip, Codecs.Compress(CompressionCodec.Gzip, data)).ShouldEqualBytes(data);
    }

    [Fact]
    public void Gzip_Decompress_RejectsOutputAboveLimit()
    {
        var compressed = Gzip.Compress(Samples.Repetitive);
        Should.Throw<CompressionException>(() => Gzip.Decompress(compressed, maxOutputLength: 4096)).Message.ShouldContain("limit");
        Gzip.Decompress(compressed, maxOutputLength: Samples.Repetitive.Length).ShouldEqualBytes(Samples.Repetitive);
    }

    [Fact]
    public void Gzip_Decompress_CorruptHeader_ThrowsCompressionException()
    {
        var compressed = Gzip.Compress(Samples.Text);
        compressed[0] ^= 0xFF;
        Should.Throw<CompressionException>(() => Gzip.Decompress(compressed)).Message.ShouldStartWith("gzip:");
    }
}
