using Meshwork.Broker.Groups;
using Meshwork.Kafka.Protocol;
using Shouldly;

namespace Meshwork.Broker.Tests.Groups;

/// <summary>
/// Many clients racing through join, sync, heartbeat, commit, leave and disconnects on the real clock with short
/// timeouts: nothing may throw, deadlock or leave the group wedged.
/// </summary>
public sealed class GroupCoordinatorConcurrencyTests
{
    private const string Group = "race";
    private const int SessionMs = 300;

    [Fact]
    public async Task Coordinator_ConcurrentClientsWithDisconnects_StayConsistent()
    {
        var options = new GroupCoordinatorOptions { InitialRebalanceDelay = TimeSpan.FromMilliseconds(20), MinSessionTimeoutMs = 50, OffsetsRetentionCheckInterval = TimeSpan.Zero };
        using var coordinator = new GroupCoordinator(new InMemoryOffsetStore(), TimeProvider.System, options);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stop.CancelAfter(TimeSpan.FromSeconds(3));

        var clients = Enumerable.Range(0, 8).Select(i => Task.Run(() => RunClient(coordinator, i, stop.Token), TestContext.Current.CancellationToken)).ToList();
        var generations = await Task.WhenAll(clients);

        generations.Max().ShouldBeGreaterThan(0, "at least one generation formed");

        // Every client has left or gone silent; sessions and rebalance timeouts must bring the group to Empty.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (coordinator.DescribeGroups([Group])[0].State != "Empty" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        var described = coordinator.DescribeGroups([Group])[0];
        described.State.ShouldBe("Empty");
        described.Members.ShouldBeEmpty();
    }

    private static async Task<int> RunClient(GroupCoordinator coordinator, int index, CancellationToken stop)
    {
        var random = new Random(index);
        var memberId = "";
        var lastGeneration = 0;
        while (!stop.IsCancellationRequested)
        {
            // Some calls are abandoned half-way, as a client whose connection drops.
            using var call = CancellationTokenSource.CreateLinkedTokenSource(stop);
            call.CancelAfter(random.Next(5, 400));
            try
            {
                var joined = await coordinator.JoinGroupAsync(
                    GroupTestKit.Call(Group, memberId: memberId, clientId: $"c{index}", requireKnownMemberId: index % 2 == 0, sessionTimeoutMs: SessionMs, rebalanceTimeoutMs: SessionMs),
                    call.Token);
                if (joined.ErrorCode is ErrorCode.MemberIdRequired)
                {
                    memberId = joined.MemberId;
                    continue;
                }

                if (joined.ErrorCode != ErrorCode.None)
                {
                    joined.ErrorCode.ShouldBeOneOf(ErrorCode.UnknownMemberId, ErrorCode.RebalanceInProgress);
                    memberId = "";
                    continue;
                }

                memberId = joined.MemberId;
                var assignments = joined.Members.ToDictionary(m => m.MemberId, m => new[] { (byte)index });
                var synced = await coordinator.SyncGroupAsync(
                    new SyncGroupCall { GroupId = Group, GenerationId = joined.GenerationId, MemberId = memberId, Assignments = assignments },
                    call.Token);
                synced.ErrorCode.ShouldBeOneOf(ErrorCode.None, ErrorCode.RebalanceInProgress, ErrorCode.UnknownMemberId, ErrorCode.IllegalGeneration);
                lastGeneration = Math.Max(lastGeneration, joined.GenerationId);

                for (var beat = 0; beat < random.Next(1, 5); beat++)
                {
                    await Task.Delay(random.Next(5, 60), stop);
                    var error = coordinator.Heartbeat(Group, joined.GenerationId, memberId, null);
                    error.ShouldBeOneOf(ErrorCode.None, ErrorCode.RebalanceInProgress, ErrorCode.UnknownMemberId, ErrorCode.IllegalGeneration);
                    var commit = await coordinator.CommitOffsetsAsync(Group, joined.GenerationId, memberId, null, [new OffsetCommitEntry("t", index, beat)], stop);
                    commit.Partitions.Single().ErrorCode.ShouldBeOneOf(
                        ErrorCode.None, ErrorCode.RebalanceInProgress, ErrorCode.UnknownMemberId, ErrorCode.IllegalGeneration);
                    if (error != ErrorCode.None)
                    {
                        break;
                    }
                }

                if (random.Next(4) == 0)
                {
                    coordinator.LeaveGroup(Group, [new LeavingMember(memberId)]);
                    memberId = "";
                }
            }
            catch (OperationCanceledException)
            {
                // The client gave up on this call; it carries on with what it knows.
            }
        }

        if (memberId.Length != 0 && index % 3 == 0)
        {
            coordinator.LeaveGroup(Group, [new LeavingMember(memberId)]);
        }

        return lastGeneration;
    }
}
