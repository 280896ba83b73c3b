using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Records;
using Meshwork.Testing;
using Shouldly;
using static Meshwork.Broker.Tests.Storage.StorageTestKit;

namespace Meshwork.Broker.Tests.Storage;

public sealed class PartitionLogTests
{
    [Fact]
    public void Append_AssignsContiguousOffsets_AndReadRoundTrips()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path);
        var first = log.Append(Batch(3, StartMs), StartMs);
        var second = log.Append(Batch(2, StartMs), StartMs);

        first.ShouldBe(new AppendResult(ErrorCode.None, 0, 2, -1, 0));
        second.BaseOffset.ShouldBe(3);
        second.LastOffset.ShouldBe(4);
        log.NextOffset.ShouldBe(5);
        var records = ReadAll(log);
        records.Select(r => r.Offset).ShouldBe([0L, 1, 2, 3, 4]);
        Text(records[4].Value).ShouldStartWith("v1");
    }

    [Fact]
    public void Read_OffsetInsideBatch_ReturnsContainingBatch()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path);
        log.Append(Batch(5, StartMs), StartMs);
        log.Append(Batch(5, StartMs), StartMs);

        using var result = log.Read(7, 1 << 20);
        var header = RecordBatch.ReadHeader(result.Records.Span);
        header.BaseOffset.ShouldBe(5);
        header.LastOffset.ShouldBe(9);
    }

    [Fact]
    public void Read_FirstBatchLargerThanMaxBytes_ReturnsWholeBatch()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path);
        var big = Batch(10, StartMs, valueSize: 500);
        log.Append(big, StartMs);
        log.Append(Batch(1, StartMs), StartMs);

        using var result = log.Read(0, 10);
        result.Records.Length.ShouldBe(big.Length);
    }

    [Fact]
    public void Read_MaxBytes_StopsAtWholeBatches()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path);
        var size = 0;
        for (var i = 0; i < 10; i++)
        {
            size = Batch(1, StartMs).Length;
            log.Append(Batch(1, StartMs), StartMs);
        }

        using var result = log.Read(0, (size * 3) + (size / 2));
        result.Records.Length.ShouldBe(size * 3);
    }

    [Fact]
    public void Read_OutsideLog_ReturnsOffsetOutOfRange_AndEmptyAtEnd()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path);
        log.Append(Batch(2, StartMs), StartMs);

        using (var beyond = log.Read(3, 100))
        {
            beyond.Error.ShouldBe(ErrorCode.OffsetOutOfRange);
        }

        using (var negative = log.Read(-1, 100))
        {
            negative.Error.ShouldBe(ErrorCode.OffsetOutOfRange);
        }

        using var atEnd = log.Read(2, 100);
        atEnd.Error.ShouldBe(ErrorCode.None);
        atEnd.Records.IsEmpty.ShouldBeTrue();
        atEnd.HighWatermark.ShouldBe(2);
    }

    [Fact]
    public void Append_SegmentBytesExceeded_RollsAndIndexLooksUpEveryOffset()
    {
        using var dir = new TempDirectory();
        var config = Config(("segment.bytes", "1024"), ("index.interval.bytes", "100"));
        using (var log = Open(dir.Path, config))
        {
            for (var i = 0; i < 200; i++)
            {
                log.Append(Batch(2, StartMs, valueSize: 20), StartMs);
            }

            log.SegmentCount.ShouldBeGreaterThan(10);
            AssertEveryOffsetReadable(log, 400);
        }

        using var reopened = Open(dir.Path, config);
        reopened.NextOffset.ShouldBe(400);
        reopened.SegmentCount.ShouldBeGreaterThan(10);
        AssertEveryOffsetReadable(reopened, 400);
        reopened.Append(Batch(1, StartMs), StartMs).BaseOffset.ShouldBe(400);
    }

    [Fact]
    public void Open_SealedIndexMissingOrCorrupt_RebuildsIt()
    {
        using var dir = new TempDirectory();
        var config = Config(("segment.bytes", "1024"), ("index.interval.bytes", "100"));
        using (var log = Open(dir.Path, config))
        {
            for (var i = 0; i < 60; i++)
            {
                log.Append(Batch(2, StartMs, valueSize: 20), StartMs);
            }
        }

        var indexes = Directory.GetFiles(dir.Path, "*.index").Order().ToArray();
        File.Delete(indexes[0]);
        File.WriteAllBytes(indexes[1], [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0]);
        using var reopened = Open(dir.Path, config);
        AssertEveryOffsetReadable(reopened, 120);
    }

    [Fact]
    public void Append_SegmentMsExceeded_Rolls()
    {
        using var dir = new TempDirectory();
        var time = new ManualTimeProvider();
        using var log = Open(dir.Path, Config(("segment.ms", "1000")), time);
        log.Append(Batch(1, StartMs), StartMs);
        log.Append(Batch(1, StartMs), StartMs + 500);
        log.SegmentCount.ShouldBe(1);
        log.Append(Batch(1, StartMs), StartMs + 1000);
        log.SegmentCount.ShouldBe(2);
    }

    [Fact]
    public void OffsetForTimestamp_FindsFirstBatchAtOrAfter_AcrossSegments()
    {
        using var dir = new TempDirectory();
        var config = Config(("segment.bytes", "1024"), ("index.interval.bytes", "64"));
        using var log = Open(dir.Path, config);
        for (var i = 0; i < 100; i++)
        {
            log.Append(Batch(2, StartMs - 100_000 + (i * 100)), StartMs);
        }

        log.OffsetForTimestamp(0).ShouldBe(0);
        log.OffsetForTimestamp(StartMs - 100_000).ShouldBe(0);
        log.OffsetForTimestamp(StartMs - 100_000 + 1).ShouldBe(2);
        log.OffsetForTimestamp(StartMs - 100_000 + (57 * 100)).ShouldBe(114);
        log.OffsetForTimestamp(StartMs - 100_000 + (57 * 100) - 50).ShouldBe(114);
        log.OffsetForTimestamp(StartMs).ShouldBeNull();
    }

    [Fact]
    public void Append_LogAppendTimeTopic_StampsBatchAndKeepsCrcValid()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, Config(("message.timestamp.type", "LogAppendTime")));
        var result = log.Append(Batch(2, StartMs - 5000), StartMs);

        result.LogAppendTimeMs.ShouldBe(StartMs);
        using var read = log.Read(0, 1000);
        var header = RecordBatch.Validate(read.Records.Span);
        header.TimestampType.ShouldBe(TimestampType.LogAppendTime);
        header.MaxTimestamp.ShouldBe(StartMs);
        RecordBatch.ReadRecords(read.Records).ShouldAllBe(r => r.Timestamp == StartMs);
    }

    [Fact]
    public void Append_TimestampTooFarInFuture_IsRejected()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path);
        log.Append(Batch(1, StartMs + 3_600_001), StartMs).Error.ShouldBe(ErrorCode.InvalidTimestamp);
        log.Append(Batch(1, StartMs + 3_600_000), StartMs).Error.ShouldBe(ErrorCode.None);
    }

    [Fact]
    public void Append_LargerThanMaxMessageBytes_IsRejected()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, Config(("max.message.bytes", "200")));
        log.Append(Batch(10, StartMs, valueSize: 100), StartMs).Error.ShouldBe(ErrorCode.MessageTooLarge);
        log.NextOffset.ShouldBe(0);
    }

    [Fact]
    public async Task WaitForAppendAsync_CompletesOnAppend_AndHonoursCancellation()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path);
        var waiting = log.WaitForAppendAsync(0, TestContext.Current.CancellationToken);
        waiting.IsCompleted.ShouldBeFalse();
        log.Append(Batch(1, StartMs), StartMs);
        await waiting;

        await log.WaitForAppendAsync(0, TestContext.Current.CancellationToken);
        using var cts = new CancellationTokenSource();
        var cancelled = log.WaitForAppendAsync(5, cts.Token);
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => cancelled);
    }

    [Fact]
    public void Flush_IntervalPolicy_UsesTimeProviderTimer()
    {
        using var dir = new TempDirectory();
        var time = new ManualTimeProvider();
        using var log = Open(dir.Path, time: time, options: new BrokerStorageOptions { FlushPolicy = FlushPolicy.Interval, FlushIntervalMs = 100 });
        log.Append(Batch(1, StartMs), StartMs);
        time.Advance(TimeSpan.FromMilliseconds(250));
        log.NextOffset.ShouldBe(1);
    }

    [Fact]
    public void DeleteRecordsBefore_AdvancesLogStart_DeletesSegments_AndSurvivesRestart()
    {
        using var dir = new TempDirectory();
        var config = Config(("segment.bytes", "1024"));
        using (var log = Open(dir.Path, config))
        {
            for (var i = 0; i < 50; i++)
            {
                log.Append(Batch(2, StartMs, valueSize: 20), StartMs);
            }

            var segments = log.SegmentCount;
            log.DeleteRecordsBefore(61).ShouldBe(ErrorCode.None);
            log.LogStartOffset.ShouldBe(61);
            log.SegmentCount.ShouldBeLessThan(segments);
            using (var below = log.Read(60, 100))
            {
                below.Error.ShouldBe(ErrorCode.OffsetOutOfRange);
            }

            ReadAll(log, 61).First().Offset.ShouldBe(61);
            log.DeleteRecordsBefore(101).ShouldBe(ErrorCode.OffsetOutOfRange);
        }

        using var reopened = Open(dir.Path, config);
        reopened.LogStartOffset.ShouldBe(61);
        reopened.NextOffset.ShouldBe(100);
        reopened.DeleteRecordsBefore(100).ShouldBe(ErrorCode.None);
        reopened.SegmentCount.ShouldBe(1);
        reopened.Append(Batch(1, StartMs), StartMs).BaseOffset.ShouldBe(100);
    }

    [Fact]
    public void EnforceRetention_ByTime_DeletesOnlyExpiredSealedSegments()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, Config(("segment.bytes", "1024"), ("retention.ms", "60000")));
        for (var i = 0; i < 30; i++)
        {
            log.Append(Batch(2, StartMs, valueSize: 20), StartMs);
        }

        var old = log.SegmentCount;
        for (var i = 0; i < 30; i++)
        {
            log.Append(Batch(2, StartMs + 120_000, valueSize: 20), StartMs + 120_000);
        }

        log.EnforceRetention(StartMs + 30_000).ShouldBe(0);
        log.EnforceRetention(StartMs + 120_000).ShouldBeGreaterThan(0);
        log.SegmentCount.ShouldBeLessThanOrEqualTo(log.SegmentCount);
        log.SegmentCount.ShouldBeGreaterThan(0);
        log.LogStartOffset.ShouldBeGreaterThan(0);
        old.ShouldBeGreaterThan(1);
        ReadAll(log).ShouldAllBe(r => r.Timestamp >= StartMs + 120_000 || r.Offset >= log.LogStartOffset);

        // Everything expired: the active segment stays.
        log.EnforceRetention(StartMs + 1_000_000);
        log.SegmentCount.ShouldBe(1);
        log.NextOffset.ShouldBe(120);
    }

    [Fact]
    public void EnforceRetention_BySize_KeepsPartitionUnderLimit()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, Config(("segment.bytes", "1024"), ("retention.bytes", "3000")));
        for (var i = 0; i < 100; i++)
        {
            log.Append(Batch(2, StartMs, valueSize: 20), StartMs);
        }

        log.EnforceRetention(StartMs).ShouldBeGreaterThan(0);
        // Like Kafka, a segment goes only if the rest still holds retention.bytes: at most one segment over.
        log.SizeInBytes.ShouldBeGreaterThanOrEqualTo(3000);
        log.SizeInBytes.ShouldBeLessThan(3000 + 1024);
        ReadAll(log).Last().Offset.ShouldBe(199);
    }

    [Fact]
    public void EnforceRetention_CompactOnlyTopic_DeletesNothing()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, Config(("segment.bytes", "1024"), ("retention.ms", "1"), ("cleanup.policy", "compact")));
        for (var i = 0; i < 30; i++)
        {
            log.Append(Batch(2, StartMs, valueSize: 20), StartMs);
        }

        log.EnforceRetention(StartMs + 1_000_000).ShouldBe(0);
    }

    [Fact]
    public async Task Read_ConcurrentWithAppends_AlwaysReturnsWholeValidBatches()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path, Config(("segment.bytes", "4096")), options: new BrokerStorageOptions { FlushPolicy = FlushPolicy.Messages, FlushMessages = 1_000_000 });
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                log.Append(Batch(3, StartMs), StartMs);
            }
        }, TestContext.Current.CancellationToken);

        long next = 0;
        while (next < 6000)
        {
            using var result = log.Read(next, 2000);
            foreach (var batch in RecordBatch.SplitBatches(result.Records.ToArray(), out var trailing))
            {
                trailing.ShouldBe(0);
                var header = RecordBatch.Validate(batch.Span);
                header.BaseOffset.ShouldBe(next);
                next = header.LastOffset + 1;
            }
        }

        await writer;
    }

    private static void AssertEveryOffsetReadable(PartitionLog log, long count)
    {
        for (long offset = 0; offset < count; offset++)
        {
            using var result = log.Read(offset, 1);
            var header = RecordBatch.ReadHeader(result.Records.Span);
            header.BaseOffset.ShouldBeLessThanOrEqualTo(offset);
            header.LastOffset.ShouldBeGreaterThanOrEqualTo(offset);
        }
    }
}
