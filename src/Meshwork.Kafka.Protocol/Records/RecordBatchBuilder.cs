using System.Buffers.Binary;

namespace Meshwork.Kafka.Protocol.Records;

/// <summary>
/// Builds one record batch v2. Used by tests, the CLI producer and compaction; the broker itself never
/// re-encodes client batches (it patches offsets in place).
/// </summary>
public sealed class RecordBatchBuilder
{
    private readonly List<PendingRecord> _records = [];

    /// <summary>Base offset written into the batch (clients send 0; the broker patches it).</summary>
    public long BaseOffset { get; set; }

    /// <summary>Partition leader epoch (-1 from clients).</summary>
    public int PartitionLeaderEpoch { get; set; } = -1;

    /// <summary>Idempotent producer id, or -1.</summary>
    public long ProducerId { get; set; } = -1;

    /// <summary>Producer epoch, or -1.</summary>
    public short ProducerEpoch { get; set; } = -1;

    /// <summary>Sequence of the first record, or -1.</summary>
    public int BaseSequence { get; set; } = -1;

    /// <summary>Sets attribute bit 4.</summary>
    public bool IsTransactional { get; set; }

    /// <summary>Sets attribute bit 5.</summary>
    public bool IsControl { get; set; }

    /// <summary>Timestamp type bit.</summary>
    public TimestampType TimestampType { get; set; } = TimestampType.CreateTime;

    /// <summary>Codec for the records section; requires <see cref="Compressor"/> unless <see cref="CompressionCodec.None"/>.</summary>
    public CompressionCodec Compression { get; set; } = CompressionCodec.None;

    /// <summary>Compresses the records section.</summary>
    public IRecordCompressor? Compressor { get; set; }

    /// <summary>Number of records added.</summary>
    public int Count => _records.Count;

    /// <summary>Adds a record; its offset delta defaults to its position (compaction passes the surviving delta).</summary>
    public RecordBatchBuilder Add(
        long timestamp,
        ReadOnlyMemory<byte>? key,
        ReadOnlyMemory<byte>? value,
        IReadOnlyList<RecordHeader>? headers = null,
        int? offsetDelta = null)
    {
        var delta = offsetDelta ?? (_records.Count == 0 ? 0 : _records[^1].OffsetDelta + 1);
        if (_records.Count > 0 && delta <= _records[^1].OffsetDelta)
        {
            throw new ArgumentOutOfRangeException(nameof(offsetDelta), delta, "Offset deltas must increase within a batch.");
        }

        _records.Add(new PendingRecord(timestamp, key, value, headers ?? [], delta));
        return this;
    }

    /// <summary>Encodes the batch with a valid CRC.</summary>
    public byte[] Build()
    {
        if (_records.Count == 0)
        {
            throw new InvalidOperationException("A record batch needs at least one record.");
        }

        var baseTimestamp = _records[0].Timestamp;
        var maxTimestamp = _records.Max(r => r.Timestamp);

        using var section = new PooledBufferWriter();
        var sectionWriter = new KafkaWriter(section);
        using var recordBody = new PooledBufferWriter();
        foreach (var record in _records)
        {
            recordBody.Clear();
            var body = new KafkaWriter(recordBody);
            body.WriteInt8(0);
            body.WriteVarLong(record.Timestamp - baseTimestamp);
            body.WriteVarInt(record.OffsetDelta);
            WriteVarBytes(body, record.Key);
            WriteVarBytes(body, record.Value);
            body.WriteVarInt(record.Headers.Count);
            foreach (var header in record.Headers)
            {
                var keyBytes = System.Text.Encoding.UTF8.GetBytes(header.Key);
                body.WriteVarInt(keyBytes.Length);
                body.WriteRaw(keyBytes);
                WriteVarBytes(body, header.Value);
            }

            sectionWriter.WriteVarInt(recordBody.WrittenCount);
            sectionWriter.WriteRaw(recordBody.WrittenSpan);
        }

        ReadOnlySpan<byte> records = section.WrittenSpan;
        byte[]? compressed = null;
        if (Compression != CompressionCodec.None)
        {
            if (Compressor is null)
            {
                throw new InvalidOperationException($"Compression {Compression} needs a Compressor.");
            }

            compressed = Compressor.Compress(Compression, records);
            records = compressed;
        }

        var batch = new byte[RecordBatch.HeaderSize + records.Length];
        var span = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.BaseOffsetOffset..], BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.BatchLengthOffset..], batch.Length - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.PartitionLeaderEpochOffset..], PartitionLeaderEpoch);
        span[RecordBatch.MagicOffset] = (byte)RecordBatch.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.AttributesOffset..], Attributes());
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.LastOffsetDeltaOffset..], _records[^1].OffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.BaseTimestampOffset..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.MaxTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatch.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatch.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatch.RecordCountOffset..], _records.Count);
        records.CopyTo(span[RecordBatch.HeaderSize..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatch.CrcOffset..], Crc32C.Compute(span[RecordBatch.AttributesOffset..]));
        return batch;
    }

    private short Attributes()
    {
        var attributes = (int)Compression & RecordBatch.CompressionCodecMask;
        if (TimestampType == TimestampType.LogAppendTime)
        {
            attributes |= RecordBatch.TimestampTypeFlag;
        }

        if (IsTransactional)
        {
            attributes |= RecordBatch.TransactionalFlag;
        }

        if (IsControl)
        {
            attributes |= RecordBatch.ControlFlag;
        }

        return (short)attributes;
    }

    private static void WriteVarBytes(KafkaWriter writer, ReadOnlyMemory<byte>? value)
    {
        if (value is null)
        {
            writer.WriteVarInt(-1);
            return;
        }

        writer.WriteVarInt(value.Value.Length);
        writer.WriteRaw(value.Value.Span);
    }

    private readonly record struct PendingRecord(
        long Timestamp,
        ReadOnlyMemory<byte>? Key,
        ReadOnlyMemory<byte>? Value,
        IReadOnlyList<RecordHeader> Headers,
        int OffsetDelta);
}
