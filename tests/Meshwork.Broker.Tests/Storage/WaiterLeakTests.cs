using Meshwork.Testing;
using Shouldly;
using static Meshwork.Broker.Tests.Storage.StorageTestKit;

namespace Meshwork.Broker.Tests.Storage;

/// <summary>Measures process-wide allocations, so it must not run alongside other tests.</summary>
[CollectionDefinition(nameof(WaiterLeakTests), DisableParallelization = true)]
public sealed class WaiterLeakCollection;

[Collection(nameof(WaiterLeakTests))]
public sealed class WaiterLeakTests
{
    [Fact]
    public async Task WaitForAppendAsync_CancelledWaitersOnIdlePartition_DoNotAccumulate()
    {
        using var dir = new TempDirectory();
        using var log = Open(dir.Path);
        const int Waits = 50_000;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < Waits; i++)
        {
            using var cts = new CancellationTokenSource();
            var wait = log.WaitForAppendAsync(0, cts.Token);
            await cts.CancelAsync();
            await Should.ThrowAsync<OperationCanceledException>(() => wait);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        // Long-polling fetches on an idle partition must not pile continuations onto the shared append signal:
        // a leaked waiter costs well over 50 bytes.
        (after - before).ShouldBeLessThan(Waits * 50L);
    }
}
