namespace Meshwork.Kafka.Protocol.Records;

/// <summary>Compression codec stored in attribute bits 0-2 of a record batch.</summary>
public enum CompressionCodec : byte
{
    /// <summary>Uncompressed.</summary>
    None = 0,

    /// <summary>gzip.</summary>
    Gzip = 1,

    /// <summary>Snappy (raw, or xerial-framed from Java clients).</summary>
    Snappy = 2,

    /// <summary>LZ4 frame format (KIP-57).</summary>
    Lz4 = 3,

    /// <summary>Zstandard (requires Produce v7+ / Fetch v10+).</summary>
    Zstd = 4,
}

/// <summary>Timestamp type stored in attribute bit 3 of a record batch.</summary>
public enum TimestampType
{
    /// <summary>The producer's timestamp.</summary>
    CreateTime = 0,

    /// <summary>The broker's append time.</summary>
    LogAppendTime = 1,
}

/// <summary>
/// Decompresses the records section of a batch. Implemented by Meshwork.Compression; this project stays free
/// of codec dependencies.
/// </summary>
public interface IRecordDecompressor
{
    /// <summary>Returns the decompressed records section; throw on corrupt input.</summary>
    byte[] Decompress(CompressionCodec codec, ReadOnlySpan<byte> compressed);
}

/// <summary>Compresses the records section of a batch being built.</summary>
public interface IRecordCompressor
{
    /// <summary>Returns the compressed form of <paramref name="records"/>.</summary>
    byte[] Compress(CompressionCodec codec, ReadOnlySpan<byte> records);
}

/// <summary>One record header: a non-null string key and a nullable value.</summary>
/// <param name="Key">The header key.</param>
/// <param name="Value">The header value, or null.</param>
public readonly record struct RecordHeader(string Key, ReadOnlyMemory<byte>? Value);

/// <summary>One record of a batch, with its offset and timestamp already resolved against the batch header.</summary>
public sealed class Record
{
    /// <summary>Record-level attributes (unused by Kafka today; must be 0).</summary>
    public sbyte Attributes { get; init; }

    /// <summary>Delta from the batch's base timestamp.</summary>
    public long TimestampDelta { get; init; }

    /// <summary>Delta from the batch's base offset.</summary>
    public int OffsetDelta { get; init; }

    /// <summary>Absolute offset: base offset + offset delta.</summary>
    public long Offset { get; init; }

    /// <summary>Absolute timestamp: base timestamp + delta, or the batch max timestamp under LogAppendTime.</summary>
    public long Timestamp { get; init; }

    /// <summary>The key, or null.</summary>
    public ReadOnlyMemory<byte>? Key { get; init; }

    /// <summary>The value, or null (a tombstone on compacted topics).</summary>
    public ReadOnlyMemory<byte>? Value { get; init; }

    /// <summary>The headers, in wire order.</summary>
    public IReadOnlyList<RecordHeader> Headers { get; init; } = [];
}
