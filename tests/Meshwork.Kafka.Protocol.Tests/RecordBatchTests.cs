using System.IO.Compression;
using System.Text;
using Meshwork.Kafka.Protocol.Records;
using Shouldly;
using Xunit;
using static Meshwork.Kafka.Protocol.Tests.TestSupport;

namespace Meshwork.Kafka.Protocol.Tests;

/// <summary>Gzip only, through System.IO.Compression: the real codecs live in Meshwork.Compression.</summary>
internal sealed class GzipCodec : IRecordDecompressor, IRecordCompressor
{
    public byte[] Decompress(CompressionCodec codec, ReadOnlySpan<byte> compressed)
    {
        if (codec != CompressionCodec.Gzip)
        {
            throw new NotSupportedException($"Test codec only handles gzip, not {codec}.");
        }

        using var input = new MemoryStream(compressed.ToArray());
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    public byte[] Compress(CompressionCodec codec, ReadOnlySpan<byte> records)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(records);
        }

        return output.ToArray();
    }
}

public class RecordBatchTests
{
    private const long Now = 1_700_000_000_000;

    private static RecordBatchBuilder ThreeRecords() => new RecordBatchBuilder { ProducerId = 9, ProducerEpoch = 1, BaseSequence = 0 }
        .Add(Now, Encoding.UTF8.GetBytes("k1"), Encoding.UTF8.GetBytes("v1"), [new RecordHeader("h", new byte[] { 1 })])
        .Add(Now + 5, null, Encoding.UTF8.GetBytes("v2"))
        .Add(Now + 2, Encoding.UTF8.GetBytes("k3"), null, [new RecordHeader("n", null)]);

    // RFC 3720 §B.4 test vectors (CRC shown there byte-reversed) plus the classic "123456789" check value.
    public static TheoryData<string, uint> CrcVectors() => new()
    {
        { new string('0', 64), 0x8A9136AAu },
        { string.Concat(Enumerable.Repeat("FF", 32)), 0x62A8AB43u },
        { string.Concat(Enumerable.Range(0, 32).Select(i => i.ToString("X2"))), 0x46DD794Eu },
        { string.Concat(Enumerable.Range(0, 32).Reverse().Select(i => i.ToString("X2"))), 0x113FDB5Cu },
        {
            "01C00000 00000000 00000000 00000000 14000000 00000400 00000014 00000018 28000000 00000000 02000000 00000000".Replace(" ", string.Empty),
            0xD9963A56u
        },
        { "313233343536373839", 0xE3069283u },
    };

    [Theory]
    [MemberData(nameof(CrcVectors))]
    public void Crc32C_MatchesRfc3720Vectors_OnBothPaths(string hex, uint expected)
    {
        Crc32C.Compute(Hex(hex)).ShouldBe(expected);
        Crc32C.ComputeWithTable(Hex(hex)).ShouldBe(expected);
    }

    [Fact]
    public void Crc32C_Append_EqualsOneShot()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        for (var split = 0; split < data.Length; split += 37)
        {
            Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split)).ShouldBe(Crc32C.Compute(data));
        }

        Crc32C.Compute(data).ShouldBe(Crc32C.ComputeWithTable(data));
    }

    [Fact]
    public void Build_ThenParse_YieldsIdenticalRecords()
    {
        var batch = ThreeRecords().Build();
        var header = RecordBatch.Validate(batch);
        header.Magic.ShouldBe(RecordBatch.CurrentMagic);
        header.RecordCount.ShouldBe(3);
        header.LastOffsetDelta.ShouldBe(2);
        header.BaseTimestamp.ShouldBe(Now);
        header.MaxTimestamp.ShouldBe(Now + 5);
        header.ProducerId.ShouldBe(9);
        header.TotalSize.ShouldBe(batch.Length);

        var records = RecordBatch.ReadRecords(batch);
        records.Count.ShouldBe(3);
        Encoding.UTF8.GetString(records[0].Key!.Value.Span).ShouldBe("k1");
        Encoding.UTF8.GetString(records[0].Value!.Value.Span).ShouldBe("v1");
        records[0].Headers.Single().Key.ShouldBe("h");
        records[0].Headers.Single().Value!.Value.ToArray().ShouldBe(new byte[] { 1 });
        records[1].Key.ShouldBeNull();
        records[1].Timestamp.ShouldBe(Now + 5);
        records[1].Offset.ShouldBe(1);
        records[2].Value.ShouldBeNull();
        records[2].Headers.Single().Value.ShouldBeNull();
    }

    [Fact]
    public void Attributes_AreEncodedInTheRightBits()
    {
        var batch = new RecordBatchBuilder { IsTransactional = true, TimestampType = TimestampType.LogAppendTime }.Add(Now, null, null).Build();
        var header = RecordBatch.Validate(batch);
        header.Attributes.ShouldBe((short)0x18);
        header.IsTransactional.ShouldBeTrue();
        header.IsControl.ShouldBeFalse();
        header.TimestampType.ShouldBe(TimestampType.LogAppendTime);
        header.Compression.ShouldBe(CompressionCodec.None);
    }

    [Fact]
    public void Gzip_RoundTrips_ThroughDecompressorInterface()
    {
        var builder = ThreeRecords();
        builder.Compression = CompressionCodec.Gzip;
        builder.Compressor = new GzipCodec();
        var batch = builder.Build();
        RecordBatch.ReadHeader(batch).Compression.ShouldBe(CompressionCodec.Gzip);
        RecordBatch.ReadRecords(batch, new GzipCodec()).Select(r => r.Offset).ShouldBe([0L, 1L, 2L]);
        Should.Throw<KafkaProtocolException>(() => RecordBatch.ReadRecords(batch)).ErrorCode.ShouldBe(ErrorCode.UnsupportedCompressionType);
    }

    [Fact]
    public void CorruptGzip_IsCorruptMessage()
    {
        var builder = ThreeRecords();
        builder.Compression = CompressionCodec.Gzip;
        builder.Compressor = new GzipCodec();
        var batch = builder.Build();
        batch[RecordBatch.HeaderSize + 12] ^= 0xFF;
        // Re-seal the CRC so the failure comes from the codec, not the checksum.
        RecordBatch.SetMaxTimestamp(batch, TimestampType.CreateTime, RecordBatch.ReadHeader(batch).MaxTimestamp);
        Should.Throw<KafkaProtocolException>(() => RecordBatch.ReadRecords(batch, new GzipCodec())).ErrorCode.ShouldBe(ErrorCode.CorruptMessage);
    }

    [Fact]
    public void OffsetAndEpochPatching_KeepsCrcValid()
    {
        var batch = ThreeRecords().Build();
        var crc = RecordBatch.ReadHeader(batch).Crc;
        RecordBatch.SetBaseOffset(batch, 1000);
        RecordBatch.SetPartitionLeaderEpoch(batch, 7);
        var header = RecordBatch.Validate(batch);
        header.Crc.ShouldBe(crc);
        header.BaseOffset.ShouldBe(1000);
        header.LastOffset.ShouldBe(1002);
        header.PartitionLeaderEpoch.ShouldBe(7);
        RecordBatch.ReadRecords(batch).Select(r => r.Offset).ShouldBe([1000L, 1001L, 1002L]);
    }

    [Fact]
    public void SetMaxTimestamp_LogAppendTime_RecomputesCrc()
    {
        var batch = ThreeRecords().Build();
        RecordBatch.SetMaxTimestamp(batch, TimestampType.LogAppendTime, Now + 100);
        var header = RecordBatch.Validate(batch);
        header.TimestampType.ShouldBe(TimestampType.LogAppendTime);
        RecordBatch.ReadRecords(batch).ShouldAllBe(r => r.Timestamp == Now + 100);
    }

    [Fact]
    public void CorruptedByte_IsDetectedByCrc()
    {
        var batch = ThreeRecords().Build();
        for (var i = RecordBatch.AttributesOffset; i < batch.Length; i++)
        {
            var copy = (byte[])batch.Clone();
            copy[i] ^= 0x01;
            RecordBatch.IsCrcValid(copy).ShouldBeFalse();
        }
    }

    [Fact]
    public void LegacyMagic_IsRejected_AsUnsupportedForMessageFormat()
    {
        // Magic 1 message: offset, size 22, crc, magic 1, attributes, timestamp, key -1, value -1 (no timestamp in magic 0).
        var legacy = Hex("0000000000000000 00000016 00000000 01 00 0000000000000000 FFFFFFFF FFFFFFFF");
        var ex = Should.Throw<KafkaProtocolException>(() => RecordBatch.ReadHeader(legacy));
        ex.ErrorCode.ShouldBe(ErrorCode.UnsupportedForMessageFormat);
        ex.Message.ShouldContain("v1");

        var corrupt = Hex("0000000000000000 7FFFFFFF 00000000 00 00");
        Should.Throw<KafkaProtocolException>(() => RecordBatch.ReadHeader(corrupt)).ErrorCode.ShouldBe(ErrorCode.CorruptMessage);
    }

    [Fact]
    public void UnknownMagic_IsCorruptMessage()
    {
        var batch = ThreeRecords().Build();
        batch[RecordBatch.MagicOffset] = 3;
        Should.Throw<KafkaProtocolException>(() => RecordBatch.ReadHeader(batch)).ErrorCode.ShouldBe(ErrorCode.CorruptMessage);
    }

    [Fact]
    public void SplitBatches_FindsEachBatch_AndReportsTrailingPartial()
    {
        var one = ThreeRecords().Build();
        var two = new RecordBatchBuilder { BaseOffset = 3 }.Add(Now, null, new byte[] { 1 }).Build();
        var blob = one.Concat(two).Concat(two.Take(10)).ToArray();
        var batches = RecordBatch.SplitBatches(blob, out var trailing);
        batches.Count.ShouldBe(2);
        trailing.ShouldBe(10);
        RecordBatch.Validate(batches[1].Span).BaseOffset.ShouldBe(3);
    }

    [Fact]
    public void Truncated_AtEveryLength_ThrowsKafkaProtocolException()
    {
        var batch = ThreeRecords().Build();
        for (var length = 0; length < batch.Length; length++)
        {
            Should.Throw<KafkaProtocolException>(() => RecordBatch.ReadRecords(batch.AsMemory(0, length)));
        }
    }

    [Fact]
    public void Builder_RejectsEmptyBatch()
    {
        Should.Throw<InvalidOperationException>(() => new RecordBatchBuilder().Build());
    }
}

public class ProducedBatchValidationTests
{
    private const int MaxBytes = 1 << 20;

    private static byte[] Batch(Action<RecordBatchBuilder>? configure = null)
    {
        var builder = new RecordBatchBuilder();
        configure?.Invoke(builder);
        return builder.Add(1, null, new byte[] { 1 }).Add(2, null, new byte[] { 2 }).Build();
    }

    [Fact]
    public void ValidBatch_Passes()
    {
        RecordBatch.ValidateProducedBatch(Batch(), MaxBytes).RecordCount.ShouldBe(2);
    }

    [Fact]
    public void TooLarge_IsMessageTooLarge()
    {
        Should.Throw<KafkaProtocolException>(() => RecordBatch.ValidateProducedBatch(Batch(), 10)).ErrorCode.ShouldBe(ErrorCode.MessageTooLarge);
    }

    [Fact]
    public void PolicyViolations_AreInvalidRecord()
    {
        var cases = new[]
        {
            Batch(b => b.BaseOffset = 5),
            Batch(b => b.IsControl = true),
            Batch(b => b.ProducerId = 7),
            Batch().Concat(Batch()).ToArray(),
        };
        foreach (var batch in cases)
        {
            Should.Throw<KafkaProtocolException>(() => RecordBatch.ValidateProducedBatch(batch, MaxBytes)).ErrorCode.ShouldBe(ErrorCode.InvalidRecord);
        }
    }

    [Fact]
    public void BadCrc_IsCorruptMessage()
    {
        var batch = Batch();
        batch[^1] ^= 0xFF;
        Should.Throw<KafkaProtocolException>(() => RecordBatch.ValidateProducedBatch(batch, MaxBytes)).ErrorCode.ShouldBe(ErrorCode.CorruptMessage);
    }
}
