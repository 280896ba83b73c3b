using Meshwork.Broker.Groups;
using Meshwork.Kafka.Protocol;
using Shouldly;

namespace Meshwork.Broker.Tests.Groups;

public sealed class GroupCoordinatorRetentionTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    private static CancellationToken Cancel => GroupTestKit.Cancel;

    private static GroupCoordinatorOptions Manual => new() { InitialRebalanceDelay = TimeSpan.Zero, OffsetsRetentionCheckInterval = TimeSpan.Zero };

    [Fact]
    public async Task ExpireOffsets_StandaloneCommitsOlderThanRetention_AreRemovedWithTheGroup()
    {
        using var kit = new GroupTestKit(Manual);
        await kit.Coordinator.CommitOffsetsAsync("tool", -1, "", null, [new OffsetCommitEntry("t", 0, 1)], Cancel);
        kit.Time.Advance(Retention - TimeSpan.FromMinutes(1));
        await kit.Coordinator.CommitOffsetsAsync("tool", -1, "", null, [new OffsetCommitEntry("t", 1, 1)], Cancel);

        kit.Time.Advance(TimeSpan.FromMinutes(1));
        (await kit.Coordinator.ExpireOffsetsAsync(Cancel)).ShouldBe(1);
        kit.Coordinator.OffsetFetch("tool", null).Partitions.Select(p => p.Partition).ShouldBe([1]);

        kit.Time.Advance(Retention);
        (await kit.Coordinator.ExpireOffsetsAsync(Cancel)).ShouldBe(1);
        kit.Coordinator.ListGroups().ShouldBeEmpty();
        (await kit.Store.LoadAllAsync(Cancel)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ExpireOffsets_EmptyGroup_CountsFromWhenItBecameEmpty()
    {
        using var kit = new GroupTestKit(Manual with { OffsetsRetention = TimeSpan.FromMinutes(1) });
        var joined = await kit.JoinAndSyncAlone("app");
        await kit.Coordinator.CommitOffsetsAsync("app", joined.GenerationId, joined.MemberId, null, [new OffsetCommitEntry("orders", 0, 1)], Cancel);
        for (var second = 0; second < 60; second += 5)
        {
            kit.Advance(5_000);
            kit.Coordinator.Heartbeat("app", joined.GenerationId, joined.MemberId, null).ShouldBe(ErrorCode.None);
        }

        (await kit.Coordinator.ExpireOffsetsAsync(Cancel)).ShouldBe(0, "a Stable group still reads the topic it committed");

        kit.Coordinator.LeaveGroup("app", [new LeavingMember(joined.MemberId)]);
        kit.Time.Advance(TimeSpan.FromSeconds(59));
        (await kit.Coordinator.ExpireOffsetsAsync(Cancel)).ShouldBe(0);
        kit.Time.Advance(TimeSpan.FromSeconds(1));
        (await kit.Coordinator.ExpireOffsetsAsync(Cancel)).ShouldBe(1);
    }

    [Fact]
    public async Task ExpireOffsets_StableConsumerGroup_DropsOnlyOldOffsetsOfUnsubscribedTopics()
    {
        using var kit = new GroupTestKit(Manual with { OffsetsRetention = TimeSpan.FromMinutes(1) });
        var joined = await kit.JoinAndSyncAlone("app", subscription: GroupTestKit.Subscription("orders"));
        await kit.Coordinator.CommitOffsetsAsync("app", joined.GenerationId, joined.MemberId, null,
            [new OffsetCommitEntry("orders", 0, 1), new OffsetCommitEntry("legacy", 0, 1)], Cancel);
        for (var second = 0; second < 60; second += 5)
        {
            kit.Advance(5_000);
            kit.Coordinator.Heartbeat("app", joined.GenerationId, joined.MemberId, null).ShouldBe(ErrorCode.None);
        }

        (await kit.Coordinator.ExpireOffsetsAsync(Cancel)).ShouldBe(1);
        kit.Coordinator.OffsetFetch("app", null).Partitions.Select(p => p.Topic).ShouldBe(["orders"]);
    }

    [Fact]
    public async Task RetentionTimer_RunsTheSweepPeriodically()
    {
        using var kit = new GroupTestKit(new GroupCoordinatorOptions { InitialRebalanceDelay = TimeSpan.Zero });
        await kit.Coordinator.CommitOffsetsAsync("tool", -1, "", null, [new OffsetCommitEntry("t", 0, 1)], Cancel);

        kit.Time.Advance(Retention + TimeSpan.FromMinutes(10));

        kit.Coordinator.ListGroups().ShouldBeEmpty();
    }
}
