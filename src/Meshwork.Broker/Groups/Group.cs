namespace Meshwork.Broker.Groups;

/// <summary>A consumer group's state; every field is guarded by <see cref="Gate"/>.</summary>
internal sealed class Group(string groupId)
{
    public Lock Gate { get; } = new();

    /// <summary>Serializes offset writes to the store so they land in the order they were accepted.</summary>
    public SemaphoreSlim OffsetWrites { get; } = new(1, 1);

    public string GroupId { get; } = groupId;

    public GroupState State { get; set; } = GroupState.Empty;

    public int GenerationId { get; set; }

    public string? ProtocolType { get; set; }

    public string? ProtocolName { get; set; }

    public string? LeaderId { get; set; }

    /// <summary>Members in join order: the first one becomes leader when the leader goes.</summary>
    public OrderedDictionary<string, GroupMember> Members { get; } = [];

    /// <summary>group.instance.id → current member id.</summary>
    public Dictionary<string, string> StaticMembers { get; } = [];

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED and not yet used, each with its expiry timer.</summary>
    public Dictionary<string, ITimer> PendingMembers { get; } = [];

    /// <summary>Members of the current generation that have not sent SyncGroup yet.</summary>
    public HashSet<string> PendingSync { get; } = [];

    public Dictionary<TopicPartition, CommittedOffset> Offsets { get; } = [];

    /// <summary>When the group last became Empty; offsets of an Empty group expire counting from here.</summary>
    public DateTimeOffset EmptySince { get; set; }

    /// <summary>True while the first rebalance of an empty group waits for more members.</summary>
    public bool InInitialDelay { get; set; }

    public bool NewMemberAdded { get; set; }

    public TimeSpan InitialDelayRemaining { get; set; }

    public ITimer? JoinTimer { get; set; }

    /// <summary>Bumped on every (re)scheduling so a timer that fires late can tell it is stale.</summary>
    public int JoinTimerToken { get; set; }

    public ITimer? SyncTimer { get; set; }

    public int SyncTimerToken { get; set; }

    public int RebalanceTimeoutMs => Members.Count == 0 ? 0 : Members.Values.Max(m => m.RebalanceTimeoutMs);

    public bool AllMembersJoined => PendingMembers.Count == 0 && Members.Values.All(m => m.AwaitingJoin is not null);

    public bool Has(string memberId) => Members.ContainsKey(memberId);
}
