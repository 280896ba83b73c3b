namespace Meshwork.Compression;

/// <summary>Compression codecs, numbered as Kafka's record batch attribute bits 0..2.</summary>
public enum CompressionCodec
{
    /// <summary>No compression.</summary>
    None = 0,

    /// <summary>gzip (RFC 1952).</summary>
    Gzip = 1,

    /// <summary>Snappy: raw block, or xerial framing from the Java client.</summary>
    Snappy = 2,

    /// <summary>LZ4 frame format.</summary>
    Lz4 = 3,

    /// <summary>Zstandard (RFC 8878).</summary>
    Zstd = 4,
}

/// <summary>One entry point for every codec, with Kafka semantics.</summary>
public static class Codecs
{
    /// <summary>Compresses <paramref name="source"/> with <paramref name="codec"/>; snappy output is a raw block.</summary>
    public static byte[] Compress(CompressionCodec codec, ReadOnlySpan<byte> source) => Compress(codec, source, xerialSnappy: false);

    /// <summary>
    /// Compresses <paramref name="source"/> with <paramref name="codec"/>. Snappy output is xerial-framed when
    /// <paramref name="xerialSnappy"/> is true (what Kafka's Java client writes), raw otherwise.
    /// </summary>
    public static byte[] Compress(CompressionCodec codec, ReadOnlySpan<byte> source, bool xerialSnappy) => codec switch
    {
        CompressionCodec.None => source.ToArray(),
        CompressionCodec.Gzip => Gzip.Compress(source),
        CompressionCodec.Snappy => xerialSnappy ? XerialSnappy.Compress(source) : Snappy.Compress(source),
        CompressionCodec.Lz4 => Lz4Frame.Compress(source),
        CompressionCodec.Zstd => Zstd.Compress(source),
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "unknown compression codec"),
    };

    /// <summary>As <see cref="Decompress(CompressionCodec, ReadOnlySpan{byte}, int)"/> with the default output limit (<see cref="CompressionLimits.DefaultMaxOutputLength"/>).</summary>
    public static byte[] Decompress(CompressionCodec codec, ReadOnlySpan<byte> compressed) => Decompress(codec, compressed, CompressionLimits.DefaultMaxOutputLength);

    /// <summary>Decompresses <paramref name="compressed"/>; snappy accepts raw or xerial-framed input.</summary>
    /// <exception cref="CompressionException">The input is malformed or exceeds <paramref name="maxOutputLength"/>.</exception>
    public static byte[] Decompress(CompressionCodec codec, ReadOnlySpan<byte> compressed, int maxOutputLength) => codec switch
    {
        CompressionCodec.None => compressed.Length <= maxOutputLength
            ? compressed.ToArray()
            : throw new CompressionException($"none: {compressed.Length} bytes exceeds the limit of {maxOutputLength} bytes"),
        CompressionCodec.Gzip => Gzip.Decompress(compressed, maxOutputLength),
        CompressionCodec.Snappy => Snappy.DecompressKafka(compressed, maxOutputLength),
        CompressionCodec.Lz4 => Lz4Frame.Decompress(compressed, maxOutputLength),
        CompressionCodec.Zstd => Zstd.Decompress(compressed, maxOutputLength),
        _ => throw new CompressionException($"unknown compression codec {(int)codec} (Kafka defines 0..4)"),
    };
}
