namespace Meshwork.Broker.Groups;

/// <summary>An <see cref="IOffsetStore"/> that lives as long as the object; for tests and throwaway brokers.</summary>
public sealed class InMemoryOffsetStore : IOffsetStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Group, string Topic, int Partition), StoredOffset> _offsets = [];

    /// <inheritdoc/>
    public Task<IReadOnlyList<StoredOffset>> LoadAllAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<StoredOffset>>([.. _offsets.Values]);
        }
    }

    /// <inheritdoc/>
    public Task UpsertAsync(IReadOnlyList<StoredOffset> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        lock (_gate)
        {
            foreach (var offset in offsets)
            {
                _offsets[(offset.GroupId, offset.Topic, offset.Partition)] = offset;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string groupId, IReadOnlyCollection<TopicPartition>? partitions, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (partitions is null)
            {
                foreach (var key in _offsets.Keys.Where(k => k.Group == groupId).ToList())
                {
                    _offsets.Remove(key);
                }
            }
            else
            {
                foreach (var partition in partitions)
                {
                    _offsets.Remove((groupId, partition.Topic, partition.Partition));
                }
            }
        }

        return Task.CompletedTask;
    }
}
