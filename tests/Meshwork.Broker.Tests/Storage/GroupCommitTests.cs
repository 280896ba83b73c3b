using Meshwork.Broker.Storage;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Broker.Tests.Storage;

/// <summary>Deferred fsyncs: a batch appended with <c>deferFlush</c> is acknowledged only after WaitDurableAsync, which concurrent appends share.</summary>
public sealed class GroupCommitTests : IDisposable
{
    private readonly TempDirectory _dir = new("meshwork-group-commit");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task DeferredAppends_UnderEveryBatch_ArePendingUntilWaitDurable()
    {
        using var log = StorageTestKit.Open(_dir.Path);

        var first = log.Append(StorageTestKit.Batch(3, StorageTestKit.StartMs), StorageTestKit.StartMs, deferFlush: true);
        var second = log.Append(StorageTestKit.Batch(2, StorageTestKit.StartMs), StorageTestKit.StartMs, deferFlush: true);

        first.FlushPending.ShouldBeTrue();
        second.FlushPending.ShouldBeTrue();
        (first.BaseOffset, first.LastOffset, second.BaseOffset, second.LastOffset).ShouldBe((0L, 2L, 3L, 4L));
        await Task.WhenAll(log.WaitDurableAsync(second.LastOffset).AsTask(), log.WaitDurableAsync(first.LastOffset).AsTask());
        // Durable now: waiting again completes at once.
        log.WaitDurableAsync(second.LastOffset).IsCompletedSuccessfully.ShouldBeTrue();
        StorageTestKit.ReadAll(log).Count.ShouldBe(5);
    }

    [Fact]
    public void Appends_WithoutDeferral_AreDurableOnReturn()
    {
        using var log = StorageTestKit.Open(_dir.Path);

        var appended = log.Append(StorageTestKit.Batch(3, StorageTestKit.StartMs), StorageTestKit.StartMs);

        appended.FlushPending.ShouldBeFalse();
        log.WaitDurableAsync(appended.LastOffset).IsCompletedSuccessfully.ShouldBeTrue();
    }

    [Fact]
    public void DeferredAppends_UnderAnIntervalPolicy_NeedNoWait()
    {
        using var log = StorageTestKit.Open(_dir.Path, options: new BrokerStorageOptions { FlushPolicy = FlushPolicy.Interval });

        log.Append(StorageTestKit.Batch(3, StorageTestKit.StartMs), StorageTestKit.StartMs, deferFlush: true).FlushPending.ShouldBeFalse();
    }

    [Fact]
    public async Task ManyConcurrentWaiters_AllCompleteAndEveryRecordReadsBackAfterReopen()
    {
        var options = new BrokerStorageOptions();
        long last;
        using (var log = StorageTestKit.Open(_dir.Path, options: options))
        {
            var waits = new List<Task>();
            last = -1;
            for (var i = 0; i < 200; i++)
            {
                var appended = log.Append(StorageTestKit.Batch(5, StorageTestKit.StartMs, prefix: $"b{i}-"), StorageTestKit.StartMs, deferFlush: true);
                last = appended.LastOffset;
                waits.Add(log.WaitDurableAsync(appended.LastOffset).AsTask());
            }

            await Task.WhenAll(waits);
        }

        using var reopened = StorageTestKit.Open(_dir.Path, options: options);
        reopened.NextOffset.ShouldBe(last + 1);
        StorageTestKit.ReadAll(reopened).Count.ShouldBe(1000);
    }
}
