using System.Buffers.Binary;
using Meshwork.Kafka.Protocol.Records;

namespace Meshwork.Broker.Storage;

/// <summary>
/// The header fields of a stored batch, parsed from its first 61 bytes only. <see cref="RecordBatch.ReadHeader"/>
/// needs the whole batch in the buffer; scans over segment files read headers alone.
/// </summary>
internal readonly record struct StoredBatch(
    long BaseOffset, int BatchLength, sbyte Magic, int LastOffsetDelta, long MaxTimestamp, long ProducerId, short ProducerEpoch, int BaseSequence)
{
    /// <summary>Smallest legal batch length (header bytes after the length field).</summary>
    public const int MinBatchLength = RecordBatch.HeaderSize - RecordBatch.LogOverhead;

    /// <summary>Offset of the last record.</summary>
    public long LastOffset => BaseOffset + LastOffsetDelta;

    /// <summary>Bytes on disk.</summary>
    public int TotalSize => RecordBatch.LogOverhead + BatchLength;

    /// <summary>Parses the header; false when it is not a plausible v2 batch header.</summary>
    public static bool TryParse(ReadOnlySpan<byte> header, out StoredBatch batch)
    {
        batch = default;
        if (header.Length < RecordBatch.HeaderSize)
        {
            return false;
        }

        batch = new StoredBatch(
            BinaryPrimitives.ReadInt64BigEndian(header[RecordBatch.BaseOffsetOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(header[RecordBatch.BatchLengthOffset..]),
            (sbyte)header[RecordBatch.MagicOffset],
            BinaryPrimitives.ReadInt32BigEndian(header[RecordBatch.LastOffsetDeltaOffset..]),
            BinaryPrimitives.ReadInt64BigEndian(header[RecordBatch.MaxTimestampOffset..]),
            BinaryPrimitives.ReadInt64BigEndian(header[RecordBatch.ProducerIdOffset..]),
            BinaryPrimitives.ReadInt16BigEndian(header[RecordBatch.ProducerEpochOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(header[RecordBatch.BaseSequenceOffset..]));
        return batch.Magic == RecordBatch.CurrentMagic && batch.BatchLength >= MinBatchLength && batch.LastOffsetDelta >= 0 && batch.BaseOffset >= 0;
    }
}
