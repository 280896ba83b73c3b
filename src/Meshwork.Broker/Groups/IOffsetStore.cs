namespace Meshwork.Broker.Groups;

/// <summary>A committed offset as it is persisted.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The committed offset.</param>
/// <param name="LeaderEpoch">The committed leader epoch, or -1.</param>
/// <param name="Metadata">The client's metadata, or null.</param>
/// <param name="CommitTimeMs">When it was committed, in Unix milliseconds.</param>
public sealed record StoredOffset(string GroupId, string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata, long CommitTimeMs);

/// <summary>
/// Where committed offsets outlive the process (Kafka keeps them in <c>__consumer_offsets</c>). The coordinator
/// keeps its own cache and calls the store only to persist changes and once at start to load.
/// </summary>
public interface IOffsetStore
{
    /// <summary>Every committed offset of every group.</summary>
    Task<IReadOnlyList<StoredOffset>> LoadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>Inserts or replaces the given offsets atomically; returns only once they are durable.</summary>
    Task UpsertAsync(IReadOnlyList<StoredOffset> offsets, CancellationToken cancellationToken = default);

    /// <summary>Deletes the given partitions' offsets of a group, or all of them when <paramref name="partitions"/> is null.</summary>
    Task DeleteAsync(string groupId, IReadOnlyCollection<TopicPartition>? partitions, CancellationToken cancellationToken = default);
}
