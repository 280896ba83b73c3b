using System.Diagnostics;
using Shouldly;

namespace Meshwork.Compression.Tests;

/// <summary>
/// Decoders face untrusted bytes from the network: every failure must be a <see cref="CompressionException"/>,
/// never another exception type, a hang or an oversized allocation.
/// </summary>
public sealed class MalformedInputTests
{
    private const int MaxOutput = 1 << 20;
    private const int DefaultMutationsPerCodec = 3_000;

    // A long soak is one environment variable away: MESHWORK_FUZZ_MUTATIONS=500000.
    private static readonly int MutationsPerCodec =
        int.TryParse(Environment.GetEnvironmentVariable("MESHWORK_FUZZ_MUTATIONS"), out var n) && n > 0 ? n : DefaultMutationsPerCodec;

    public static TheoryData<string> Decoders => new(DecoderTable.Keys);

    private static readonly Dictionary<string, Func<byte[], byte[]>> DecoderTable = new()
    {
        ["snappy"] = b => Snappy.Decompress(b, MaxOutput),
        ["xerial"] = b => XerialSnappy.Decompress(b, MaxOutput),
        ["lz4"] = b => Lz4Frame.Decompress(b, MaxOutput),
        ["zstd"] = b => Zstd.Decompress(b, MaxOutput),
        ["gzip"] = b => Gzip.Decompress(b, MaxOutput),
        ["deflate"] = b => Deflate.Decompress(b, MaxOutput),
        ["zlib"] = b => Deflate.DecompressZlib(b, MaxOutput),
    };

    private static byte[][] Seeds(string codec) => codec switch
    {
        "snappy" => [Samples.TestData("text.txt.snappy"), Snappy.Compress(Samples.Pattern.AsSpan(0, 5000))],
        "xerial" => [Samples.TestData("records.bin.xerial"), XerialSnappy.Compress(Samples.Text.AsSpan(0, 3000))],
        "lz4" => [Samples.TestData("text.txt.lz4"), Samples.TestData("records.bin.lz4"), Lz4Frame.Compress(Samples.Text.AsSpan(0, 5000))],
        "zstd" => [Samples.TestData("text.txt.19.zst"), Samples.TestData("letters.txt.treeless.zst").AsSpan(0, 3000).ToArray(), Samples.TestData("text.txt.1.zst"), Samples.TestData("records.bin.22.zst"), Zstd.Compress(Samples.Text.AsSpan(0, 3000))],
        "gzip" => [Gzip.Compress(Samples.Text.AsSpan(0, 5000))],
        "deflate" => [Deflate.Compress(Samples.Text.AsSpan(0, 5000))],
        "zlib" => [Deflate.CompressZlib(Samples.Text.AsSpan(0, 5000))],
        _ => throw new ArgumentOutOfRangeException(nameof(codec)),
    };

    // Raw deflate has no trailer to prove completeness (documented on Deflate.Decompress).
    public static TheoryData<string> TruncationDetectingDecoders => new(DecoderTable.Keys.Where(k => k != "deflate"));

    [Theory]
    [MemberData(nameof(TruncationDetectingDecoders))]
    public void Truncated_EveryPrefix_ThrowsCompressionException(string codec)
    {
        var decode = DecoderTable[codec];
        var seed = Seeds(codec)[^1];
        for (var length = 0; length < seed.Length; length += Math.Max(1, seed.Length / 400))
        {
            if (codec == "xerial" && length == XerialSnappy.HeaderLength)
            {
                // A header without chunks is a valid empty stream.
                continue;
            }

            var prefix = seed[..length];
            Should.Throw<CompressionException>(() => decode(prefix), $"{codec} prefix of {length}/{seed.Length} bytes");
        }
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void RandomMutations_OnlyEverThrowCompressionException(string codec)
    {
        var decode = DecoderTable[codec];
        var random = new Random(codec.GetHashCode(StringComparison.Ordinal) ^ 0x5EED);
        var stopwatch = Stopwatch.StartNew();
        var failures = 0;
        var seeds = Seeds(codec);
        var perSeed = (MutationsPerCodec + seeds.Length - 1) / seeds.Length;
        foreach (var seed in seeds)
        {
            for (var i = 0; i < perSeed; i++)
            {
                var mutated = Mutate(seed, random);
                try
                {
                    decode(mutated);
                }
                catch (CompressionException)
                {
                    failures++;
                }
                catch (Exception ex)
                {
                    throw new ShouldAssertException($"{codec} mutation {i} threw {ex.GetType().Name}: {ex.Message}\n{Convert.ToHexString(mutated.AsSpan(0, Math.Min(64, mutated.Length)))}", ex);
                }
            }
        }

        failures.ShouldBeGreaterThan(0);
        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20.0 * MutationsPerCodec / DefaultMutationsPerCodec), "decoders must not hang on malformed input");
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public void RandomGarbage_ThrowsCompressionException(string codec)
    {
        var decode = DecoderTable[codec];
        var random = new Random(11);
        for (var i = 0; i < 300; i++)
        {
            var garbage = new byte[random.Next(0, 300)];
            random.NextBytes(garbage);
            try
            {
                decode(garbage);
            }
            catch (CompressionException)
            {
            }
        }
    }

    [Fact]
    public void Snappy_AbsurdDeclaredLength_RefusedBeforeAllocating()
    {
        // Preamble 0xFFFFFFFF0F declares 4 GiB; a 100 MiB declaration must fail the plausibility check too.
        Should.Throw<CompressionException>(() => Snappy.Decompress([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00]));
        Should.Throw<CompressionException>(() => Snappy.Decompress([0x80, 0x80, 0x80, 0x32, 0x00, 0x61])).Message.ShouldContain("impossible");
        Should.Throw<CompressionException>(() => Snappy.Decompress([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]));
    }

    [Fact]
    public void Snappy_CopyBeforeStart_Throws()
    {
        // Length 4, then a 1-byte-offset copy with offset 1 before any literal.
        Should.Throw<CompressionException>(() => Snappy.Decompress([0x04, 0x01, 0x01])).Message.ShouldContain("offset");
    }

    [Fact]
    public void Xerial_AbsurdChunkLength_Throws()
    {
        byte[] input = [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1, 0x7F, 0xFF, 0xFF, 0xFF, 0];
        Should.Throw<CompressionException>(() => XerialSnappy.Decompress(input)).Message.ShouldContain("chunk length");
    }

    [Fact]
    public void Lz4_AbsurdBlockSize_Throws()
    {
        var frame = Lz4Frame.Compress(Samples.Text);
        frame[7] = 0xFF;
        frame[8] = 0xFF;
        frame[9] = 0xFF;
        frame[10] = 0x7F;
        Should.Throw<CompressionException>(() => Lz4Frame.Decompress(frame)).Message.ShouldContain("block size");
    }

    [Fact]
    public void Zstd_AbsurdContentSize_RefusedBeforeAllocating()
    {
        // Descriptor 0xC0: 8-byte content size = 2^40, then a window descriptor.
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0xC0, 0x00, 0, 0, 0, 0, 0, 1, 0, 0, 0x01, 0x00, 0x00];
        Should.Throw<CompressionException>(() => Zstd.Decompress(frame)).Message.ShouldContain("too large");
    }

    [Fact]
    public void Zstd_ContentSizeAboveCallerLimit_Throws()
    {
        var frame = Zstd.Compress(new byte[5000]);
        Should.Throw<CompressionException>(() => Zstd.Decompress(frame, maxOutputLength: 4999)).Message.ShouldContain("limit");
    }

    [Fact]
    public void Zstd_ReservedBlockType_Throws()
    {
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x05, 0x07, 0x00, 0x00, 0x00];
        Should.Throw<CompressionException>(() => Zstd.Decompress(frame)).Message.ShouldContain("reserved block type");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = (byte[])seed.Clone();
        switch (random.Next(6))
        {
            case 0:
                data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                for (var k = random.Next(1, 8); k > 0; k--)
                {
                    data[random.Next(data.Length)] = (byte)random.Next(256);
                }

                break;
            case 2:
                // Header bytes carry the lengths and flags; hit them more often.
                data[random.Next(Math.Min(24, data.Length))] = (byte)random.Next(256);
                break;
            case 3:
                data = data[..random.Next(data.Length)];
                break;
            case 4:
                var at = random.Next(data.Length);
                data = [.. data[..at], .. Samples.RandomBytes(random.Next(1, 16), random.Next()), .. data[at..]];
                break;
            default:
                var start = random.Next(data.Length);
                data.AsSpan(start, Math.Min(data.Length - start, random.Next(1, 64))).Fill(0xFF);
                break;
        }

        return data;
    }
}
