namespace Meshwork.Broker.Groups;

/// <summary>One member of a group; guarded by its group's lock.</summary>
internal sealed class GroupMember
{
    public GroupMember(string memberId, string? groupInstanceId)
    {
        MemberId = memberId;
        GroupInstanceId = groupInstanceId;
    }

    /// <summary>Changes when a static member rejoins under a new id.</summary>
    public string MemberId { get; set; }

    public string? GroupInstanceId { get; }

    public string ClientId { get; set; } = "";

    public string ClientHost { get; set; } = "";

    public int SessionTimeoutMs { get; set; }

    public int RebalanceTimeoutMs { get; set; }

    public IReadOnlyList<GroupProtocol> Protocols { get; set; } = [];

    public byte[] Assignment { get; set; } = [];

    /// <summary>
    /// Set while the member has joined the current rebalance. It stays set even when the caller cancelled
    /// (a static member's connection dropped), because the member still counts as having rejoined.
    /// </summary>
    public TaskCompletionSource<JoinGroupResult>? AwaitingJoin { get; set; }

    public TaskCompletionSource<SyncGroupResult>? AwaitingSync { get; set; }

    /// <summary>True from the first join until the first generation including this member forms.</summary>
    public bool IsNew { get; set; }

    /// <summary>For a new member waiting in a rebalance: when it is given up on.</summary>
    public DateTimeOffset NewMemberDeadline { get; set; }

    public DateTimeOffset LastHeartbeat { get; set; }

    public ITimer? SessionTimer { get; set; }

    public bool IsStatic => GroupInstanceId is not null;

    public byte[] MetadataFor(string? protocolName) =>
        Protocols.FirstOrDefault(p => p.Name == protocolName)?.Metadata ?? [];

    public bool Supports(string protocolName) => Protocols.Any(p => p.Name == protocolName);

    /// <summary>Whether a rejoin brings exactly the protocols and metadata the member already has.</summary>
    public bool Matches(IReadOnlyList<GroupProtocol> protocols) =>
        protocols.Count == Protocols.Count
        && protocols.Zip(Protocols).All(pair => pair.First.Name == pair.Second.Name && pair.First.Metadata.AsSpan().SequenceEqual(pair.Second.Metadata));
}
