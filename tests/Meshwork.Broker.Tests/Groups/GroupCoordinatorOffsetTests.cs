using Meshwork.Broker.Groups;
using Meshwork.Kafka.Protocol;
using Shouldly;

namespace Meshwork.Broker.Tests.Groups;

public sealed class GroupCoordinatorOffsetTests
{
    private const string Group = "g";

    private static CancellationToken Cancel => GroupTestKit.Cancel;

    [Fact]
    public async Task CommitOffsets_MemberOfStableGroup_IsFetchedBack()
    {
        using var kit = new GroupTestKit();
        var joined = await kit.JoinAndSyncAlone(Group);

        var committed = await kit.Coordinator.CommitOffsetsAsync(Group, joined.GenerationId, joined.MemberId, null,
            [new OffsetCommitEntry("orders", 0, 42, LeaderEpoch: 3, Metadata: "m"), new OffsetCommitEntry("orders", 1, 7)], Cancel);

        committed.Partitions.ShouldAllBe(p => p.ErrorCode == ErrorCode.None);
        var fetched = kit.Coordinator.OffsetFetch(Group, [new TopicPartition("orders", 0), new TopicPartition("orders", 1), new TopicPartition("orders", 2)]);
        fetched.ErrorCode.ShouldBe(ErrorCode.None);
        fetched.Partitions.ShouldBe([
            new FetchedOffset("orders", 0, 42, 3, "m", ErrorCode.None),
            new FetchedOffset("orders", 1, 7, -1, null, ErrorCode.None),
            new FetchedOffset("orders", 2, -1, -1, null, ErrorCode.None),
        ]);
    }

    public static TheoryData<string, int, string, ErrorCode> CommitValidationCases => new()
    {
        // case, generation, member ("$" = the real member id), expected
        { "right generation and member", 1, "$", ErrorCode.None },
        { "old generation", 0, "$", ErrorCode.IllegalGeneration },
        { "future generation", 2, "$", ErrorCode.IllegalGeneration },
        { "unknown member", 1, "ghost", ErrorCode.UnknownMemberId },
        { "standalone into an active group", -1, "", ErrorCode.UnknownMemberId },
    };

    [Theory]
    [MemberData(nameof(CommitValidationCases))]
    public async Task CommitOffsets_ActiveGroup_ChecksGenerationAndMember(string description, int generation, string member, ErrorCode expected)
    {
        using var kit = new GroupTestKit();
        var joined = await kit.JoinAndSyncAlone(Group);

        var result = await kit.Coordinator.CommitOffsetsAsync(Group, generation, member == "$" ? joined.MemberId : member, null, [new OffsetCommitEntry("orders", 0, 1)], Cancel);

        result.Partitions.Single().ErrorCode.ShouldBe(expected, description);
    }

    [Fact]
    public async Task CommitOffsets_WhileCompletingRebalance_AsksToFinishTheRebalance()
    {
        using var kit = new GroupTestKit();
        var joined = await kit.Join(GroupTestKit.Call(Group));

        var result = await kit.Coordinator.CommitOffsetsAsync(Group, joined.GenerationId, joined.MemberId, null, [new OffsetCommitEntry("orders", 0, 1)], Cancel);

        result.Partitions.Single().ErrorCode.ShouldBe(ErrorCode.RebalanceInProgress);
    }

    [Fact]
    public async Task CommitOffsets_StandaloneOnUnknownOrEmptyGroup_IsAccepted()
    {
        using var kit = new GroupTestKit();

        var first = await kit.Coordinator.CommitOffsetsAsync("standalone", -1, "", null, [new OffsetCommitEntry("t", 0, 5)], Cancel);
        var second = await kit.Coordinator.CommitOffsetsAsync("standalone", -1, "", null, [new OffsetCommitEntry("t", 0, 6)], Cancel);

        first.Partitions.Single().ErrorCode.ShouldBe(ErrorCode.None);
        second.Partitions.Single().ErrorCode.ShouldBe(ErrorCode.None);
        kit.Coordinator.OffsetFetch("standalone", null).Partitions.Single().Offset.ShouldBe(6);
        kit.Coordinator.ListGroups().ShouldContain(new ListedGroup("standalone", "", "Empty"));
    }

    [Fact]
    public async Task CommitOffsets_GenerationOnUnknownGroup_IsIllegalGeneration()
    {
        using var kit = new GroupTestKit();

        var result = await kit.Coordinator.CommitOffsetsAsync("missing", 3, "m", null, [new OffsetCommitEntry("t", 0, 5)], Cancel);

        result.Partitions.Single().ErrorCode.ShouldBe(ErrorCode.IllegalGeneration);
    }

    [Fact]
    public async Task CommitOffsets_MetadataOverLimit_FailsOnlyThatPartition()
    {
        using var kit = new GroupTestKit();

        var result = await kit.Coordinator.CommitOffsetsAsync(Group, -1, "", null,
            [new OffsetCommitEntry("t", 0, 1, Metadata: new string('x', 4096)), new OffsetCommitEntry("t", 1, 1, Metadata: new string('x', 4097))], Cancel);

        result.Partitions.Select(p => p.ErrorCode).ShouldBe([ErrorCode.None, ErrorCode.OffsetMetadataTooLarge]);
        kit.Coordinator.OffsetFetch(Group, null).Partitions.Select(p => p.Partition).ShouldBe([0]);
    }

    [Fact]
    public async Task OffsetFetch_AllPartitions_ReturnsEveryCommittedOneInOrder()
    {
        using var kit = new GroupTestKit();
        await kit.Coordinator.CommitOffsetsAsync(Group, -1, "", null,
            [new OffsetCommitEntry("b", 1, 1), new OffsetCommitEntry("a", 2, 2), new OffsetCommitEntry("a", 0, 3)], Cancel);

        var fetched = kit.Coordinator.OffsetFetch(Group, null);

        fetched.Partitions.Select(p => $"{p.Topic}-{p.Partition}={p.Offset}").ShouldBe(["a-0=3", "a-2=2", "b-1=1"]);
        kit.Coordinator.OffsetFetch("unknown", null).Partitions.ShouldBeEmpty();
        kit.Coordinator.OffsetFetch("", null).ErrorCode.ShouldBe(ErrorCode.InvalidGroupId);
    }

    [Fact]
    public async Task DeleteGroups_OnlyEmptyGroupsGo_WithTheirOffsets()
    {
        using var kit = new GroupTestKit();
        await kit.JoinAndSyncAlone("active");
        await kit.Coordinator.CommitOffsetsAsync("idle", -1, "", null, [new OffsetCommitEntry("t", 0, 1)], Cancel);

        var deleted = await kit.Coordinator.DeleteGroupsAsync(["active", "idle", "missing", ""], Cancel);

        deleted.ShouldBe([
            new DeletedGroup("active", ErrorCode.GroupNotEmpty),
            new DeletedGroup("idle", ErrorCode.None),
            new DeletedGroup("missing", ErrorCode.GroupIdNotFound),
            new DeletedGroup("", ErrorCode.InvalidGroupId),
        ]);
        kit.Coordinator.OffsetFetch("idle", null).Partitions.ShouldBeEmpty();
        (await kit.Store.LoadAllAsync(Cancel)).ShouldBeEmpty();
        kit.Coordinator.ListGroups().Select(g => g.GroupId).ShouldBe(["active"]);
        (await kit.Coordinator.DeleteGroupsAsync(["idle"], Cancel)).Single().ErrorCode.ShouldBe(ErrorCode.GroupIdNotFound);

        // The id is free again.
        (await kit.Coordinator.CommitOffsetsAsync("idle", -1, "", null, [new OffsetCommitEntry("t", 0, 9)], Cancel)).Partitions.Single().ErrorCode.ShouldBe(ErrorCode.None);
    }

    [Fact]
    public async Task OffsetDelete_SubscribedTopic_IsRefusedAndOthersDeleted()
    {
        using var kit = new GroupTestKit();
        var joined = await kit.JoinAndSyncAlone(Group, subscription: GroupTestKit.Subscription("orders"));
        await kit.Coordinator.CommitOffsetsAsync(Group, joined.GenerationId, joined.MemberId, null,
            [new OffsetCommitEntry("orders", 0, 1), new OffsetCommitEntry("old", 0, 2)], Cancel);

        var result = await kit.Coordinator.OffsetDeleteAsync(Group, [new TopicPartition("orders", 0), new TopicPartition("old", 0)], Cancel);

        result.ErrorCode.ShouldBe(ErrorCode.None);
        result.Partitions.Select(p => p.ErrorCode).ShouldBe([ErrorCode.GroupSubscribedToTopic, ErrorCode.None]);
        kit.Coordinator.OffsetFetch(Group, null).Partitions.Select(p => p.Topic).ShouldBe(["orders"]);
        (await kit.Store.LoadAllAsync(Cancel)).Select(o => o.Topic).ShouldBe(["orders"]);
    }

    [Fact]
    public async Task OffsetDelete_UnreadableSubscription_AllowsDeletion()
    {
        using var kit = new GroupTestKit();
        var joined = await kit.JoinAndSyncAlone(Group, subscription: [0xFF]);
        await kit.Coordinator.CommitOffsetsAsync(Group, joined.GenerationId, joined.MemberId, null, [new OffsetCommitEntry("orders", 0, 1)], Cancel);

        var result = await kit.Coordinator.OffsetDeleteAsync(Group, [new TopicPartition("orders", 0)], Cancel);

        result.Partitions.Single().ErrorCode.ShouldBe(ErrorCode.None);
    }

    [Fact]
    public async Task OffsetDelete_NonConsumerGroupWithMembers_IsNotEmpty()
    {
        using var kit = new GroupTestKit();
        await kit.Join(GroupTestKit.Call(Group, protocolType: "connect"));

        (await kit.Coordinator.OffsetDeleteAsync(Group, [new TopicPartition("t", 0)], Cancel)).ErrorCode.ShouldBe(ErrorCode.GroupNotEmpty);
        (await kit.Coordinator.OffsetDeleteAsync("missing", [new TopicPartition("t", 0)], Cancel)).ErrorCode.ShouldBe(ErrorCode.GroupIdNotFound);
    }

    [Fact]
    public async Task DescribeGroups_ShowsStateProtocolAndMembers()
    {
        using var kit = new GroupTestKit();
        var joined = await kit.JoinAndSyncAlone(Group);

        var described = kit.Coordinator.DescribeGroups([Group, "missing"]);

        var group = described[0];
        group.ErrorCode.ShouldBe(ErrorCode.None);
        group.State.ShouldBe("Stable");
        group.ProtocolType.ShouldBe("consumer");
        group.ProtocolName.ShouldBe("range");
        var member = group.Members.Single();
        member.MemberId.ShouldBe(joined.MemberId);
        member.ClientId.ShouldBe("client");
        member.ClientHost.ShouldBe("/127.0.0.1");
        member.Metadata.ShouldBe(GroupTestKit.Subscription("orders"));
        member.Assignment.ShouldBe([1]);
        described[1].ShouldBe(new GroupDescription("missing", ErrorCode.None, "Dead", "", "", []));
    }

    [Theory]
    [InlineData(null, new[] { "empty", "stable" })]
    [InlineData(new[] { "Stable" }, new[] { "stable" })]
    [InlineData(new[] { "empty" }, new[] { "empty" })]
    [InlineData(new[] { "PreparingRebalance" }, new string[0])]
    public async Task ListGroups_FiltersByState(string[]? states, string[] expected)
    {
        using var kit = new GroupTestKit();
        await kit.JoinAndSyncAlone("stable");
        await kit.Coordinator.CommitOffsetsAsync("empty", -1, "", null, [new OffsetCommitEntry("t", 0, 1)], Cancel);

        kit.Coordinator.ListGroups(states).Select(g => g.GroupId).ShouldBe(expected);
    }

    [Fact]
    public async Task Snapshot_ReportsStateMembersGenerationAndOffsets()
    {
        using var kit = new GroupTestKit();
        var joined = await kit.JoinAndSyncAlone(Group);
        await kit.Coordinator.CommitOffsetsAsync(Group, joined.GenerationId, joined.MemberId, null, [new OffsetCommitEntry("orders", 0, 42)], Cancel);

        var summary = kit.Coordinator.Snapshot().Single();

        summary.GroupId.ShouldBe(Group);
        summary.State.ShouldBe(GroupState.Stable);
        summary.MemberCount.ShouldBe(1);
        summary.GenerationId.ShouldBe(1);
        summary.Offsets[new TopicPartition("orders", 0)].Offset.ShouldBe(42);
    }
}
