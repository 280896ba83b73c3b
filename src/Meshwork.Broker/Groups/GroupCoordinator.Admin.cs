using Meshwork.Kafka.Protocol;

namespace Meshwork.Broker.Groups;

public sealed partial class GroupCoordinator
{
    /// <summary>Describes groups; unknown ids come back as <c>Dead</c> with no error, as Kafka answers.</summary>
    public IReadOnlyList<GroupDescription> DescribeGroups(IEnumerable<string> groupIds)
    {
        ArgumentNullException.ThrowIfNull(groupIds);
        var results = new List<GroupDescription>();
        foreach (var groupId in groupIds)
        {
            if (string.IsNullOrEmpty(groupId))
            {
                results.Add(new GroupDescription(groupId ?? "", ErrorCode.InvalidGroupId, nameof(GroupState.Dead), "", "", []));
                continue;
            }

            if (!_groups.TryGetValue(groupId, out var group))
            {
                results.Add(new GroupDescription(groupId, ErrorCode.None, nameof(GroupState.Dead), "", "", []));
                continue;
            }

            lock (group.Gate)
            {
                // Metadata and assignments are only meaningful once a generation is settled.
                var stable = group.State == GroupState.Stable;
                results.Add(new GroupDescription(
                    groupId,
                    ErrorCode.None,
                    group.State.ToString(),
                    group.ProtocolType ?? "",
                    stable ? group.ProtocolName ?? "" : "",
                    [.. group.Members.Values.Select(m => new DescribedMember(
                        m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
                        stable ? m.MetadataFor(group.ProtocolName) : [],
                        stable ? m.Assignment : []))]));
            }
        }

        return results;
    }

    /// <summary>Lists the groups, optionally only those in the given states (ListGroups v4+; names compared case-insensitively).</summary>
    public IReadOnlyList<ListedGroup> ListGroups(IReadOnlyCollection<string>? statesFilter = null)
    {
        var results = new List<ListedGroup>();
        foreach (var group in _groups.Values)
        {
            lock (group.Gate)
            {
                if (group.State == GroupState.Dead)
                {
                    continue;
                }

                var state = group.State.ToString();
                if (statesFilter is { Count: > 0 } && !statesFilter.Contains(state, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                results.Add(new ListedGroup(group.GroupId, group.ProtocolType ?? "", state));
            }
        }

        return [.. results.OrderBy(g => g.GroupId, StringComparer.Ordinal)];
    }

    /// <summary>Deletes Empty groups with their committed offsets.</summary>
    public async Task<IReadOnlyList<DeletedGroup>> DeleteGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groupIds);
        var results = new List<DeletedGroup>();
        foreach (var groupId in groupIds)
        {
            results.Add(new DeletedGroup(groupId, await DeleteGroupAsync(groupId, cancellationToken).ConfigureAwait(false)));
        }

        return results;
    }

    /// <summary>A point-in-time view of every group for metrics and lag.</summary>
    public IReadOnlyList<GroupSummary> Snapshot()
    {
        var results = new List<GroupSummary>();
        foreach (var group in _groups.Values)
        {
            lock (group.Gate)
            {
                if (group.State != GroupState.Dead)
                {
                    results.Add(new GroupSummary(group.GroupId, group.State, group.Members.Count, group.GenerationId, new Dictionary<TopicPartition, CommittedOffset>(group.Offsets)));
                }
            }
        }

        return [.. results.OrderBy(g => g.GroupId, StringComparer.Ordinal)];
    }

    private async Task<ErrorCode> DeleteGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(groupId))
        {
            return ErrorCode.InvalidGroupId;
        }

        if (!_groups.TryGetValue(groupId, out var group))
        {
            return ErrorCode.GroupIdNotFound;
        }

        await group.OffsetWrites.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (group.Gate)
            {
                if (group.State == GroupState.Dead)
                {
                    return ErrorCode.GroupIdNotFound;
                }

                if (group.State != GroupState.Empty)
                {
                    return ErrorCode.GroupNotEmpty;
                }

                // Dead first, so no join or commit can slip in while the store deletes the offsets.
                group.State = GroupState.Dead;
                CancelJoinTimer(group);
                CancelSyncTimer(group);
                foreach (var timer in group.PendingMembers.Values)
                {
                    timer.Dispose();
                }

                group.PendingMembers.Clear();
            }

            try
            {
                await _store.DeleteAsync(groupId, partitions: null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // Bring the group back so memory keeps matching the store, which still has its offsets.
                lock (group.Gate)
                {
                    group.State = GroupState.Empty;
                }

                if (exception is OperationCanceledException)
                {
                    throw;
                }

                Log.OffsetStoreFailed(_logger, groupId, exception);
                return ErrorCode.CoordinatorNotAvailable;
            }

            lock (group.Gate)
            {
                group.Offsets.Clear();
            }

            _groups.TryRemove(new KeyValuePair<string, Group>(groupId, group));
            Log.GroupDeleted(_logger, groupId);
            return ErrorCode.None;
        }
        finally
        {
            group.OffsetWrites.Release();
        }
    }
}
