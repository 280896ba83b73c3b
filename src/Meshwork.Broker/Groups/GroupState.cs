namespace Meshwork.Broker.Groups;

/// <summary>
/// The classic group protocol's states. The names are what DescribeGroups and ListGroups put on the wire,
/// so they must stay spelled exactly as Kafka spells them.
/// </summary>
public enum GroupState
{
    /// <summary>No members; the group may still hold committed offsets.</summary>
    Empty,

    /// <summary>Waiting for members to (re)join before a new generation starts.</summary>
    PreparingRebalance,

    /// <summary>A generation was formed; waiting for the leader's assignment in SyncGroup.</summary>
    CompletingRebalance,

    /// <summary>Members have their assignments and heartbeat.</summary>
    Stable,

    /// <summary>The group was deleted; no operation may touch it any more.</summary>
    Dead,
}
