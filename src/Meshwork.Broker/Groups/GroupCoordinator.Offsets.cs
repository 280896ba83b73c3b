using Meshwork.Kafka.Protocol;

namespace Meshwork.Broker.Groups;

public sealed partial class GroupCoordinator
{
    /// <summary>
    /// Commits offsets for a group, returning only after they are durable in the offset store.
    /// </summary>
    /// <param name="groupId">The group.</param>
    /// <param name="generationId">The member's generation, or -1 for a standalone commit (no group management).</param>
    /// <param name="memberId">The member id, or empty for a standalone commit.</param>
    /// <param name="groupInstanceId">The static instance id (OffsetCommit v7+), or null.</param>
    /// <param name="offsets">The partitions and offsets.</param>
    /// <param name="cancellationToken">Cancels the store write.</param>
    public async Task<OffsetCommitResult> CommitOffsetsAsync(
        string groupId, int generationId, string memberId, string? groupInstanceId, IEnumerable<OffsetCommitEntry> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memberId);
        ArgumentNullException.ThrowIfNull(offsets);
        var entries = offsets.ToList();
        if (string.IsNullOrEmpty(groupId))
        {
            return AllFailed(entries, ErrorCode.InvalidGroupId);
        }

        while (true)
        {
            if (!_groups.TryGetValue(groupId, out var group))
            {
                if (generationId >= 0)
                {
                    // A generation from a group we do not know: the client must rejoin.
                    return AllFailed(entries, ErrorCode.IllegalGeneration);
                }

                group = _groups.GetOrAdd(groupId, id => new Group(id) { EmptySince = Now });
            }

            await group.OffsetWrites.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                List<StoredOffset> toWrite;
                var results = new PartitionResult[entries.Count];
                lock (group.Gate)
                {
                    if (group.State == GroupState.Dead)
                    {
                        // Deleted while we waited: retry against whatever group now has the id.
                        _groups.TryRemove(new KeyValuePair<string, Group>(groupId, group));
                        continue;
                    }

                    if (ValidateCommit(group, generationId, memberId, groupInstanceId) is { } error)
                    {
                        return AllFailed(entries, error);
                    }

                    if (group.Members.TryGetValue(memberId, out var member))
                    {
                        Heartbeat(group, member);
                    }

                    var now = Now.ToUnixTimeMilliseconds();
                    toWrite = new List<StoredOffset>(entries.Count);
                    for (var i = 0; i < entries.Count; i++)
                    {
                        var entry = entries[i];
                        var tooLarge = entry.Metadata is not null && entry.Metadata.Length > _options.MaxOffsetMetadataLength;
                        results[i] = new PartitionResult(entry.Topic, entry.Partition, tooLarge ? ErrorCode.OffsetMetadataTooLarge : ErrorCode.None);
                        if (!tooLarge)
                        {
                            toWrite.Add(new StoredOffset(groupId, entry.Topic, entry.Partition, entry.Offset, entry.LeaderEpoch, entry.Metadata, now));
                        }
                    }
                }

                try
                {
                    await _store.UpsertAsync(toWrite, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // COORDINATOR_NOT_AVAILABLE is retriable for every client, which is right for a store hiccup.
                    Log.OffsetStoreFailed(_logger, groupId, exception);
                    return AllFailed(entries, ErrorCode.CoordinatorNotAvailable);
                }

                lock (group.Gate)
                {
                    foreach (var offset in toWrite)
                    {
                        group.Offsets[new TopicPartition(offset.Topic, offset.Partition)] =
                            new CommittedOffset(offset.Offset, offset.LeaderEpoch, offset.Metadata, offset.CommitTimeMs);
                    }
                }

                return new OffsetCommitResult(results);
            }
            finally
            {
                group.OffsetWrites.Release();
            }
        }
    }

    /// <summary>Returns committed offsets: the given partitions, or every committed partition when null (OffsetFetch v2+).</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="partitions">The partitions to look up, or null for all.</param>
    public OffsetFetchResult OffsetFetch(string groupId, IEnumerable<TopicPartition>? partitions)
    {
        var requested = partitions?.ToList();
        if (string.IsNullOrEmpty(groupId))
        {
            return new OffsetFetchResult(ErrorCode.InvalidGroupId, [.. (requested ?? []).Select(p => NoOffset(p, ErrorCode.InvalidGroupId))]);
        }

        if (!_groups.TryGetValue(groupId, out var group))
        {
            return new OffsetFetchResult(ErrorCode.None, [.. (requested ?? []).Select(p => NoOffset(p, ErrorCode.None))]);
        }

        lock (group.Gate)
        {
            if (group.State == GroupState.Dead)
            {
                return new OffsetFetchResult(ErrorCode.None, [.. (requested ?? []).Select(p => NoOffset(p, ErrorCode.None))]);
            }

            var keys = requested ?? [.. group.Offsets.Keys.OrderBy(k => k.Topic, StringComparer.Ordinal).ThenBy(k => k.Partition)];
            return new OffsetFetchResult(ErrorCode.None, [.. keys.Select(key => group.Offsets.TryGetValue(key, out var committed)
                ? new FetchedOffset(key.Topic, key.Partition, committed.Offset, committed.LeaderEpoch, committed.Metadata, ErrorCode.None)
                : NoOffset(key, ErrorCode.None))]);
        }
    }

    /// <summary>
    /// Deletes committed offsets of partitions the group does not consume (OffsetDelete): any partition of an
    /// Empty group, or of a consumer group whose members do not subscribe to the topic.
    /// </summary>
    public async Task<OffsetDeleteResult> OffsetDeleteAsync(string groupId, IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var requested = partitions.ToList();
        if (string.IsNullOrEmpty(groupId))
        {
            return new OffsetDeleteResult(ErrorCode.InvalidGroupId, []);
        }

        if (!_groups.TryGetValue(groupId, out var group))
        {
            return new OffsetDeleteResult(ErrorCode.GroupIdNotFound, []);
        }

        await group.OffsetWrites.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var results = new PartitionResult[requested.Count];
            List<TopicPartition> eligible = [];
            lock (group.Gate)
            {
                switch (group.State)
                {
                    case GroupState.Dead:
                        return new OffsetDeleteResult(ErrorCode.GroupIdNotFound, []);
                    case GroupState.Empty:
                        break;
                    case var _ when group.ProtocolType == ConsumerProtocol.ProtocolType:
                        break;
                    default:
                        // Not a consumer group: we cannot tell what it reads, so nothing may go while it has members.
                        return new OffsetDeleteResult(ErrorCode.GroupNotEmpty, []);
                }

                var subscribed = group.State == GroupState.Empty ? [] : SubscribedTopics(group);
                for (var i = 0; i < requested.Count; i++)
                {
                    var partition = requested[i];
                    var inUse = subscribed.Contains(partition.Topic);
                    results[i] = new PartitionResult(partition.Topic, partition.Partition, inUse ? ErrorCode.GroupSubscribedToTopic : ErrorCode.None);
                    if (!inUse)
                    {
                        eligible.Add(partition);
                    }
                }
            }

            if (eligible.Count > 0)
            {
                try
                {
                    await _store.DeleteAsync(groupId, eligible, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    Log.OffsetStoreFailed(_logger, groupId, exception);
                    return new OffsetDeleteResult(ErrorCode.CoordinatorNotAvailable, []);
                }

                lock (group.Gate)
                {
                    foreach (var partition in eligible)
                    {
                        group.Offsets.Remove(partition);
                    }
                }
            }

            return new OffsetDeleteResult(ErrorCode.None, results);
        }
        finally
        {
            group.OffsetWrites.Release();
        }
    }

    private static ErrorCode? ValidateCommit(Group group, int generationId, string memberId, string? groupInstanceId)
    {
        if (generationId < 0 && group.State == GroupState.Empty)
        {
            return null;
        }

        if (generationId >= 0 || memberId.Length != 0 || groupInstanceId is not null)
        {
            var error = ValidateMember(group, memberId, groupInstanceId)
                ?? (generationId != group.GenerationId ? ErrorCode.IllegalGeneration : null);
            if (error is not null)
            {
                return error;
            }

            // The member has this generation's JoinGroup answer but no assignment yet; it should sync first.
            return group.State == GroupState.CompletingRebalance ? ErrorCode.RebalanceInProgress : null;
        }

        // A standalone commit into a group that has members would overwrite what they are consuming.
        return ErrorCode.UnknownMemberId;
    }

    /// <summary>The topics any member subscribes to; members whose subscription we cannot read count for none.</summary>
    private static HashSet<string> SubscribedTopics(Group group)
    {
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in group.Members.Values)
        {
            var metadata = group.ProtocolName is null
                ? member.Protocols.Select(p => p.Metadata)
                : [member.MetadataFor(group.ProtocolName)];
            foreach (var bytes in metadata)
            {
                if (ConsumerProtocol.TryReadSubscribedTopics(bytes) is { } subscribed)
                {
                    topics.UnionWith(subscribed);
                }
            }
        }

        return topics;
    }

    private static OffsetCommitResult AllFailed(List<OffsetCommitEntry> entries, ErrorCode error) =>
        new([.. entries.Select(e => new PartitionResult(e.Topic, e.Partition, error))]);

    private static FetchedOffset NoOffset(TopicPartition partition, ErrorCode error) =>
        new(partition.Topic, partition.Partition, -1, -1, null, error);
}
