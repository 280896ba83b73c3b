namespace Meshwork.Kafka.Protocol.Records;

/// <summary>The fixed 61-byte header of a record batch v2 (magic 2), as parsed from the wire.</summary>
public readonly record struct RecordBatchHeader
{
    /// <summary>Offset of the first record; assigned by the broker (clients send 0).</summary>
    public long BaseOffset { get; init; }

    /// <summary>Bytes after the batch length field.</summary>
    public int BatchLength { get; init; }

    /// <summary>Leader epoch, set by the broker.</summary>
    public int PartitionLeaderEpoch { get; init; }

    /// <summary>Format version; always 2 here.</summary>
    public sbyte Magic { get; init; }

    /// <summary>CRC-32C over attributes..end.</summary>
    public uint Crc { get; init; }

    /// <summary>Raw batch attributes.</summary>
    public short Attributes { get; init; }

    /// <summary>Offset delta of the last record.</summary>
    public int LastOffsetDelta { get; init; }

    /// <summary>Timestamp of the first record.</summary>
    public long BaseTimestamp { get; init; }

    /// <summary>Largest timestamp in the batch (or the append time under LogAppendTime).</summary>
    public long MaxTimestamp { get; init; }

    /// <summary>Idempotent producer id, or -1.</summary>
    public long ProducerId { get; init; }

    /// <summary>Producer epoch, or -1.</summary>
    public short ProducerEpoch { get; init; }

    /// <summary>Sequence number of the first record, or -1.</summary>
    public int BaseSequence { get; init; }

    /// <summary>Number of records.</summary>
    public int RecordCount { get; init; }

    /// <summary>Compression codec (attribute bits 0-2).</summary>
    public CompressionCodec Compression => (CompressionCodec)(Attributes & RecordBatch.CompressionCodecMask);

    /// <summary>Timestamp type (attribute bit 3).</summary>
    public TimestampType TimestampType =>
        (Attributes & RecordBatch.TimestampTypeFlag) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    /// <summary>Attribute bit 4.</summary>
    public bool IsTransactional => (Attributes & RecordBatch.TransactionalFlag) != 0;

    /// <summary>Attribute bit 5: a transaction marker batch.</summary>
    public bool IsControl => (Attributes & RecordBatch.ControlFlag) != 0;

    /// <summary>Attribute bit 6: base timestamp holds the delete horizon (compaction).</summary>
    public bool HasDeleteHorizon => (Attributes & RecordBatch.DeleteHorizonFlag) != 0;

    /// <summary>Offset of the last record.</summary>
    public long LastOffset => BaseOffset + LastOffsetDelta;

    /// <summary>Total size of the batch on the wire, including the base offset and length fields.</summary>
    public int TotalSize => RecordBatch.LogOverhead + BatchLength;
}
