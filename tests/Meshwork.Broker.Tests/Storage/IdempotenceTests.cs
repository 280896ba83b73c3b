using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol;
using Meshwork.Testing;
using Shouldly;
using static Meshwork.Broker.Tests.Storage.StorageTestKit;

namespace Meshwork.Broker.Tests.Storage;

public sealed class IdempotenceTests
{
    private const long ProducerId = 1000;

    [Fact]
    public void Append_DuplicateOfEachOfLastFiveBatches_ReturnsOriginalOffsets_AndWritesNothing()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path);
        var results = new List<AppendResult>();
        for (var i = 0; i < 6; i++)
        {
            results.Add(log.Append(Batch(2, StartMs, producerId: ProducerId, epoch: 0, baseSequence: i * 2), StartMs));
        }

        var size = log.SizeInBytes;
        for (var i = 1; i < 6; i++)
        {
            var retry = log.Append(Batch(2, StartMs, producerId: ProducerId, epoch: 0, baseSequence: i * 2), StartMs);
            retry.Error.ShouldBe(ErrorCode.None);
            retry.BaseOffset.ShouldBe(results[i].BaseOffset);
            retry.LastOffset.ShouldBe(results[i].LastOffset);
        }

        log.SizeInBytes.ShouldBe(size);
        log.NextOffset.ShouldBe(12);
        log.Append(Batch(2, StartMs, producerId: ProducerId, epoch: 0, baseSequence: 0), StartMs).Error.ShouldBe(ErrorCode.OutOfOrderSequenceNumber);
    }

    [Fact]
    public void Append_SequenceGap_IsOutOfOrder_AndUnknownProducerAcceptsAnySequence()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path);
        log.Append(Batch(1, StartMs, producerId: ProducerId, epoch: 3, baseSequence: 17), StartMs).Error.ShouldBe(ErrorCode.None);
        log.Append(Batch(1, StartMs, producerId: ProducerId, epoch: 3, baseSequence: 19), StartMs).Error.ShouldBe(ErrorCode.OutOfOrderSequenceNumber);
        log.Append(Batch(1, StartMs, producerId: ProducerId, epoch: 3, baseSequence: 18), StartMs).Error.ShouldBe(ErrorCode.None);
        log.Append(Batch(1, StartMs), StartMs).Error.ShouldBe(ErrorCode.None);
    }

    [Fact]
    public void Append_EpochFencing()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path);
        log.Append(Batch(1, StartMs, producerId: ProducerId, epoch: 1, baseSequence: 0), StartMs).Error.ShouldBe(ErrorCode.None);
        log.Append(Batch(1, StartMs, producerId: ProducerId, epoch: 0, baseSequence: 1), StartMs).Error.ShouldBe(ErrorCode.InvalidProducerEpoch);
        log.Append(Batch(1, StartMs, producerId: ProducerId, epoch: 2, baseSequence: 5), StartMs).Error.ShouldBe(ErrorCode.OutOfOrderSequenceNumber);
        log.Append(Batch(1, StartMs, producerId: ProducerId, epoch: 2, baseSequence: 0), StartMs).Error.ShouldBe(ErrorCode.None);
        log.Append(Batch(1, StartMs, producerId: ProducerId, epoch: 1, baseSequence: 1), StartMs).Error.ShouldBe(ErrorCode.InvalidProducerEpoch);
        log.NextOffset.ShouldBe(2);
    }

    [Fact]
    public void Append_SequenceWrapsAtInt32Max()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path);
        log.Append(Batch(3, StartMs, producerId: ProducerId, epoch: 0, baseSequence: int.MaxValue - 2), StartMs).Error.ShouldBe(ErrorCode.None);
        log.Append(Batch(2, StartMs, producerId: ProducerId, epoch: 0, baseSequence: 0), StartMs).Error.ShouldBe(ErrorCode.None);

        var wrapping = Batch(3, StartMs, producerId: ProducerId + 1, epoch: 0, baseSequence: int.MaxValue - 1);
        log.Append(wrapping, StartMs).Error.ShouldBe(ErrorCode.None);
        ProducerStateTable.LastSequence(int.MaxValue - 1, 2).ShouldBe(0);
        log.Append(Batch(1, StartMs, producerId: ProducerId + 1, epoch: 0, baseSequence: 1), StartMs).Error.ShouldBe(ErrorCode.None);
        var retry = log.Append(Batch(3, StartMs, producerId: ProducerId + 1, epoch: 0, baseSequence: int.MaxValue - 1), StartMs);
        retry.BaseOffset.ShouldBe(5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ProducerState_SurvivesRestart(bool crash)
    {
        using var dir = new TempDirectory();
        var config = Config(("segment.bytes", "1024"));
        var results = new List<AppendResult>();
        var log = Open(dir.Path, config);
        for (var i = 0; i < 40; i++)
        {
            results.Add(log.Append(Batch(2, StartMs, producerId: ProducerId, epoch: 0, baseSequence: i * 2, valueSize: 20), StartMs));
        }

        log.SegmentCount.ShouldBeGreaterThan(2);
        if (crash)
        {
            // No snapshot at all (as after a crash before the first roll): the whole log is rescanned.
            log.Dispose();
            File.Delete(Path.Combine(dir.Path, PartitionLog.ProducerStateFile));
        }
        else
        {
            log.Dispose();
        }

        using var reopened = Open(dir.Path, config);
        var retry = reopened.Append(Batch(2, StartMs, producerId: ProducerId, epoch: 0, baseSequence: 78, valueSize: 20), StartMs);
        retry.BaseOffset.ShouldBe(results[^1].BaseOffset);
        reopened.Append(Batch(2, StartMs, producerId: ProducerId, epoch: 0, baseSequence: 82, valueSize: 20), StartMs).Error.ShouldBe(ErrorCode.OutOfOrderSequenceNumber);
        reopened.Append(Batch(2, StartMs, producerId: ProducerId, epoch: 0, baseSequence: 80, valueSize: 20), StartMs).BaseOffset.ShouldBe(80);
    }
}
