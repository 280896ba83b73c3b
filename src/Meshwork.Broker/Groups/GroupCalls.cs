using Meshwork.Kafka.Protocol;

namespace Meshwork.Broker.Groups;

/// <summary>One protocol a joining member supports (for consumers: an assignor name and its subscription).</summary>
/// <param name="Name">The protocol name, e.g. <c>range</c> or <c>cooperative-sticky</c>.</param>
/// <param name="Metadata">Opaque protocol metadata; for consumers the serialized subscription.</param>
public sealed record GroupProtocol(string Name, byte[] Metadata);

/// <summary>A JoinGroup request, independent of the wire version.</summary>
public sealed record JoinGroupCall
{
    /// <summary>The group to join.</summary>
    public required string GroupId { get; init; }

    /// <summary>The member id the coordinator gave earlier, or empty for a new member.</summary>
    public string MemberId { get; init; } = "";

    /// <summary>The static member's <c>group.instance.id</c> (KIP-345, JoinGroup v5+), or null for a dynamic member.</summary>
    public string? GroupInstanceId { get; init; }

    /// <summary>The client id from the request header; prefixes generated member ids.</summary>
    public string ClientId { get; init; } = "";

    /// <summary>The client's address, reported by DescribeGroups.</summary>
    public string ClientHost { get; init; } = "";

    /// <summary>How long the member may stay silent before it is removed.</summary>
    public required int SessionTimeoutMs { get; init; }

    /// <summary>How long a rebalance waits for this member to rejoin; JoinGroup v0 has none: -1 (or 0) means the session timeout.</summary>
    public int RebalanceTimeoutMs { get; init; } = -1;

    /// <summary>The protocol type, <c>consumer</c> for consumers, <c>connect</c> for Kafka Connect.</summary>
    public required string ProtocolType { get; init; }

    /// <summary>The protocols the member supports, most preferred first.</summary>
    public required IReadOnlyList<GroupProtocol> Protocols { get; init; }

    /// <summary>
    /// True for JoinGroup v4+: a new dynamic member is first answered MEMBER_ID_REQUIRED with its generated id
    /// and must join again with it, so a client that loses the response does not leave a ghost member behind.
    /// </summary>
    public bool RequireKnownMemberId { get; init; }

    /// <summary>The client's reason for joining (JoinGroup v8+), only logged.</summary>
    public string? Reason { get; init; }
}

/// <summary>A member as the leader sees it in its JoinGroup response.</summary>
/// <param name="MemberId">The member id.</param>
/// <param name="GroupInstanceId">The static instance id, or null.</param>
/// <param name="Metadata">The member's metadata for the chosen protocol.</param>
public sealed record JoinGroupMember(string MemberId, string? GroupInstanceId, byte[] Metadata);

/// <summary>The answer to a JoinGroup call.</summary>
/// <param name="ErrorCode">NONE or the protocol error.</param>
/// <param name="GenerationId">The generation formed, or -1 on error.</param>
/// <param name="ProtocolType">The group's protocol type (JoinGroup v7+), or null.</param>
/// <param name="ProtocolName">The chosen protocol, or null on error.</param>
/// <param name="LeaderId">The leader's member id, or empty on error.</param>
/// <param name="MemberId">This member's id (the generated one for MEMBER_ID_REQUIRED).</param>
/// <param name="SkipAssignment">Always false: the broker never computes assignments itself.</param>
/// <param name="Members">Every member with its metadata for the leader; empty for followers.</param>
public sealed record JoinGroupResult(
    ErrorCode ErrorCode,
    int GenerationId,
    string? ProtocolType,
    string? ProtocolName,
    string LeaderId,
    string MemberId,
    bool SkipAssignment,
    IReadOnlyList<JoinGroupMember> Members)
{
    /// <summary>Builds an error answer that keeps the member id the client sent (or was given).</summary>
    public static JoinGroupResult Error(ErrorCode errorCode, string memberId) =>
        new(errorCode, -1, null, null, "", memberId, SkipAssignment: false, []);
}

/// <summary>A SyncGroup request, independent of the wire version.</summary>
public sealed record SyncGroupCall
{
    /// <summary>The group.</summary>
    public required string GroupId { get; init; }

    /// <summary>The generation the member got from JoinGroup.</summary>
    public required int GenerationId { get; init; }

    /// <summary>The member id.</summary>
    public required string MemberId { get; init; }

    /// <summary>The static instance id (SyncGroup v3+), or null.</summary>
    public string? GroupInstanceId { get; init; }

    /// <summary>The protocol type the member expects (SyncGroup v5+), or null to skip the check.</summary>
    public string? ProtocolType { get; init; }

    /// <summary>The protocol name the member expects (SyncGroup v5+), or null to skip the check.</summary>
    public string? ProtocolName { get; init; }

    /// <summary>The leader's assignment per member id; empty for followers.</summary>
    public IReadOnlyDictionary<string, byte[]> Assignments { get; init; } = new Dictionary<string, byte[]>();
}

/// <summary>The answer to a SyncGroup call.</summary>
/// <param name="ErrorCode">NONE or the protocol error.</param>
/// <param name="ProtocolType">The group's protocol type (SyncGroup v5+), or null.</param>
/// <param name="ProtocolName">The generation's protocol (SyncGroup v5+), or null.</param>
/// <param name="Assignment">This member's assignment; empty on error.</param>
public sealed record SyncGroupResult(ErrorCode ErrorCode, string? ProtocolType, string? ProtocolName, byte[] Assignment)
{
    /// <summary>Builds an error answer.</summary>
    public static SyncGroupResult Error(ErrorCode errorCode) => new(errorCode, null, null, []);
}

/// <summary>One member named in a LeaveGroup request (v0–2 carry exactly one, v3+ a batch).</summary>
/// <param name="MemberId">The member id; may be empty when <paramref name="GroupInstanceId"/> names a static member.</param>
/// <param name="GroupInstanceId">The static instance id, or null.</param>
/// <param name="Reason">The client's reason (v5+), only logged.</param>
public sealed record LeavingMember(string MemberId, string? GroupInstanceId = null, string? Reason = null);

/// <summary>What happened to one leaving member.</summary>
/// <param name="MemberId">The member id as sent.</param>
/// <param name="GroupInstanceId">The instance id as sent.</param>
/// <param name="ErrorCode">NONE, UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID.</param>
public sealed record LeftMember(string MemberId, string? GroupInstanceId, ErrorCode ErrorCode);

/// <summary>
/// The answer to a LeaveGroup call. For v0–2 the handler answers with the top-level error, or the single
/// member's error when the top level is NONE.
/// </summary>
/// <param name="ErrorCode">The group-level error.</param>
/// <param name="Members">One result per leaving member, in request order.</param>
public sealed record LeaveGroupResult(ErrorCode ErrorCode, IReadOnlyList<LeftMember> Members);

/// <summary>One partition's offset in an OffsetCommit call.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The next offset the group will consume.</param>
/// <param name="LeaderEpoch">The leader epoch of the last consumed record (OffsetCommit v6+), or -1.</param>
/// <param name="Metadata">The client's free-form metadata, or null.</param>
public sealed record OffsetCommitEntry(string Topic, int Partition, long Offset, int LeaderEpoch = -1, string? Metadata = null);

/// <summary>One partition's outcome of a commit, an offset deletion and similar per-partition calls.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="ErrorCode">NONE or the error for this partition.</param>
public sealed record PartitionResult(string Topic, int Partition, ErrorCode ErrorCode);

/// <summary>The answer to an OffsetCommit call: one error per partition, in request order.</summary>
/// <param name="Partitions">The per-partition results.</param>
public sealed record OffsetCommitResult(IReadOnlyList<PartitionResult> Partitions);

/// <summary>A committed offset as OffsetFetch returns it.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The committed offset, or -1 when none.</param>
/// <param name="LeaderEpoch">The committed leader epoch, or -1.</param>
/// <param name="Metadata">The committed metadata; null when nothing was committed.</param>
/// <param name="ErrorCode">NONE or the partition error.</param>
public sealed record FetchedOffset(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata, ErrorCode ErrorCode);

/// <summary>The answer to an OffsetFetch call.</summary>
/// <param name="ErrorCode">The group-level error (OffsetFetch v2+); v0–1 handlers copy it into each partition.</param>
/// <param name="Partitions">The requested partitions, or every committed one for the all-partitions form.</param>
public sealed record OffsetFetchResult(ErrorCode ErrorCode, IReadOnlyList<FetchedOffset> Partitions);

/// <summary>The answer to an OffsetDelete call.</summary>
/// <param name="ErrorCode">The group-level error.</param>
/// <param name="Partitions">Per-partition errors, in request order; empty when the group-level error is set.</param>
public sealed record OffsetDeleteResult(ErrorCode ErrorCode, IReadOnlyList<PartitionResult> Partitions);

/// <summary>One group's outcome in a DeleteGroups call.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="ErrorCode">NONE, GROUP_ID_NOT_FOUND, GROUP_NOT_EMPTY (NON_EMPTY_GROUP, 68) or INVALID_GROUP_ID.</param>
public sealed record DeletedGroup(string GroupId, ErrorCode ErrorCode);

/// <summary>A member as DescribeGroups shows it.</summary>
/// <param name="MemberId">The member id.</param>
/// <param name="GroupInstanceId">The static instance id, or null.</param>
/// <param name="ClientId">The client id.</param>
/// <param name="ClientHost">The client address.</param>
/// <param name="Metadata">The metadata for the chosen protocol; empty unless the group is Stable.</param>
/// <param name="Assignment">The current assignment; empty unless the group is Stable.</param>
public sealed record DescribedMember(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Metadata, byte[] Assignment);

/// <summary>One group as DescribeGroups shows it. Unknown groups come back as state <c>Dead</c> without error, as in Kafka.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="ErrorCode">NONE or INVALID_GROUP_ID.</param>
/// <param name="State">The state name on the wire (<see cref="GroupState"/> spelled as Kafka does).</param>
/// <param name="ProtocolType">The protocol type, or empty.</param>
/// <param name="ProtocolName">The chosen protocol when Stable, otherwise empty.</param>
/// <param name="Members">The members.</param>
public sealed record GroupDescription(string GroupId, ErrorCode ErrorCode, string State, string ProtocolType, string ProtocolName, IReadOnlyList<DescribedMember> Members);

/// <summary>One entry of ListGroups.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="ProtocolType">The protocol type, empty for groups that only commit offsets.</param>
/// <param name="State">The state name (ListGroups v4+).</param>
public sealed record ListedGroup(string GroupId, string ProtocolType, string State);

/// <summary>A committed offset in a <see cref="GroupSummary"/>.</summary>
/// <param name="Offset">The committed offset.</param>
/// <param name="LeaderEpoch">The committed leader epoch, or -1.</param>
/// <param name="Metadata">The client's metadata, or null.</param>
/// <param name="CommitTimeMs">When it was committed, in Unix milliseconds.</param>
public sealed record CommittedOffset(long Offset, int LeaderEpoch, string? Metadata, long CommitTimeMs);

/// <summary>A point-in-time view of a group for metrics; the lag is the log end offset minus the committed offset.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="State">Its state.</param>
/// <param name="MemberCount">Its members.</param>
/// <param name="GenerationId">Its generation.</param>
/// <param name="Offsets">The committed offset per partition.</param>
public sealed record GroupSummary(string GroupId, GroupState State, int MemberCount, int GenerationId, IReadOnlyDictionary<TopicPartition, CommittedOffset> Offsets);
