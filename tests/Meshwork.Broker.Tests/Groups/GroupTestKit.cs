using System.Buffers.Binary;
using System.Text;
using Meshwork.Broker.Groups;
using Meshwork.Testing;

namespace Meshwork.Broker.Tests.Groups;

/// <summary>A coordinator on a manual clock plus helpers that speak like consumer clients.</summary>
internal sealed class GroupTestKit : IDisposable
{
    public const int SessionTimeoutMs = 10_000;
    public const int RebalanceTimeoutMs = 30_000;

    public GroupTestKit(GroupCoordinatorOptions? options = null, IOffsetStore? store = null)
    {
        Store = store ?? new InMemoryOffsetStore();
        Coordinator = new GroupCoordinator(Store, Time, options ?? new GroupCoordinatorOptions { InitialRebalanceDelay = TimeSpan.Zero });
    }

    public ManualTimeProvider Time { get; } = new();

    public IOffsetStore Store { get; }

    public GroupCoordinator Coordinator { get; }

    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The consumer protocol subscription (version 0) for the given topics.</summary>
    public static byte[] Subscription(params string[] topics)
    {
        using var stream = new MemoryStream();
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt16BigEndian(buffer, 0);
        stream.Write(buffer[..2]);
        BinaryPrimitives.WriteInt32BigEndian(buffer, topics.Length);
        stream.Write(buffer);
        foreach (var topic in topics)
        {
            var bytes = Encoding.UTF8.GetBytes(topic);
            BinaryPrimitives.WriteInt16BigEndian(buffer, (short)bytes.Length);
            stream.Write(buffer[..2]);
            stream.Write(bytes);
        }

        BinaryPrimitives.WriteInt32BigEndian(buffer, -1);
        stream.Write(buffer);
        return stream.ToArray();
    }

    public static JoinGroupCall Call(
        string groupId,
        string memberId = "",
        string clientId = "client",
        string? instanceId = null,
        bool requireKnownMemberId = false,
        int sessionTimeoutMs = SessionTimeoutMs,
        int rebalanceTimeoutMs = RebalanceTimeoutMs,
        string protocolType = "consumer",
        GroupProtocol[]? protocols = null) => new()
        {
            GroupId = groupId,
            MemberId = memberId,
            ClientId = clientId,
            ClientHost = "/127.0.0.1",
            GroupInstanceId = instanceId,
            RequireKnownMemberId = requireKnownMemberId,
            SessionTimeoutMs = sessionTimeoutMs,
            RebalanceTimeoutMs = rebalanceTimeoutMs,
            ProtocolType = protocolType,
            Protocols = protocols ?? [new GroupProtocol("range", Subscription("orders"))],
        };

    public Task<JoinGroupResult> Join(JoinGroupCall call) => Coordinator.JoinGroupAsync(call, Cancel);

    public Task<SyncGroupResult> Sync(string groupId, JoinGroupResult joined, IReadOnlyDictionary<string, byte[]>? assignments = null, string? instanceId = null) =>
        Coordinator.SyncGroupAsync(
            new SyncGroupCall
            {
                GroupId = groupId,
                GenerationId = joined.GenerationId,
                MemberId = joined.MemberId,
                GroupInstanceId = instanceId,
                Assignments = assignments ?? new Dictionary<string, byte[]>(),
            },
            Cancel);

    /// <summary>One member joins and syncs with assignment <c>[1]</c>: the group ends Stable.</summary>
    public async Task<JoinGroupResult> JoinAndSyncAlone(string groupId, string? instanceId = null, byte[]? subscription = null)
    {
        var joined = await Join(Call(groupId, instanceId: instanceId, protocols: subscription is null ? null : [new GroupProtocol("range", subscription)]));
        await Sync(groupId, joined, new Dictionary<string, byte[]> { [joined.MemberId] = [1] }, instanceId);
        return joined;
    }

    public void Advance(int milliseconds) => Time.Advance(TimeSpan.FromMilliseconds(milliseconds));

    public void Dispose() => Coordinator.Dispose();
}
