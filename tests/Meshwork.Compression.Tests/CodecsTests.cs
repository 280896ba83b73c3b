using Shouldly;

namespace Meshwork.Compression.Tests;

public sealed class CodecsTests
{
    [Theory]
    [InlineData(CompressionCodec.None, 0)]
    [InlineData(CompressionCodec.Gzip, 1)]
    [InlineData(CompressionCodec.Snappy, 2)]
    [InlineData(CompressionCodec.Lz4, 3)]
    [InlineData(CompressionCodec.Zstd, 4)]
    public void Codec_MatchesKafkaAttributeBits(CompressionCodec codec, int bits)
    {
        ((int)codec).ShouldBe(bits);
    }

    public static TheoryData<CompressionCodec, string> Cases()
    {
        var cases = new TheoryData<CompressionCodec, string>();
        foreach (var codec in Enum.GetValues<CompressionCodec>())
        {
            foreach (var name in Samples.All.Keys)
            {
                cases.Add(codec, name);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Dispatcher_RoundTrips(CompressionCodec codec, string name)
    {
        var data = Samples.All[name];
        Codecs.Decompress(codec, Codecs.Compress(codec, data)).ShouldEqualBytes(data);
        if (codec == CompressionCodec.Snappy)
        {
            Codecs.Decompress(codec, Codecs.Compress(codec, data, xerialSnappy: true)).ShouldEqualBytes(data);
        }
    }

    [Fact]
    public void Dispatcher_UnknownCodec_ThrowsCompressionException()
    {
        Should.Throw<CompressionException>(() => Codecs.Decompress((CompressionCodec)7, [1, 2, 3])).Message.ShouldContain("7");
    }
}

public sealed class ApiShapeTests
{
    public static TheoryData<string> Pairs => new(PairTable.Keys);

    // Avro and Parquet register codecs as Func<ReadOnlySpan<byte>, byte[]> method groups, which only bind to
    // overloads without optional parameters: this table fails to compile if one regresses.
    private static readonly Dictionary<string, (Func<ReadOnlySpan<byte>, byte[]> Compress, Func<ReadOnlySpan<byte>, byte[]> Decompress)> PairTable = new()
    {
        ["snappy"] = (Snappy.Compress, Snappy.Decompress),
        ["snappy-kafka"] = (XerialSnappy.Compress, Snappy.DecompressKafka),
        ["xerial"] = (XerialSnappy.Compress, XerialSnappy.Decompress),
        ["lz4"] = (Lz4Frame.Compress, Lz4Frame.Decompress),
        ["zstd"] = (Zstd.Compress, Zstd.Decompress),
        ["gzip"] = (Gzip.Compress, Gzip.Decompress),
        ["deflate"] = (Deflate.Compress, Deflate.Decompress),
        ["zlib"] = (Deflate.CompressZlib, Deflate.DecompressZlib),
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void MethodGroups_BindToSpanFuncs_AndRoundTrip(string name)
    {
        var (compress, decompress) = PairTable[name];
        decompress(compress(Samples.Text)).ShouldEqualBytes(Samples.Text);
    }
}
