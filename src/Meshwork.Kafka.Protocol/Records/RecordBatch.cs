using System.Buffers.Binary;

namespace Meshwork.Kafka.Protocol.Records;

/// <summary>
/// Record batch v2 (magic 2) parsing, validation and in-place patching. Layout per apache/kafka
/// <c>DefaultRecordBatch</c>; the CRC-32C covers attributes..end, so the broker can rewrite base offset,
/// batch length and partition leader epoch without recomputing it.
/// </summary>
public static class RecordBatch
{
    /// <summary>Offset of the int64 base offset.</summary>
    public const int BaseOffsetOffset = 0;

    /// <summary>Offset of the int32 batch length.</summary>
    public const int BatchLengthOffset = 8;

    /// <summary>Base offset + batch length: the bytes not counted by batch length.</summary>
    public const int LogOverhead = 12;

    /// <summary>Offset of the int32 partition leader epoch.</summary>
    public const int PartitionLeaderEpochOffset = 12;

    /// <summary>Offset of the magic byte (same position in message formats v0/v1, which is how they are detected).</summary>
    public const int MagicOffset = 16;

    /// <summary>Offset of the uint32 CRC.</summary>
    public const int CrcOffset = 17;

    /// <summary>Offset of the int16 attributes: the CRC covers everything from here to the end.</summary>
    public const int AttributesOffset = 21;

    /// <summary>Offset of the int32 last offset delta.</summary>
    public const int LastOffsetDeltaOffset = 23;

    /// <summary>Offset of the int64 base timestamp.</summary>
    public const int BaseTimestampOffset = 27;

    /// <summary>Offset of the int64 max timestamp.</summary>
    public const int MaxTimestampOffset = 35;

    /// <summary>Offset of the int64 producer id.</summary>
    public const int ProducerIdOffset = 43;

    /// <summary>Offset of the int16 producer epoch.</summary>
    public const int ProducerEpochOffset = 51;

    /// <summary>Offset of the int32 base sequence.</summary>
    public const int BaseSequenceOffset = 53;

    /// <summary>Offset of the int32 record count.</summary>
    public const int RecordCountOffset = 57;

    /// <summary>Size of the batch header; records start here.</summary>
    public const int HeaderSize = 61;

    /// <summary>The only supported magic.</summary>
    public const sbyte CurrentMagic = 2;

    /// <summary>Attribute bits 0-2.</summary>
    public const short CompressionCodecMask = 0x07;

    /// <summary>Attribute bit 3.</summary>
    public const short TimestampTypeFlag = 0x08;

    /// <summary>Attribute bit 4.</summary>
    public const short TransactionalFlag = 0x10;

    /// <summary>Attribute bit 5.</summary>
    public const short ControlFlag = 0x20;

    /// <summary>Attribute bit 6.</summary>
    public const short DeleteHorizonFlag = 0x40;

    /// <summary>Smallest legacy (magic 0) message: offset, size, crc, magic, attributes, key length, value length.</summary>
    private const int LegacyMinMessageSize = 4 + 1 + 1 + 4 + 4;

    /// <summary>
    /// Reads and checks the header of the batch at the start of <paramref name="buffer"/>: sizes, magic, the
    /// record count against the last offset delta. Does not check the CRC (see <see cref="Validate"/>).
    /// </summary>
    public static RecordBatchHeader ReadHeader(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < LogOverhead + sizeof(int) + 1)
        {
            ThrowHelper.Malformed($"Record batch truncated: {buffer.Length} byte(s) is shorter than a batch header.");
        }

        var batchLength = BinaryPrimitives.ReadInt32BigEndian(buffer[BatchLengthOffset..]);
        var magic = (sbyte)buffer[MagicOffset];
        if (magic is 0 or 1)
        {
            RejectLegacy(buffer, magic, batchLength);
        }

        if (magic != CurrentMagic)
        {
            ThrowHelper.Malformed($"Record batch has unknown magic {magic}; only magic 2 is supported.");
        }

        if (batchLength < HeaderSize - LogOverhead || batchLength > buffer.Length - LogOverhead)
        {
            ThrowHelper.Malformed(
                $"Record batch length {batchLength} is invalid: {buffer.Length - LogOverhead} byte(s) follow and a header needs {HeaderSize - LogOverhead}.");
        }

        var header = new RecordBatchHeader
        {
            BaseOffset = BinaryPrimitives.ReadInt64BigEndian(buffer[BaseOffsetOffset..]),
            BatchLength = batchLength,
            PartitionLeaderEpoch = BinaryPrimitives.ReadInt32BigEndian(buffer[PartitionLeaderEpochOffset..]),
            Magic = magic,
            Crc = BinaryPrimitives.ReadUInt32BigEndian(buffer[CrcOffset..]),
            Attributes = BinaryPrimitives.ReadInt16BigEndian(buffer[AttributesOffset..]),
            LastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(buffer[LastOffsetDeltaOffset..]),
            BaseTimestamp = BinaryPrimitives.ReadInt64BigEndian(buffer[BaseTimestampOffset..]),
            MaxTimestamp = BinaryPrimitives.ReadInt64BigEndian(buffer[MaxTimestampOffset..]),
            ProducerId = BinaryPrimitives.ReadInt64BigEndian(buffer[ProducerIdOffset..]),
            ProducerEpoch = BinaryPrimitives.ReadInt16BigEndian(buffer[ProducerEpochOffset..]),
            BaseSequence = BinaryPrimitives.ReadInt32BigEndian(buffer[BaseSequenceOffset..]),
            RecordCount = BinaryPrimitives.ReadInt32BigEndian(buffer[RecordCountOffset..]),
        };

        if (header.RecordCount < 0 || header.LastOffsetDelta < 0)
        {
            ThrowHelper.Malformed($"Record batch has negative record count {header.RecordCount} or last offset delta {header.LastOffsetDelta}.");
        }

        if ((int)header.Compression > (int)CompressionCodec.Zstd)
        {
            ThrowHelper.Malformed($"Record batch uses unknown compression codec {(int)header.Compression}.");
        }

        return header;
    }

    /// <summary>CRC-32C of the batch as it is now (attributes..end).</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch)
    {
        var header = ReadHeader(batch);
        return Crc32C.Compute(batch[AttributesOffset..header.TotalSize]);
    }

    /// <summary>True when the stored CRC matches the content.</summary>
    public static bool IsCrcValid(ReadOnlySpan<byte> batch) => ReadHeader(batch).Crc == ComputeCrc(batch);

    /// <summary>
    /// Full structural validation of one batch (header, CRC, count/offset-delta consistency), throwing
    /// <see cref="KafkaProtocolException"/> with <see cref="ErrorCode.CorruptMessage"/> on failure.
    /// Policy checks (base offset 0, no control batches from clients, sizes) belong to the broker.
    /// </summary>
    public static RecordBatchHeader Validate(ReadOnlySpan<byte> batch)
    {
        var header = ReadHeader(batch);
        var actual = Crc32C.Compute(batch[AttributesOffset..header.TotalSize]);
        if (actual != header.Crc)
        {
            ThrowHelper.Malformed($"Record batch at base offset {header.BaseOffset} has CRC 0x{header.Crc:X8} but its content hashes to 0x{actual:X8}.");
        }

        // A batch of n records spans offset deltas 0..n-1; control and empty (compacted) batches may differ.
        if (header.RecordCount > 0 && header.LastOffsetDelta + 1 < header.RecordCount)
        {
            ThrowHelper.Malformed($"Record batch claims {header.RecordCount} records but its last offset delta is {header.LastOffsetDelta}.");
        }

        return header;
    }

    /// <summary>
    /// The checks Kafka applies to the records of one partition in a client Produce v3+ (kafka-wire.md §2,
    /// <c>LogValidator</c>): exactly one batch, no larger than <paramref name="maxMessageBytes"/>
    /// (<see cref="ErrorCode.MessageTooLarge"/>), a valid CRC (<see cref="ErrorCode.CorruptMessage"/>), base offset 0,
    /// a consistent non-empty offset range, no control batch, and a base sequence when a producer id is set
    /// (<see cref="ErrorCode.InvalidRecord"/>). Per-record and idempotence checks remain the broker's.
    /// </summary>
    public static RecordBatchHeader ValidateProducedBatch(ReadOnlySpan<byte> records, int maxMessageBytes)
    {
        if (records.Length > maxMessageBytes)
        {
            ThrowHelper.Malformed($"Record batch of {records.Length} bytes exceeds max.message.bytes ({maxMessageBytes}).", ErrorCode.MessageTooLarge);
        }

        var header = Validate(records);
        if (header.TotalSize != records.Length)
        {
            ThrowHelper.Malformed("Produce data for one partition must hold exactly one record batch (magic 2).", ErrorCode.InvalidRecord);
        }

        if (header.BaseOffset != 0)
        {
            ThrowHelper.Malformed($"The base offset of a produced batch must be 0, not {header.BaseOffset}.", ErrorCode.InvalidRecord);
        }

        if (header.RecordCount == 0 || header.LastOffsetDelta + 1 != header.RecordCount)
        {
            ThrowHelper.Malformed(
                $"Produced batch has {header.RecordCount} records but a last offset delta of {header.LastOffsetDelta}.",
                ErrorCode.InvalidRecord);
        }

        if (header.IsControl)
        {
            ThrowHelper.Malformed("Clients may not produce control batches.", ErrorCode.InvalidRecord);
        }

        if (header.ProducerId >= 0 && header.BaseSequence < 0)
        {
            ThrowHelper.Malformed($"Idempotent batch from producer {header.ProducerId} has no base sequence.", ErrorCode.InvalidRecord);
        }

        return header;
    }

    /// <summary>Sets the base offset in place (outside the CRC, so no recomputation).</summary>
    public static void SetBaseOffset(Span<byte> batch, long baseOffset)
    {
        EnsureHeader(batch);
        BinaryPrimitives.WriteInt64BigEndian(batch[BaseOffsetOffset..], baseOffset);
    }

    /// <summary>Sets the partition leader epoch in place (outside the CRC).</summary>
    public static void SetPartitionLeaderEpoch(Span<byte> batch, int partitionLeaderEpoch)
    {
        EnsureHeader(batch);
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochOffset..], partitionLeaderEpoch);
    }

    /// <summary>
    /// Sets the timestamp type bit and max timestamp (for LogAppendTime topics) and recomputes the CRC,
    /// since both fields are inside it.
    /// </summary>
    public static void SetMaxTimestamp(Span<byte> batch, TimestampType timestampType, long maxTimestamp)
    {
        var header = ReadHeader(batch);
        var attributes = timestampType == TimestampType.LogAppendTime
            ? (short)(header.Attributes | TimestampTypeFlag)
            : (short)(header.Attributes & ~TimestampTypeFlag);
        BinaryPrimitives.WriteInt16BigEndian(batch[AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(batch[MaxTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], Crc32C.Compute(batch[AttributesOffset..header.TotalSize]));
    }

    /// <summary>
    /// Splits a records blob (Produce partition data, a log segment slice) into its batches. A trailing partial
    /// batch — legal at the end of a Fetch response — is reported through <paramref name="trailingBytes"/>.
    /// </summary>
    public static List<ReadOnlyMemory<byte>> SplitBatches(ReadOnlyMemory<byte> records, out int trailingBytes)
    {
        var batches = new List<ReadOnlyMemory<byte>>();
        var span = records.Span;
        var position = 0;
        while (span.Length - position >= LogOverhead)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(span[(position + BatchLengthOffset)..]);
            if (length < 0)
            {
                ThrowHelper.Malformed($"Record batch at byte {position} has negative length {length}.");
            }

            if ((long)length + LogOverhead > span.Length - position)
            {
                break;
            }

            batches.Add(records.Slice(position, LogOverhead + length));
            position += LogOverhead + length;
        }

        trailingBytes = span.Length - position;
        return batches;
    }

    /// <summary>
    /// Decodes every record of a validated batch. Compressed batches are inflated through
    /// <paramref name="decompressor"/>; without one they are rejected with <see cref="ErrorCode.UnsupportedCompressionType"/>.
    /// Keys, values and header values are slices of <paramref name="batch"/> (or of the decompressed buffer).
    /// </summary>
    public static List<Record> ReadRecords(ReadOnlyMemory<byte> batch, IRecordDecompressor? decompressor = null)
    {
        var header = Validate(batch.Span);
        var section = batch[HeaderSize..header.TotalSize];
        if (header.Compression != CompressionCodec.None)
        {
            if (decompressor is null)
            {
                ThrowHelper.Malformed($"Record batch is compressed with {header.Compression} but no decompressor is configured.", ErrorCode.UnsupportedCompressionType);
            }

            try
            {
                section = decompressor.Decompress(header.Compression, section.Span);
            }
            catch (Exception ex) when (ex is not KafkaProtocolException)
            {
                throw new KafkaProtocolException($"Could not decompress {header.Compression} record batch: {ex.Message}", ErrorCode.CorruptMessage, ex);
            }
        }

        return ReadRecordSection(header, section);
    }

    /// <summary>Decodes <paramref name="header"/>.RecordCount records from an uncompressed records section.</summary>
    public static List<Record> ReadRecordSection(RecordBatchHeader header, ReadOnlyMemory<byte> section)
    {
        var reader = new KafkaReader(section);
        // Each record takes at least 7 bytes, which bounds a hostile count before allocating.
        const int MinRecordSize = 7;
        if ((long)header.RecordCount * MinRecordSize > section.Length)
        {
            ThrowHelper.Malformed($"Record batch claims {header.RecordCount} records but the records section has only {section.Length} byte(s).");
        }

        var records = new List<Record>(header.RecordCount);
        for (var i = 0; i < header.RecordCount; i++)
        {
            var length = reader.ReadVarInt("record length");
            if (length < 0 || length > reader.Remaining)
            {
                ThrowHelper.InvalidLength("record length", length, reader.Remaining);
            }

            var start = reader.Position;
            var attributes = reader.ReadInt8("record attributes");
            var timestampDelta = reader.ReadVarLong("record timestampDelta");
            var offsetDelta = reader.ReadVarInt("record offsetDelta");
            var key = ReadVarBytes(ref reader, section, "record key");
            var value = ReadVarBytes(ref reader, section, "record value");
            var headerCount = reader.ReadVarInt("record header count");
            if (headerCount < 0 || headerCount > reader.Remaining)
            {
                ThrowHelper.InvalidLength("record header count", headerCount, reader.Remaining);
            }

            var headers = headerCount == 0 ? [] : new RecordHeader[headerCount];
            for (var h = 0; h < headerCount; h++)
            {
                var keyBytes = ReadVarBytes(ref reader, section, "header key");
                if (keyBytes is null)
                {
                    ThrowHelper.Malformed("Record header key is null.");
                }

                headers[h] = new RecordHeader(System.Text.Encoding.UTF8.GetString(keyBytes.Value.Span), ReadVarBytes(ref reader, section, "header value"));
            }

            if (reader.Position - start != length)
            {
                ThrowHelper.Malformed($"Record {i} declared {length} byte(s) but its fields span {reader.Position - start}.");
            }

            records.Add(new Record
            {
                Attributes = attributes,
                TimestampDelta = timestampDelta,
                OffsetDelta = offsetDelta,
                Offset = header.BaseOffset + offsetDelta,
                Timestamp = header.TimestampType == TimestampType.LogAppendTime ? header.MaxTimestamp : header.BaseTimestamp + timestampDelta,
                Key = key,
                Value = value,
                Headers = headers,
            });
        }

        if (!reader.End)
        {
            ThrowHelper.Malformed($"Record batch has {reader.Remaining} byte(s) after its {header.RecordCount} records.");
        }

        return records;
    }

    private static ReadOnlyMemory<byte>? ReadVarBytes(ref KafkaReader reader, ReadOnlyMemory<byte> section, string field)
    {
        var length = reader.ReadVarInt(field);
        if (length == -1)
        {
            return null;
        }

        if (length < 0 || length > reader.Remaining)
        {
            ThrowHelper.InvalidLength(field, length, reader.Remaining);
        }

        var start = reader.Position;
        reader.Skip(length, field);
        return section.Slice(start, length);
    }

    private static void EnsureHeader(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < HeaderSize)
        {
            ThrowHelper.Malformed($"Record batch truncated: {batch.Length} byte(s) is shorter than the {HeaderSize}-byte header.");
        }
    }

    /// <summary>
    /// Message formats v0/v1 (magic 0/1) predate record batches. Kafka-python 2.0.2 and librdkafka only send them
    /// at Produce v0-v2, which Meshwork advertises for librdkafka's feature checks but does not implement.
    /// </summary>
    private static void RejectLegacy(ReadOnlySpan<byte> buffer, sbyte magic, int messageSize)
    {
        if (messageSize < LegacyMinMessageSize || messageSize > buffer.Length - LogOverhead)
        {
            ThrowHelper.Malformed($"Legacy message set (magic {magic}) is corrupt: message size {messageSize} with {buffer.Length - LogOverhead} byte(s) available.");
        }

        ThrowHelper.Malformed(
            $"Message format v{magic} is not supported; Meshwork accepts record batches v2 only (Produce v3+). " +
            "Upgrade the client or let it negotiate a newer Produce version.",
            ErrorCode.UnsupportedForMessageFormat);
    }
}
