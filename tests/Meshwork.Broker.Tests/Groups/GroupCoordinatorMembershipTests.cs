using Meshwork.Broker.Groups;
using Meshwork.Kafka.Protocol;
using Shouldly;

namespace Meshwork.Broker.Tests.Groups;

public sealed class GroupCoordinatorMembershipTests
{
    private const string Group = "g";

    [Fact]
    public async Task JoinGroup_SingleMember_BecomesLeaderAndStableAfterSync()
    {
        using var kit = new GroupTestKit();

        var joined = await kit.Join(GroupTestKit.Call(Group, clientId: "app"));

        joined.ErrorCode.ShouldBe(ErrorCode.None);
        joined.GenerationId.ShouldBe(1);
        joined.MemberId.ShouldStartWith("app-");
        joined.LeaderId.ShouldBe(joined.MemberId);
        joined.ProtocolType.ShouldBe("consumer");
        joined.ProtocolName.ShouldBe("range");
        joined.SkipAssignment.ShouldBeFalse();
        joined.Members.Select(m => m.MemberId).ShouldBe([joined.MemberId]);
        kit.Coordinator.DescribeGroups([Group])[0].State.ShouldBe("CompletingRebalance");

        var synced = await kit.Sync(Group, joined, new Dictionary<string, byte[]> { [joined.MemberId] = [7, 8] });

        synced.ErrorCode.ShouldBe(ErrorCode.None);
        synced.Assignment.ShouldBe([7, 8]);
        synced.ProtocolName.ShouldBe("range");
        kit.Coordinator.Heartbeat(Group, joined.GenerationId, joined.MemberId, null).ShouldBe(ErrorCode.None);
        kit.Coordinator.DescribeGroups([Group])[0].State.ShouldBe("Stable");
    }

    [Theory]
    [InlineData(5_999, ErrorCode.InvalidSessionTimeout)]
    [InlineData(6_000, ErrorCode.None)]
    [InlineData(1_800_000, ErrorCode.None)]
    [InlineData(1_800_001, ErrorCode.InvalidSessionTimeout)]
    public async Task JoinGroup_SessionTimeout_IsBounded(int sessionTimeoutMs, ErrorCode expected)
    {
        using var kit = new GroupTestKit();

        var joined = await kit.Join(GroupTestKit.Call(Group, sessionTimeoutMs: sessionTimeoutMs));

        joined.ErrorCode.ShouldBe(expected);
    }

    [Fact]
    public async Task JoinGroup_EmptyGroupId_IsInvalid()
    {
        using var kit = new GroupTestKit();

        (await kit.Join(GroupTestKit.Call(""))).ErrorCode.ShouldBe(ErrorCode.InvalidGroupId);
    }

    [Fact]
    public async Task JoinGroup_UnknownMemberId_IsRejected()
    {
        using var kit = new GroupTestKit();
        await kit.JoinAndSyncAlone(Group);

        (await kit.Join(GroupTestKit.Call(Group, memberId: "nobody"))).ErrorCode.ShouldBe(ErrorCode.UnknownMemberId);
        (await kit.Join(GroupTestKit.Call("other", memberId: "nobody"))).ErrorCode.ShouldBe(ErrorCode.UnknownMemberId);
    }

    [Fact]
    public async Task JoinGroup_ThreeMembersDuringInitialDelay_LeaderGetsAllMetadataAndFollowersWaitForLeaderSync()
    {
        using var kit = new GroupTestKit(new GroupCoordinatorOptions { InitialRebalanceDelay = TimeSpan.FromSeconds(3) });

        var first = kit.Join(GroupTestKit.Call(Group, clientId: "a", protocols: [new("range", [1])]));
        kit.Advance(1_000);
        var second = kit.Join(GroupTestKit.Call(Group, clientId: "b", protocols: [new("range", [2])]));
        var third = kit.Join(GroupTestKit.Call(Group, clientId: "c", protocols: [new("range", [3])]));
        kit.Advance(2_999);
        first.IsCompleted.ShouldBeFalse("a member joining extends the initial delay");
        kit.Advance(1);
        first.IsCompleted.ShouldBeFalse();
        kit.Advance(3_000);

        var results = await Task.WhenAll(first, second, third);
        results.ShouldAllBe(r => r.ErrorCode == ErrorCode.None && r.GenerationId == 1);
        var leader = results[0];
        leader.LeaderId.ShouldBe(leader.MemberId);
        leader.Members.Select(m => m.Metadata[0]).ShouldBe([(byte)1, (byte)2, (byte)3]);
        results[1].Members.ShouldBeEmpty();
        results[2].Members.ShouldBeEmpty();
        results[1].LeaderId.ShouldBe(leader.MemberId);

        var followerSync = kit.Sync(Group, results[1]);
        var otherSync = kit.Sync(Group, results[2]);
        followerSync.IsCompleted.ShouldBeFalse();
        kit.Coordinator.Heartbeat(Group, 1, results[1].MemberId, null).ShouldBe(ErrorCode.None);

        var assignments = results.ToDictionary(r => r.MemberId, r => new[] { r.Members.Count > 0 ? (byte)10 : (byte)20 });
        assignments[results[2].MemberId] = [30];
        var leaderSync = await kit.Sync(Group, leader, assignments);

        leaderSync.Assignment.ShouldBe([10]);
        (await followerSync).Assignment.ShouldBe([20]);
        (await otherSync).Assignment.ShouldBe([30]);
    }

    [Fact]
    public async Task LeaveGroup_MemberLeaves_OthersRebalanceIntoNewGeneration()
    {
        using var kit = new GroupTestKit();
        var (a, b) = await TwoMemberStableGroup(kit);

        var left = kit.Coordinator.LeaveGroup(Group, [new LeavingMember(b.MemberId, Reason: "shutting down")]);

        left.ErrorCode.ShouldBe(ErrorCode.None);
        left.Members.Single().ErrorCode.ShouldBe(ErrorCode.None);
        kit.Coordinator.Heartbeat(Group, a.GenerationId, a.MemberId, null).ShouldBe(ErrorCode.RebalanceInProgress);
        kit.Coordinator.Heartbeat(Group, b.GenerationId, b.MemberId, null).ShouldBe(ErrorCode.UnknownMemberId);

        var rejoined = await kit.Join(GroupTestKit.Call(Group, memberId: a.MemberId));
        rejoined.GenerationId.ShouldBe(a.GenerationId + 1);
        rejoined.Members.Select(m => m.MemberId).ShouldBe([a.MemberId]);

        // The client-side leader now hands the departed member's partitions to the remaining member.
        var synced = await kit.Sync(Group, rejoined, new Dictionary<string, byte[]> { [a.MemberId] = [0, 1] });
        synced.Assignment.ShouldBe([0, 1]);
        kit.Coordinator.DescribeGroups([Group])[0].Members.Single().Assignment.ShouldBe([0, 1]);
    }

    [Fact]
    public async Task LeaveGroup_UnknownMembersAndGroups_ReportUnknownMemberId()
    {
        using var kit = new GroupTestKit();
        await kit.JoinAndSyncAlone(Group);

        kit.Coordinator.LeaveGroup(Group, [new LeavingMember("ghost")]).Members.Single().ErrorCode.ShouldBe(ErrorCode.UnknownMemberId);
        kit.Coordinator.LeaveGroup("missing", [new LeavingMember("ghost")]).Members.Single().ErrorCode.ShouldBe(ErrorCode.UnknownMemberId);
    }

    [Fact]
    public async Task LeaveGroup_LastMember_LeavesGroupEmpty()
    {
        using var kit = new GroupTestKit();
        var joined = await kit.JoinAndSyncAlone(Group);

        kit.Coordinator.LeaveGroup(Group, [new LeavingMember(joined.MemberId)]);

        var description = kit.Coordinator.DescribeGroups([Group])[0];
        description.State.ShouldBe("Empty");
        description.Members.ShouldBeEmpty();
    }

    [Fact]
    public async Task Session_SilentMember_IsRemovedAndOthersRebalance()
    {
        using var kit = new GroupTestKit();
        var (a, b) = await TwoMemberStableGroup(kit);

        // b last heard from at sync time; a heartbeats every half session, so only b's session runs out.
        kit.Advance(GroupTestKit.SessionTimeoutMs / 2);
        kit.Coordinator.Heartbeat(Group, a.GenerationId, a.MemberId, null).ShouldBe(ErrorCode.None);
        kit.Advance(GroupTestKit.SessionTimeoutMs / 2);
        kit.Coordinator.Heartbeat(Group, a.GenerationId, a.MemberId, null).ShouldBe(ErrorCode.RebalanceInProgress);

        kit.Coordinator.Heartbeat(Group, b.GenerationId, b.MemberId, null).ShouldBe(ErrorCode.UnknownMemberId);
        var rejoined = await kit.Join(GroupTestKit.Call(Group, memberId: a.MemberId));
        rejoined.Members.Select(m => m.MemberId).ShouldBe([a.MemberId]);
    }

    [Fact]
    public async Task Rebalance_MemberThatDoesNotRejoin_IsDroppedAtRebalanceTimeout()
    {
        using var kit = new GroupTestKit();
        var (a, b) = await TwoMemberStableGroup(kit);

        // b keeps heartbeating but never rejoins; a triggers the rebalance by rejoining (as a leader would).
        var rejoin = kit.Join(GroupTestKit.Call(Group, memberId: a.MemberId));
        for (var elapsed = 0; elapsed < GroupTestKit.RebalanceTimeoutMs - 3_000; elapsed += 3_000)
        {
            kit.Advance(3_000);
            kit.Coordinator.Heartbeat(Group, b.GenerationId, b.MemberId, null).ShouldBe(ErrorCode.RebalanceInProgress);
            rejoin.IsCompleted.ShouldBeFalse();
        }

        kit.Advance(3_000);

        var result = await rejoin;
        result.ErrorCode.ShouldBe(ErrorCode.None);
        result.Members.Select(m => m.MemberId).ShouldBe([a.MemberId]);
        kit.Coordinator.Heartbeat(Group, b.GenerationId, b.MemberId, null).ShouldBe(ErrorCode.UnknownMemberId);
    }

    [Fact]
    public async Task Rebalance_LeaderThatDoesNotSync_IsDroppedAndFollowerToldToRejoin()
    {
        using var kit = new GroupTestKit();
        var (a, b) = await TwoMemberStableGroup(kit);
        var rejoinA = kit.Join(GroupTestKit.Call(Group, memberId: a.MemberId));
        var rejoinB = kit.Join(GroupTestKit.Call(Group, memberId: b.MemberId));
        var (newA, newB) = (await rejoinA, await rejoinB);
        var followerSync = kit.Sync(Group, newB);

        kit.Advance(GroupTestKit.RebalanceTimeoutMs);

        (await followerSync).ErrorCode.ShouldBe(ErrorCode.RebalanceInProgress);
        kit.Coordinator.Heartbeat(Group, newA.GenerationId, newA.MemberId, null).ShouldBe(ErrorCode.UnknownMemberId);
    }

    [Fact]
    public async Task JoinGroup_V4NewMember_GetsMemberIdRequiredThenJoinsWithIt()
    {
        using var kit = new GroupTestKit();

        var first = await kit.Join(GroupTestKit.Call(Group, clientId: "rdkafka", requireKnownMemberId: true));

        first.ErrorCode.ShouldBe(ErrorCode.MemberIdRequired);
        first.MemberId.ShouldStartWith("rdkafka-");
        Guid.TryParse(first.MemberId["rdkafka-".Length..], out _).ShouldBeTrue();

        var second = await kit.Join(GroupTestKit.Call(Group, memberId: first.MemberId, requireKnownMemberId: true));
        second.ErrorCode.ShouldBe(ErrorCode.None);
        second.MemberId.ShouldBe(first.MemberId);
        second.LeaderId.ShouldBe(first.MemberId);
    }

    [Fact]
    public async Task JoinGroup_ReservedMemberIdNeverUsed_ExpiresAfterSessionTimeout()
    {
        using var kit = new GroupTestKit();
        var reserved = await kit.Join(GroupTestKit.Call(Group, requireKnownMemberId: true));

        kit.Advance(GroupTestKit.SessionTimeoutMs);

        (await kit.Join(GroupTestKit.Call(Group, memberId: reserved.MemberId, requireKnownMemberId: true))).ErrorCode.ShouldBe(ErrorCode.UnknownMemberId);
    }

    [Fact]
    public async Task JoinGroup_StaticMemberRestartsWithSameSubscription_KeepsGenerationAndFencesOldId()
    {
        using var kit = new GroupTestKit();
        var leader = await kit.JoinAndSyncAlone(Group, instanceId: "leader-0");
        var followerJoin = kit.Join(GroupTestKit.Call(Group, instanceId: "worker-1"));
        var leaderRejoin = await kit.Join(GroupTestKit.Call(Group, memberId: leader.MemberId, instanceId: "leader-0"));
        var follower = await followerJoin;
        await Task.WhenAll(
            kit.Sync(Group, leaderRejoin, new Dictionary<string, byte[]> { [leader.MemberId] = [1], [follower.MemberId] = [2] }, "leader-0"),
            kit.Sync(Group, follower, instanceId: "worker-1"));

        var restarted = await kit.Join(GroupTestKit.Call(Group, instanceId: "worker-1"));

        restarted.ErrorCode.ShouldBe(ErrorCode.None);
        restarted.MemberId.ShouldNotBe(follower.MemberId);
        restarted.GenerationId.ShouldBe(follower.GenerationId);
        restarted.LeaderId.ShouldBe(leader.MemberId);
        restarted.Members.ShouldBeEmpty();
        kit.Coordinator.DescribeGroups([Group])[0].State.ShouldBe("Stable");
        kit.Coordinator.Heartbeat(Group, follower.GenerationId, follower.MemberId, "worker-1").ShouldBe(ErrorCode.FencedInstanceId);
        kit.Coordinator.Heartbeat(Group, follower.GenerationId, follower.MemberId, null).ShouldBe(ErrorCode.UnknownMemberId);
        kit.Coordinator.Heartbeat(Group, restarted.GenerationId, restarted.MemberId, "worker-1").ShouldBe(ErrorCode.None);
        kit.Coordinator.Heartbeat(Group, leader.GenerationId + 1, leader.MemberId, "leader-0").ShouldBe(ErrorCode.None);
        (await kit.Sync(Group, restarted, instanceId: "worker-1")).Assignment.ShouldBe([2]);
    }

    [Fact]
    public async Task JoinGroup_StaticMemberRestartsWithNewSubscription_TriggersRebalance()
    {
        using var kit = new GroupTestKit();
        var first = await kit.JoinAndSyncAlone(Group, instanceId: "i-1");

        var restarted = await kit.Join(GroupTestKit.Call(Group, instanceId: "i-1", protocols: [new("range", GroupTestKit.Subscription("orders", "payments"))]));

        restarted.ErrorCode.ShouldBe(ErrorCode.None);
        restarted.GenerationId.ShouldBe(first.GenerationId + 1);
        restarted.LeaderId.ShouldBe(restarted.MemberId);
    }

    [Fact]
    public async Task LeaveGroup_ByInstanceIdOnly_RemovesStaticMember()
    {
        using var kit = new GroupTestKit();
        await kit.JoinAndSyncAlone(Group, instanceId: "i-1");

        var left = kit.Coordinator.LeaveGroup(Group, [new LeavingMember("", "i-1"), new LeavingMember("", "i-2")]);

        left.Members.Select(m => m.ErrorCode).ShouldBe([ErrorCode.None, ErrorCode.UnknownMemberId]);
        kit.Coordinator.DescribeGroups([Group])[0].State.ShouldBe("Empty");
    }

    [Fact]
    public async Task LeaveGroup_StaleStaticMemberId_IsFenced()
    {
        using var kit = new GroupTestKit();
        var old = await kit.JoinAndSyncAlone(Group, instanceId: "i-1");
        await kit.Join(GroupTestKit.Call(Group, instanceId: "i-1"));

        kit.Coordinator.LeaveGroup(Group, [new LeavingMember(old.MemberId, "i-1")]).Members.Single().ErrorCode.ShouldBe(ErrorCode.FencedInstanceId);
    }

    [Theory]
    [InlineData("connect", "range", ErrorCode.InconsistentGroupProtocol)]
    [InlineData("consumer", "roundrobin", ErrorCode.InconsistentGroupProtocol)]
    [InlineData("consumer", "range", ErrorCode.None)]
    [InlineData("", "range", ErrorCode.InconsistentGroupProtocol)]
    public async Task JoinGroup_ProtocolTypeAndNames_MustMatchExistingMembers(string protocolType, string protocol, ErrorCode expected)
    {
        using var kit = new GroupTestKit();
        await kit.JoinAndSyncAlone(Group);

        var joined = kit.Join(GroupTestKit.Call(Group, protocolType: protocolType, protocols: [new(protocol, [])]));

        if (expected == ErrorCode.None)
        {
            joined.IsCompleted.ShouldBeFalse("a compatible member waits for the rebalance");
        }
        else
        {
            (await joined).ErrorCode.ShouldBe(expected);
        }
    }

    [Fact]
    public async Task JoinGroup_ProtocolSelection_PicksCommonProtocolWithMostVotes()
    {
        using var kit = new GroupTestKit(new GroupCoordinatorOptions { InitialRebalanceDelay = TimeSpan.FromSeconds(3) });

        var joins = new[]
        {
            kit.Join(GroupTestKit.Call(Group, protocols: [new("range", []), new("roundrobin", []), new("sticky", [])])),
            kit.Join(GroupTestKit.Call(Group, protocols: [new("roundrobin", []), new("range", [])])),
            kit.Join(GroupTestKit.Call(Group, protocols: [new("roundrobin", []), new("range", []), new("sticky", [])])),
        };

        // The initial delay is extended once because members arrived during it.
        kit.Advance(6_000);

        (await Task.WhenAll(joins)).ShouldAllBe(r => r.ProtocolName == "roundrobin");
    }

    [Fact]
    public async Task Heartbeat_Errors_FollowKafka()
    {
        using var kit = new GroupTestKit();
        var joined = await kit.JoinAndSyncAlone(Group);

        kit.Coordinator.Heartbeat(Group, joined.GenerationId + 1, joined.MemberId, null).ShouldBe(ErrorCode.IllegalGeneration);
        kit.Coordinator.Heartbeat(Group, joined.GenerationId, "ghost", null).ShouldBe(ErrorCode.UnknownMemberId);
        kit.Coordinator.Heartbeat("missing", 1, joined.MemberId, null).ShouldBe(ErrorCode.UnknownMemberId);
        kit.Coordinator.Heartbeat("", 1, joined.MemberId, null).ShouldBe(ErrorCode.InvalidGroupId);
    }

    [Fact]
    public async Task SyncGroup_Errors_FollowKafka()
    {
        using var kit = new GroupTestKit();
        var joined = await kit.JoinAndSyncAlone(Group);

        (await kit.Sync(Group, joined with { GenerationId = 9 })).ErrorCode.ShouldBe(ErrorCode.IllegalGeneration);
        (await kit.Sync(Group, joined with { MemberId = "ghost" })).ErrorCode.ShouldBe(ErrorCode.UnknownMemberId);
        (await kit.Coordinator.SyncGroupAsync(
            new SyncGroupCall { GroupId = Group, GenerationId = joined.GenerationId, MemberId = joined.MemberId, ProtocolType = "consumer", ProtocolName = "sticky" },
            GroupTestKit.Cancel)).ErrorCode.ShouldBe(ErrorCode.InconsistentGroupProtocol);

        var second = kit.Join(GroupTestKit.Call(Group));
        (await kit.Sync(Group, joined)).ErrorCode.ShouldBe(ErrorCode.RebalanceInProgress);
        second.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task JoinGroup_NewMemberWhileFollowerAwaitsSync_FollowerToldToRejoin()
    {
        using var kit = new GroupTestKit(new GroupCoordinatorOptions { InitialRebalanceDelay = TimeSpan.FromSeconds(3) });
        var a = kit.Join(GroupTestKit.Call(Group));
        var b = kit.Join(GroupTestKit.Call(Group));
        kit.Advance(6_000);
        var follower = (await a).LeaderId == (await a).MemberId ? await b : await a;
        var followerSync = kit.Sync(Group, follower);

        _ = kit.Join(GroupTestKit.Call(Group));

        (await followerSync).ErrorCode.ShouldBe(ErrorCode.RebalanceInProgress);
    }

    [Fact]
    public async Task JoinGroup_CancelledDynamicMember_DoesNotWedgeTheGroup()
    {
        using var kit = new GroupTestKit();
        var a = await kit.JoinAndSyncAlone(Group);
        using var disconnect = new CancellationTokenSource();

        // The newcomer waits for a to rejoin, then its client disconnects.
        var lost = kit.Coordinator.JoinGroupAsync(GroupTestKit.Call(Group, clientId: "gone"), disconnect.Token);
        lost.IsCompleted.ShouldBeFalse();
        await disconnect.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(lost);
        kit.Coordinator.Heartbeat(Group, a.GenerationId, a.MemberId, null).ShouldBe(ErrorCode.RebalanceInProgress);

        var result = await kit.Join(GroupTestKit.Call(Group, memberId: a.MemberId));
        result.ErrorCode.ShouldBe(ErrorCode.None);
        result.Members.Select(m => m.MemberId).ShouldBe([a.MemberId]);
    }

    [Fact]
    public async Task JoinGroup_CancelledStaticMember_KeepsItsPlaceInTheRebalance()
    {
        using var kit = new GroupTestKit();
        var a = await kit.JoinAndSyncAlone(Group, instanceId: "a-0");
        var joinB = kit.Join(GroupTestKit.Call(Group, clientId: "b"));
        var aRejoined = await kit.Join(GroupTestKit.Call(Group, memberId: a.MemberId, instanceId: "a-0"));
        var b = await joinB;
        await Task.WhenAll(
            kit.Sync(Group, aRejoined, new Dictionary<string, byte[]> { [a.MemberId] = [0], [b.MemberId] = [1] }, "a-0"),
            kit.Sync(Group, b));
        using var disconnect = new CancellationTokenSource();

        var lost = kit.Coordinator.JoinGroupAsync(GroupTestKit.Call(Group, memberId: a.MemberId, instanceId: "a-0"), disconnect.Token);
        lost.IsCompleted.ShouldBeFalse();
        await disconnect.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(lost);

        var bRejoined = await kit.Join(GroupTestKit.Call(Group, memberId: b.MemberId));
        bRejoined.ErrorCode.ShouldBe(ErrorCode.None);
        bRejoined.GenerationId.ShouldBe(aRejoined.GenerationId + 1);
        bRejoined.LeaderId.ShouldBe(a.MemberId);
        kit.Coordinator.DescribeGroups([Group])[0].Members.Count.ShouldBe(2);
    }

    [Fact]
    public async Task SyncGroup_FollowerThatNeverSyncs_IsDroppedAfterRebalanceTimeout()
    {
        using var kit = new GroupTestKit();
        var a = await kit.Join(GroupTestKit.Call(Group, clientId: "a"));
        var joinB = kit.Join(GroupTestKit.Call(Group, clientId: "b"));
        var aRejoined = await kit.Join(GroupTestKit.Call(Group, memberId: a.MemberId));
        var b = await joinB;
        await kit.Sync(Group, aRejoined, new Dictionary<string, byte[]> { [a.MemberId] = [0], [b.MemberId] = [1] });

        // b heartbeats but never asks for its assignment, so its partitions would sit unconsumed.
        for (var elapsed = 0; elapsed < GroupTestKit.RebalanceTimeoutMs - 5_000; elapsed += 5_000)
        {
            kit.Advance(5_000);
            kit.Coordinator.Heartbeat(Group, b.GenerationId, b.MemberId, null).ShouldBe(ErrorCode.None);
            kit.Coordinator.Heartbeat(Group, aRejoined.GenerationId, a.MemberId, null).ShouldBe(ErrorCode.None);
        }

        kit.Advance(5_000);

        kit.Coordinator.Heartbeat(Group, b.GenerationId, b.MemberId, null).ShouldBe(ErrorCode.UnknownMemberId);
        kit.Coordinator.Heartbeat(Group, aRejoined.GenerationId, a.MemberId, null).ShouldBe(ErrorCode.RebalanceInProgress);
    }

    [Fact]
    public async Task JoinGroup_CancelledSingleJoin_LeavesGroupEmptyAndUsable()
    {
        using var kit = new GroupTestKit(new GroupCoordinatorOptions { InitialRebalanceDelay = TimeSpan.FromSeconds(3) });
        using var disconnect = new CancellationTokenSource();

        var lost = kit.Coordinator.JoinGroupAsync(GroupTestKit.Call(Group), disconnect.Token);
        await disconnect.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(lost);

        var next = kit.Join(GroupTestKit.Call(Group));
        kit.Advance(6_000);
        (await next).ErrorCode.ShouldBe(ErrorCode.None);
    }

    [Fact]
    public async Task JoinGroup_RetriedWhileCompletingRebalance_ReturnsSameGeneration()
    {
        using var kit = new GroupTestKit();
        var joined = await kit.Join(GroupTestKit.Call(Group));

        var retried = await kit.Join(GroupTestKit.Call(Group, memberId: joined.MemberId));

        retried.GenerationId.ShouldBe(joined.GenerationId);
        retried.Members.Count.ShouldBe(1);
    }

    [Fact]
    public async Task JoinGroup_FollowerRejoinsStableGroupUnchanged_GetsCurrentGenerationWithoutRebalance()
    {
        using var kit = new GroupTestKit();
        var (_, b) = await TwoMemberStableGroup(kit);

        var rejoined = await kit.Join(GroupTestKit.Call(Group, memberId: b.MemberId));

        rejoined.GenerationId.ShouldBe(b.GenerationId);
        kit.Coordinator.DescribeGroups([Group])[0].State.ShouldBe("Stable");
    }

    [Fact]
    public async Task JoinGroup_GroupMaxSize_IsEnforced()
    {
        using var kit = new GroupTestKit(new GroupCoordinatorOptions { InitialRebalanceDelay = TimeSpan.Zero, MaxGroupSize = 1 });
        await kit.JoinAndSyncAlone(Group);

        (await kit.Join(GroupTestKit.Call(Group))).ErrorCode.ShouldBe(ErrorCode.GroupMaxSizeReached);
    }

    [Fact]
    public void Options_Invalid_ReportsEveryProblem()
    {
        var error = Should.Throw<ArgumentException>(() => new GroupCoordinatorOptions { MinSessionTimeoutMs = 0, MaxGroupSize = 0 }.Validate());

        error.Message.ShouldContain(nameof(GroupCoordinatorOptions.MinSessionTimeoutMs));
        error.Message.ShouldContain(nameof(GroupCoordinatorOptions.MaxGroupSize));
    }

    /// <summary>Members a (leader) and b, generation 2, both synced and Stable.</summary>
    internal static async Task<(JoinGroupResult A, JoinGroupResult B)> TwoMemberStableGroup(GroupTestKit kit)
    {
        var a = await kit.Join(GroupTestKit.Call(Group, clientId: "a"));
        var joinB = kit.Join(GroupTestKit.Call(Group, clientId: "b"));
        var rejoinA = await kit.Join(GroupTestKit.Call(Group, memberId: a.MemberId));
        var b = await joinB;
        rejoinA.LeaderId.ShouldBe(a.MemberId);
        var syncB = kit.Sync(Group, b);
        await kit.Sync(Group, rejoinA, new Dictionary<string, byte[]> { [a.MemberId] = [0], [b.MemberId] = [1] });
        (await syncB).Assignment.ShouldBe([1]);
        return (rejoinA, b);
    }
}
