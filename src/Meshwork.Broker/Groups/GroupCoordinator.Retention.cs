namespace Meshwork.Broker.Groups;

public sealed partial class GroupCoordinator
{
    private int _sweeping;

    /// <summary>
    /// Removes expired committed offsets (KIP-211 rules: for an Empty group, those not committed since
    /// <see cref="GroupCoordinatorOptions.OffsetsRetention"/> before it became Empty or was last committed to; for a
    /// Stable consumer group, those of topics no member subscribes to and committed longer ago than the retention)
    /// and then forgets Empty groups that have no offsets left. Runs every
    /// <see cref="GroupCoordinatorOptions.OffsetsRetentionCheckInterval"/>; callable directly.
    /// </summary>
    /// <returns>How many offsets were removed.</returns>
    public async Task<int> ExpireOffsetsAsync(CancellationToken cancellationToken = default)
    {
        var removed = 0;
        foreach (var group in _groups.Values)
        {
            await group.OffsetWrites.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                List<TopicPartition> expired;
                lock (group.Gate)
                {
                    if (group.State == GroupState.Dead)
                    {
                        continue;
                    }

                    expired = ExpiredOffsets(group, Now);
                }

                if (expired.Count > 0)
                {
                    await _store.DeleteAsync(group.GroupId, expired, cancellationToken).ConfigureAwait(false);
                    lock (group.Gate)
                    {
                        foreach (var partition in expired)
                        {
                            group.Offsets.Remove(partition);
                        }
                    }

                    removed += expired.Count;
                    Log.OffsetsExpired(_logger, expired.Count, group.GroupId);
                }

                lock (group.Gate)
                {
                    if (group.State == GroupState.Empty && group.Offsets.Count == 0 && group.PendingMembers.Count == 0)
                    {
                        group.State = GroupState.Dead;
                        CancelJoinTimer(group);
                        CancelSyncTimer(group);
                        _groups.TryRemove(new KeyValuePair<string, Group>(group.GroupId, group));
                    }
                }
            }
            finally
            {
                group.OffsetWrites.Release();
            }
        }

        return removed;
    }

    private List<TopicPartition> ExpiredOffsets(Group group, DateTimeOffset now)
    {
        var cutoff = (now - _options.OffsetsRetention).ToUnixTimeMilliseconds();
        switch (group.State)
        {
            case GroupState.Empty:
                var emptySinceMs = group.EmptySince.ToUnixTimeMilliseconds();
                return [.. group.Offsets.Where(o => Math.Max(emptySinceMs, o.Value.CommitTimeMs) <= cutoff).Select(o => o.Key)];
            case GroupState.Stable when group.ProtocolType == ConsumerProtocol.ProtocolType && TrySubscribedTopics(group) is { } subscribed:
                return [.. group.Offsets.Where(o => !subscribed.Contains(o.Key.Topic) && o.Value.CommitTimeMs <= cutoff).Select(o => o.Key)];
            default:
                // While members are active we cannot tell which offsets are still in use.
                return [];
        }
    }

    /// <summary>The topics members subscribe to, or null when any member's subscription cannot be read.</summary>
    private static HashSet<string>? TrySubscribedTopics(Group group)
    {
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in group.Members.Values)
        {
            if (ConsumerProtocol.TryReadSubscribedTopics(member.MetadataFor(group.ProtocolName)) is not { } subscribed)
            {
                return null;
            }

            topics.UnionWith(subscribed);
        }

        return topics;
    }

    private void StartRetentionSweep()
    {
        // A slow store must not pile sweeps on top of each other.
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        _ = SweepAsync();

        async Task SweepAsync()
        {
            try
            {
                await ExpireOffsetsAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                Log.RetentionSweepFailed(_logger, exception);
            }
            finally
            {
                Volatile.Write(ref _sweeping, 0);
            }
        }
    }
}
