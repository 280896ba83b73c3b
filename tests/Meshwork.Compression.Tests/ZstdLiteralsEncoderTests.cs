using Shouldly;

namespace Meshwork.Compression.Tests;

public sealed class ZstdLiteralsEncoderTests
{
    [Fact]
    public void Write_SkewedLiterals_UsesHuffmanSection()
    {
        var literals = Samples.Letters.AsSpan(0, 100_000);
        var buffer = new byte[literals.Length + 1024];
        var written = ZstdLiteralsEncoder.Write(literals, buffer);
        (buffer[0] & 3).ShouldBe(2, "Huffman-compressed literals block type");
        written.ShouldBeLessThan(literals.Length * 2 / 3);
    }
}
