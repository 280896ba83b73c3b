using System.Buffers.Binary;
using Shouldly;

namespace Meshwork.Compression.Tests;

public sealed class ZstdTests
{
    [Theory]
    [MemberData(nameof(Samples.Names), MemberType = typeof(Samples))]
    public void Compress_RoundTrips_AllSamples(string name)
    {
        var data = Samples.All[name];
        Zstd.Decompress(Zstd.Compress(data)).ShouldEqualBytes(data);
    }

    [Fact]
    public void Compress_ShrinksCompressibleData_WithCompressedBlocks()
    {
        Zstd.Compress(Samples.Repetitive).Length.ShouldBeLessThan(100);
        Zstd.Compress(Samples.Text).Length.ShouldBeLessThan(Samples.Text.Length / 4);
        Zstd.Compress(Samples.Pattern).Length.ShouldBeLessThan(Samples.Pattern.Length / 50);
        Zstd.Compress(Samples.Random64K).Length.ShouldBeLessThan(Samples.Random64K.Length + 20);
        var text = Samples.TestData("text.txt");
        Zstd.Compress(text).Length.ShouldBeLessThan(text.Length * 2 / 3);
    }

    [Fact]
    public void Compress_HuffmanLiterals_DecodeWithZstdCli()
    {
        // Literal-heavy input: almost every block takes the 4-stream Huffman literals path.
        var data = Samples.Letters;
        var compressed = Zstd.Compress(data);
        compressed.Length.ShouldBeLessThan(data.Length * 7 / 10);
        Tools.Zstd(compressed, "-d", "-c", "-q").ShouldEqualBytes(data);
        Zstd.Decompress(compressed).ShouldEqualBytes(data);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(19)]
    public void Compress_EveryLevel_DecodesWithZstdCli(int level)
    {
        var data = Samples.Mixed1MiB[..400_000];
        var compressed = Zstd.Compress(data, level);
        Zstd.Decompress(compressed).ShouldEqualBytes(data);
        Tools.Zstd(compressed, "-d", "-c", "-q").ShouldEqualBytes(data);
    }

    [Theory]
    [MemberData(nameof(Samples.Names), MemberType = typeof(Samples))]
    public void Compress_OutputDecodesWithZstdCli(string name)
    {
        var data = Samples.All[name];
        Tools.Zstd(Zstd.Compress(data), "-d", "-c", "-q").ShouldEqualBytes(data);
    }

    [Theory]
    [InlineData("text.txt.19.zst", "text.txt")]
    [InlineData("text.txt.1.zst", "text.txt")]
    [InlineData("records.bin.22.zst", "records.bin")]
    [InlineData("records.bin.3.zst", "records.bin")]
    [InlineData("letters.txt.treeless.zst", "letters.txt")]
    public void Decompress_GoldenFromZstdCli_MatchesOriginal(string compressed, string original)
    {
        Zstd.Decompress(Samples.TestData(compressed)).ShouldEqualBytes(Samples.TestData(original));
    }

    public static TheoryData<string, string> CliCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var name in new[] { "empty", "one-byte", "random-64k", "repetitive", "pattern", "text" })
        {
            foreach (var level in new[] { "-1", "-3", "-9", "-19" })
            {
                cases.Add(name, level);
            }
        }

        // Ultra levels allocate large match tables in the tool, so they run on two inputs only.
        cases.Add("text", "--ultra -22");
        cases.Add("pattern", "--ultra -21");

        cases.Add("mixed-1mib", "-3");
        cases.Add("mixed-1mib", "-12");
        cases.Add("text", "--no-check -5");
        // Small target blocks with a stable literal distribution make the tool reuse the previous Huffman
        // table (treeless literals).
        cases.Add("letters", "-3 --target-compressed-block-size=700");
        cases.Add("letters", "-19 --target-compressed-block-size=1500");
        cases.Add("pattern", "--no-check --ultra -20");
        return cases;
    }

    [Theory]
    [MemberData(nameof(CliCases))]
    public void Decompress_ZstdCliOutput_MatchesOriginal(string name, string options)
    {
        var data = name == "letters" ? Samples.Letters : Samples.All[name];
        string[] args = ["-c", "-q", .. options.Split(' ')];
        Zstd.Decompress(Tools.Zstd(data, args)).ShouldEqualBytes(data);
    }

    [Fact]
    public void Decompress_StreamedFrameWithoutContentSize()
    {
        // Piped input has no known size, so the tool omits the content size and uses a window descriptor.
        var data = Samples.Mixed1MiB;
        var compressed = Tools.Zstd(data, "-c", "-q", "-3", "--no-content-size");
        Zstd.Decompress(compressed).ShouldEqualBytes(data);
    }

    [Fact]
    public void Decompress_ConcatenatedAndSkippableFrames()
    {
        var skippable = new byte[8 + 3];
        BinaryPrimitives.WriteUInt32LittleEndian(skippable, 0x184D2A53);
        BinaryPrimitives.WriteUInt32LittleEndian(skippable.AsSpan(4), 3);
        byte[] input = [.. Samples.TestData("text.txt.19.zst"), .. skippable, .. Zstd.Compress(Samples.OneByte)];
        Zstd.Decompress(input).ShouldEqualBytes([.. Samples.TestData("text.txt"), .. Samples.OneByte]);
    }

    [Fact]
    public void Decompress_BadChecksum_Throws()
    {
        var frame = Samples.TestData("text.txt.19.zst");
        frame[^1] ^= 0x01;
        Should.Throw<CompressionException>(() => Zstd.Decompress(frame)).Message.ShouldContain("checksum");
    }

    [Fact]
    public void Decompress_RejectsDeclaredSizeAboveLimit()
    {
        var frame = Zstd.Compress(Samples.Repetitive);
        Should.Throw<CompressionException>(() => Zstd.Decompress(frame, maxOutputLength: 10_000)).Message.ShouldContain("limit");
    }

    [Fact]
    public void Decompress_RejectsDictionaryFrames()
    {
        // Descriptor 0x01 announces a 1-byte dictionary id.
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0x01, 0x00, 0x07];
        Should.Throw<CompressionException>(() => Zstd.Decompress(frame)).Message.ShouldContain("dictionary");
    }

    [Fact]
    public void Compress_RejectsLevelOutOfRange()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Zstd.Compress(Samples.Text, level: 0));
        Should.Throw<ArgumentOutOfRangeException>(() => Zstd.Compress(Samples.Text, level: 23));
    }
}
