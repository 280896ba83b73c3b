using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol.Records;
using Meshwork.Testing;
using Shouldly;
using static Meshwork.Broker.Tests.Storage.StorageTestKit;
using Record = Meshwork.Kafka.Protocol.Records.Record;

namespace Meshwork.Broker.Tests.Storage;

public sealed class CompactionTests
{
    private const long DeleteRetentionMs = 86_400_000;
    private const string Filler = "filler";

    [Fact]
    public void Compact_KeepsLatestValuePerKey_WithOriginalOffsets()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, CompactConfig());
        var expected = FillWithUpdates(log, StartMs, out var tombstoned);

        var reclaimed = log.Compact(StartMs);
        reclaimed.ShouldBeGreaterThan(0);
        var records = ReadAll(log).Where(r => Text(r.Key) != Filler).ToList();
        AssertIncreasing(records);
        var latest = records.GroupBy(r => Text(r.Key)).ToDictionary(g => g.Key, g => g.Last());
        records.Count.ShouldBe(latest.Count);
        latest.Count.ShouldBe(20);
        foreach (var (key, value) in expected)
        {
            Text(latest[key].Value).ShouldBe(value);
        }

        // Tombstones younger than delete.retention.ms stay so consumers see the delete.
        foreach (var key in tombstoned)
        {
            latest[key].Value.ShouldBeNull();
        }
    }

    [Fact]
    public void Compact_TombstonesOlderThanDeleteRetention_AreDropped()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, CompactConfig());
        var expected = FillWithUpdates(log, StartMs, out var tombstoned);
        log.Compact(StartMs + DeleteRetentionMs + 1);

        var keys = ReadAll(log).Select(r => Text(r.Key)).ToHashSet();
        foreach (var key in tombstoned)
        {
            keys.ShouldNotContain(key);
        }

        foreach (var key in expected.Keys)
        {
            keys.ShouldContain(key);
        }
    }

    [Fact]
    public void Compact_SurvivesReopen_AndAppendsContinue()
    {
        using var dir = new TempDirectory();
        long next;
        List<Record> before;
        using (var log = Open(dir.Path, CompactConfig()))
        {
            FillWithUpdates(log, StartMs, out _);
            log.Compact(StartMs);
            before = ReadAll(log);
            next = log.NextOffset;
        }

        using var reopened = Open(dir.Path, CompactConfig());
        reopened.NextOffset.ShouldBe(next);
        ReadAll(reopened).Select(r => r.Offset).ShouldBe(before.Select(r => r.Offset));
        reopened.Append(KeyedBatch(StartMs, ("k1", "after")), StartMs).BaseOffset.ShouldBe(next);
        // Reading from an offset removed by compaction returns the next surviving batch.
        using var gap = reopened.Read(1, 1 << 20);
        RecordBatch.ReadHeader(gap.Records.Span).LastOffset.ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public void Compact_MinCompactionLag_LeavesYoungSegmentsAlone()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, CompactConfig(("min.compaction.lag.ms", "60000")));
        FillWithUpdates(log, StartMs, out _);
        log.Compact(StartMs + 1000).ShouldBe(0);
        log.Compact(StartMs + 60_000).ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Open_AfterInterruptedCompaction_KeepsOriginalSegment()
    {
        using var dir = new TempDirectory();
        List<Record> before;
        using (var log = Open(dir.Path, CompactConfig()))
        {
            FillWithUpdates(log, StartMs, out _);
            before = ReadAll(log);
        }

        var first = LogSegment.PathFor(dir.Path, 0, LogSegment.LogSuffix);
        File.WriteAllBytes(first + LogSegment.CleanedSuffix, File.ReadAllBytes(first).AsSpan(0, 100).ToArray());
        using var reopened = Open(dir.Path, CompactConfig());
        ReadAll(reopened).Select(r => r.Offset).ShouldBe(before.Select(r => r.Offset));
        reopened.Compact(StartMs).ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Compact_ReaderHoldingOldSegment_DoesNotFail()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, CompactConfig());
        FillWithUpdates(log, StartMs, out _);
        using var held = log.Read(0, 1 << 20);
        log.Compact(StartMs);
        RecordBatch.SplitBatches(held.Records, out _).ShouldNotBeEmpty();
        ReadAll(log).ShouldNotBeEmpty();
    }

    [Fact]
    public void Compact_BelowMinCleanableDirtyRatio_Skips()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, CompactConfig(("min.cleanable.dirty.ratio", "0.99")));
        FillWithUpdates(log, StartMs, out _);
        log.Compact(StartMs).ShouldBeGreaterThan(0);
        var size = log.SizeInBytes;

        // One more sealed segment of updates is a small dirty share of the now-clean log.
        var segments = log.SegmentCount;
        while (log.SegmentCount == segments)
        {
            log.Append(KeyedBatch(StartMs, ("k1", "again")), StartMs);
        }

        log.Compact(StartMs).ShouldBe(0);
        log.SizeInBytes.ShouldBeGreaterThan(size);

        log.UpdateConfig(CompactConfig(("min.cleanable.dirty.ratio", "0.01")));
        log.Compact(StartMs).ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Compact_DeletePolicyTopic_DoesNothing()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, Config(("segment.bytes", "1024")));
        FillWithUpdates(log, StartMs, out _);
        log.Compact(StartMs).ShouldBe(0);
    }

    [Theory]
    [InlineData(CompressionCodec.Gzip)]
    [InlineData(CompressionCodec.Lz4)]
    [InlineData(CompressionCodec.Zstd)]
    [InlineData(CompressionCodec.Snappy)]
    public void Compact_CompressedBatches_KeepTheirCodec(CompressionCodec codec)
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, CompactConfig());
        for (var round = 0; round < 40; round++)
        {
            var builder = new RecordBatchBuilder { Compression = codec, Compressor = KafkaCompression.Instance };
            for (var k = 0; k < 5; k++)
            {
                builder.Add(StartMs, System.Text.Encoding.UTF8.GetBytes($"k{k}"), System.Text.Encoding.UTF8.GetBytes($"value-{round}-{new string('x', 40)}"));
            }

            log.Append(builder.Build(), StartMs);
        }

        log.Compact(StartMs).ShouldBeGreaterThan(0);
        using var read = log.Read(0, 1 << 20);
        foreach (var batch in RecordBatch.SplitBatches(read.Records, out _))
        {
            RecordBatch.ReadHeader(batch.Span).Compression.ShouldBe(codec);
        }

        var records = ReadAll(log);
        AssertIncreasing(records);
        records.GroupBy(r => Text(r.Key)).ShouldAllBe(g => Text(g.Last().Value).StartsWith("value-39-", StringComparison.Ordinal));
    }

    [Fact]
    public void Append_AfterDispose_ReturnsUnknownTopicOrPartition()
    {
        using var dir = new TempDirectory();
        var log = Open(dir.Path);
        log.Dispose();
        log.Append(Batch(1, StartMs), StartMs).Error.ShouldBe(Meshwork.Kafka.Protocol.ErrorCode.UnknownTopicOrPartition);
    }

    private static TopicConfig CompactConfig(params (string Key, string Value)[] extra) =>
        Config([("cleanup.policy", "compact"), ("segment.bytes", "1024"), .. extra]);

    /// <summary>20 keys, 6 rounds of updates, tombstones for k3 and k7 in round 4; returns the surviving latest values.</summary>
    private static Dictionary<string, string> FillWithUpdates(PartitionLog log, long timestamp, out List<string> tombstoned)
    {
        var latest = new Dictionary<string, string>();
        tombstoned = ["k3", "k7"];
        for (var round = 0; round < 6; round++)
        {
            for (var key = 0; key < 20; key += 4)
            {
                var records = new List<(string, string?)>();
                for (var k = key; k < key + 4; k++)
                {
                    var name = $"k{k}";
                    var deleted = round >= 4 && tombstoned.Contains(name);
                    var value = deleted ? null : $"{name}-round{round}";
                    records.Add((name, value));
                    if (deleted)
                    {
                        latest.Remove(name);
                    }
                    else
                    {
                        latest[name] = value!;
                    }
                }

                log.Append(KeyedBatch(timestamp, [.. records]), timestamp);
            }
        }

        // Filler records seal the segment holding the last updates, so every key above is compactable.
        var segments = log.SegmentCount;
        while (log.SegmentCount == segments)
        {
            log.Append(KeyedBatch(timestamp, (Filler, "x")), timestamp);
        }

        log.SegmentCount.ShouldBeGreaterThan(2);
        return latest;
    }

    private static void AssertIncreasing(List<Record> records)
    {
        for (var i = 1; i < records.Count; i++)
        {
            records[i].Offset.ShouldBeGreaterThan(records[i - 1].Offset);
        }
    }
}
