using Meshwork.Kafka.Protocol;

namespace Meshwork.Broker.Groups;

public sealed partial class GroupCoordinator
{
    /// <summary>
    /// Joins a member to a group, waiting until the rebalance it starts or joins completes (or answering at
    /// once with an error, MEMBER_ID_REQUIRED, or the current generation when nothing changed).
    /// </summary>
    /// <param name="call">The request.</param>
    /// <param name="cancellationToken">
    /// Cancelled when the client disconnects. A dynamic member whose join is cancelled is removed so the
    /// rebalance does not wait for it; a static member keeps its place and simply misses the answer.
    /// </param>
    public async Task<JoinGroupResult> JoinGroupAsync(JoinGroupCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (string.IsNullOrEmpty(call.GroupId))
        {
            return JoinGroupResult.Error(ErrorCode.InvalidGroupId, call.MemberId);
        }

        if (call.SessionTimeoutMs < _options.MinSessionTimeoutMs || call.SessionTimeoutMs > _options.MaxSessionTimeoutMs)
        {
            return JoinGroupResult.Error(ErrorCode.InvalidSessionTimeout, call.MemberId);
        }

        while (true)
        {
            Group? group;
            if (call.MemberId.Length == 0)
            {
                group = _groups.GetOrAdd(call.GroupId, id => new Group(id) { EmptySince = Now });
            }
            else if (!_groups.TryGetValue(call.GroupId, out group))
            {
                return JoinGroupResult.Error(ErrorCode.UnknownMemberId, call.MemberId);
            }

            var done = new Completions();
            JoinGroupResult? immediate;
            TaskCompletionSource<JoinGroupResult>? waiting;
            lock (group.Gate)
            {
                if (group.State == GroupState.Dead)
                {
                    if (call.MemberId.Length != 0)
                    {
                        return JoinGroupResult.Error(ErrorCode.UnknownMemberId, call.MemberId);
                    }

                    // Deleted between lookup and lock: start over with a fresh group under the same id.
                    _groups.TryRemove(new KeyValuePair<string, Group>(call.GroupId, group));
                    continue;
                }

                (immediate, waiting) = call.MemberId.Length == 0
                    ? JoinNewMember(group, call, done)
                    : JoinCurrentMember(group, call, done);
            }

            done.Run();
            if (immediate is not null)
            {
                return immediate;
            }

            using (cancellationToken.Register(() => OnJoinCancelled(group, waiting!, cancellationToken)))
            {
                return await waiting!.Task.ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Delivers the leader's assignment to every member of the generation; followers wait until it arrives.
    /// </summary>
    /// <param name="call">The request.</param>
    /// <param name="cancellationToken">Cancelled when the client disconnects; the member stays in the group.</param>
    public async Task<SyncGroupResult> SyncGroupAsync(SyncGroupCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (string.IsNullOrEmpty(call.GroupId))
        {
            return SyncGroupResult.Error(ErrorCode.InvalidGroupId);
        }

        if (!_groups.TryGetValue(call.GroupId, out var group))
        {
            return SyncGroupResult.Error(ErrorCode.UnknownMemberId);
        }

        var done = new Completions();
        TaskCompletionSource<SyncGroupResult> waiting;
        lock (group.Gate)
        {
            if (group.State == GroupState.Dead)
            {
                return SyncGroupResult.Error(ErrorCode.CoordinatorNotAvailable);
            }

            if (ValidateMember(group, call.MemberId, call.GroupInstanceId) is { } memberError)
            {
                return SyncGroupResult.Error(memberError);
            }

            if (call.GenerationId != group.GenerationId)
            {
                return SyncGroupResult.Error(ErrorCode.IllegalGeneration);
            }

            if ((call.ProtocolType is not null && call.ProtocolType != group.ProtocolType)
                || (call.ProtocolName is not null && call.ProtocolName != group.ProtocolName))
            {
                return SyncGroupResult.Error(ErrorCode.InconsistentGroupProtocol);
            }

            var member = group.Members[call.MemberId];
            group.PendingSync.Remove(call.MemberId);
            switch (group.State)
            {
                case GroupState.Empty:
                    return SyncGroupResult.Error(ErrorCode.UnknownMemberId);
                case GroupState.PreparingRebalance:
                    return SyncGroupResult.Error(ErrorCode.RebalanceInProgress);
                case GroupState.Stable:
                    Heartbeat(group, member);
                    return new SyncGroupResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, member.Assignment);
            }

            // CompletingRebalance: park the call until the leader's assignment arrives (or it is this call).
            done.Complete(member.AwaitingSync, SyncGroupResult.Error(ErrorCode.RebalanceInProgress));
            waiting = new TaskCompletionSource<SyncGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            member.AwaitingSync = waiting;
            Heartbeat(group, member);
            if (call.MemberId == group.LeaderId)
            {
                foreach (var unknown in call.Assignments.Keys.Where(id => !group.Has(id)))
                {
                    Log.AssignmentForUnknownMember(_logger, group.GroupId, unknown);
                }

                foreach (var each in group.Members.Values)
                {
                    each.Assignment = call.Assignments.TryGetValue(each.MemberId, out var assignment) ? assignment : [];
                    done.Complete(each.AwaitingSync, new SyncGroupResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, each.Assignment));
                    each.AwaitingSync = null;
                }

                group.State = GroupState.Stable;
                if (group.PendingSync.Count == 0)
                {
                    CancelSyncTimer(group);
                }

                Log.GroupStable(_logger, group.GroupId, group.GenerationId);
            }
        }

        done.Run();
        using (cancellationToken.Register(() => OnSyncCancelled(group, waiting, cancellationToken)))
        {
            return await waiting.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Keeps a member's session alive and tells it whether it must rejoin.</summary>
    /// <returns>NONE, REBALANCE_IN_PROGRESS (rejoin), ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, ...</returns>
    public ErrorCode Heartbeat(string groupId, int generationId, string memberId, string? groupInstanceId)
    {
        ArgumentNullException.ThrowIfNull(memberId);
        if (string.IsNullOrEmpty(groupId))
        {
            return ErrorCode.InvalidGroupId;
        }

        if (!_groups.TryGetValue(groupId, out var group))
        {
            return ErrorCode.UnknownMemberId;
        }

        lock (group.Gate)
        {
            if (group.State == GroupState.Dead)
            {
                return ErrorCode.CoordinatorNotAvailable;
            }

            if (ValidateMember(group, memberId, groupInstanceId) is { } memberError)
            {
                return memberError;
            }

            if (generationId != group.GenerationId)
            {
                return ErrorCode.IllegalGeneration;
            }

            var member = group.Members[memberId];
            switch (group.State)
            {
                case GroupState.Empty:
                    return ErrorCode.UnknownMemberId;
                case GroupState.PreparingRebalance:
                    Heartbeat(group, member);
                    return ErrorCode.RebalanceInProgress;
                default:
                    // CompletingRebalance too: a member may heartbeat between its JoinGroup and SyncGroup.
                    Heartbeat(group, member);
                    return ErrorCode.None;
            }
        }
    }

    /// <summary>Removes members (LeaveGroup v0–2: one; v3+: a batch) and rebalances the rest.</summary>
    public LeaveGroupResult LeaveGroup(string groupId, IReadOnlyList<LeavingMember> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (string.IsNullOrEmpty(groupId))
        {
            return new LeaveGroupResult(ErrorCode.InvalidGroupId, [.. members.Select(m => new LeftMember(m.MemberId, m.GroupInstanceId, ErrorCode.InvalidGroupId))]);
        }

        if (!_groups.TryGetValue(groupId, out var group))
        {
            return new LeaveGroupResult(ErrorCode.None, [.. members.Select(m => new LeftMember(m.MemberId, m.GroupInstanceId, ErrorCode.UnknownMemberId))]);
        }

        var done = new Completions();
        var results = new List<LeftMember>(members.Count);
        lock (group.Gate)
        {
            if (group.State == GroupState.Dead)
            {
                return new LeaveGroupResult(ErrorCode.CoordinatorNotAvailable, [.. members.Select(m => new LeftMember(m.MemberId, m.GroupInstanceId, ErrorCode.CoordinatorNotAvailable))]);
            }

            foreach (var leaving in members)
            {
                results.Add(new LeftMember(leaving.MemberId, leaving.GroupInstanceId, LeaveOne(group, leaving, done)));
            }
        }

        done.Run();
        return new LeaveGroupResult(ErrorCode.None, results);
    }

    private ErrorCode LeaveOne(Group group, LeavingMember leaving, Completions done)
    {
        var memberId = leaving.MemberId;

        // KIP-345: an admin may remove a static member by its instance id alone.
        if (memberId.Length == 0 && leaving.GroupInstanceId is not null)
        {
            if (!group.StaticMembers.TryGetValue(leaving.GroupInstanceId, out var staticId))
            {
                return ErrorCode.UnknownMemberId;
            }

            memberId = staticId;
        }

        if (leaving.GroupInstanceId is not null
            && group.StaticMembers.TryGetValue(leaving.GroupInstanceId, out var currentId) && currentId != memberId)
        {
            return ErrorCode.FencedInstanceId;
        }

        if (group.PendingMembers.Remove(memberId, out var pendingTimer))
        {
            pendingTimer.Dispose();
            TryCompleteJoin(group, done);
            return ErrorCode.None;
        }

        if (!group.Members.TryGetValue(memberId, out var member))
        {
            return ErrorCode.UnknownMemberId;
        }

        Log.MemberLeft(_logger, memberId, group.GroupId, leaving.Reason ?? "");
        RemoveMemberAndUpdateGroup(group, member, $"member {memberId} left the group: {leaving.Reason}", done);
        return ErrorCode.None;
    }

    private (JoinGroupResult? Immediate, TaskCompletionSource<JoinGroupResult>? Waiting) JoinNewMember(Group group, JoinGroupCall call, Completions done)
    {
        if (!SupportsProtocols(group, call.ProtocolType, call.Protocols))
        {
            return (JoinGroupResult.Error(ErrorCode.InconsistentGroupProtocol, call.MemberId), null);
        }

        var isKnownStatic = call.GroupInstanceId is not null && group.StaticMembers.ContainsKey(call.GroupInstanceId);
        if (!isKnownStatic && group.Members.Count + group.PendingMembers.Count >= _options.MaxGroupSize)
        {
            return (JoinGroupResult.Error(ErrorCode.GroupMaxSizeReached, call.MemberId), null);
        }

        var memberId = $"{call.ClientId}-{Guid.NewGuid()}";
        if (call.GroupInstanceId is not null)
        {
            return isKnownStatic
                ? ReplaceStaticMember(group, call, group.StaticMembers[call.GroupInstanceId], memberId, done)
                : (null, AddMemberAndRebalance(group, call, memberId, done));
        }

        if (call.RequireKnownMemberId)
        {
            // The id is only reserved; it becomes a member when the client joins again with it.
            var timer = _time.CreateTimer(
                static state => ((PendingExpiry)state!).Fire(),
                new PendingExpiry(this, group, memberId),
                TimeSpan.FromMilliseconds(call.SessionTimeoutMs),
                Timeout.InfiniteTimeSpan);
            group.PendingMembers[memberId] = timer;
            return (JoinGroupResult.Error(ErrorCode.MemberIdRequired, memberId), null);
        }

        return (null, AddMemberAndRebalance(group, call, memberId, done));
    }

    private (JoinGroupResult? Immediate, TaskCompletionSource<JoinGroupResult>? Waiting) JoinCurrentMember(Group group, JoinGroupCall call, Completions done)
    {
        if (!SupportsProtocols(group, call.ProtocolType, call.Protocols))
        {
            return (JoinGroupResult.Error(ErrorCode.InconsistentGroupProtocol, call.MemberId), null);
        }

        if (group.PendingMembers.ContainsKey(call.MemberId))
        {
            return (null, AddMemberAndRebalance(group, call, call.MemberId, done));
        }

        if (ValidateMember(group, call.MemberId, call.GroupInstanceId) is { } memberError)
        {
            return (JoinGroupResult.Error(memberError, call.MemberId), null);
        }

        var member = group.Members[call.MemberId];
        switch (group.State)
        {
            case GroupState.PreparingRebalance:
                return (null, UpdateMemberAndRebalance(group, member, call, done));
            case GroupState.CompletingRebalance:
                // A retry of a join whose answer was lost: give the same generation back unless something changed.
                return member.Matches(call.Protocols)
                    ? (CurrentGenerationResult(group, member.MemberId, group.LeaderId!, withMembers: member.MemberId == group.LeaderId), null)
                    : (null, UpdateMemberAndRebalance(group, member, call, done));
            case GroupState.Stable:
                // A leader rejoining asks for a reassignment (e.g. topic metadata changed), so it always rebalances.
                return member.MemberId == group.LeaderId || !member.Matches(call.Protocols)
                    ? (null, UpdateMemberAndRebalance(group, member, call, done))
                    : (CurrentGenerationResult(group, member.MemberId, group.LeaderId!, withMembers: false), null);
            default:
                return (JoinGroupResult.Error(ErrorCode.UnknownMemberId, call.MemberId), null);
        }
    }

    private TaskCompletionSource<JoinGroupResult> AddMemberAndRebalance(Group group, JoinGroupCall call, string memberId, Completions done)
    {
        if (group.PendingMembers.Remove(memberId, out var pendingTimer))
        {
            pendingTimer.Dispose();
        }

        var member = new GroupMember(memberId, call.GroupInstanceId);
        Update(member, call);
        var waiting = new TaskCompletionSource<JoinGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        member.AwaitingJoin = waiting;
        member.IsNew = true;
        member.NewMemberDeadline = Now + _options.NewMemberJoinTimeout;
        if (group.State == GroupState.PreparingRebalance && group.GenerationId == 0)
        {
            group.NewMemberAdded = true;
        }

        AddMember(group, member, call.ProtocolType);
        ScheduleSession(group, member, _options.NewMemberJoinTimeout);
        Log.MemberJoined(_logger, memberId, group.GroupId, call.ClientId, call.Reason ?? "");
        MaybePrepareRebalance(group, $"adding new member {memberId}", done);
        TryCompleteJoin(group, done);
        return waiting;
    }

    private TaskCompletionSource<JoinGroupResult> UpdateMemberAndRebalance(Group group, GroupMember member, JoinGroupCall call, Completions done)
    {
        Update(member, call);

        // Clients keep one JoinGroup in flight; an earlier one still parked belongs to a connection that gave up.
        done.Complete(member.AwaitingJoin, JoinGroupResult.Error(ErrorCode.RebalanceInProgress, member.MemberId));
        var waiting = new TaskCompletionSource<JoinGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        member.AwaitingJoin = waiting;
        MaybePrepareRebalance(group, $"member {member.MemberId} rejoined: {call.Reason}", done);
        TryCompleteJoin(group, done);
        return waiting;
    }

    /// <summary>
    /// A static member restarted and joined without its old member id (KIP-345): it takes over the old member's
    /// place under a new id, fencing the old id, and the group only rebalances if its subscription changed.
    /// </summary>
    private (JoinGroupResult? Immediate, TaskCompletionSource<JoinGroupResult>? Waiting) ReplaceStaticMember(
        Group group, JoinGroupCall call, string oldMemberId, string newMemberId, Completions done)
    {
        var member = group.Members[oldMemberId];
        var leaderBefore = group.LeaderId!;
        done.Complete(member.AwaitingJoin, JoinGroupResult.Error(ErrorCode.FencedInstanceId, oldMemberId));
        done.Complete(member.AwaitingSync, SyncGroupResult.Error(ErrorCode.FencedInstanceId));
        member.AwaitingJoin = null;
        member.AwaitingSync = null;

        var index = group.Members.IndexOf(oldMemberId);
        group.Members.RemoveAt(index);
        member.MemberId = newMemberId;
        group.Members.Insert(index, newMemberId, member);
        group.StaticMembers[call.GroupInstanceId!] = newMemberId;
        if (group.LeaderId == oldMemberId)
        {
            group.LeaderId = newMemberId;
        }

        if (group.PendingSync.Remove(oldMemberId))
        {
            group.PendingSync.Add(newMemberId);
        }

        var oldMetadata = member.MetadataFor(group.ProtocolName);
        Update(member, call);
        Heartbeat(group, member);
        Log.StaticMemberReplaced(_logger, call.GroupInstanceId!, oldMemberId, newMemberId, group.GroupId);

        var waiting = new TaskCompletionSource<JoinGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        switch (group.State)
        {
            case GroupState.Stable
                when SelectProtocol(group) == group.ProtocolName && member.MetadataFor(group.ProtocolName).AsSpan().SequenceEqual(oldMetadata):
                // Answer with the leader as it was before: if this member was the leader, it must not believe it
                // leads now, because a Stable group would not broadcast a new assignment from its SyncGroup.
                return (CurrentGenerationResult(group, newMemberId, leaderBefore, withMembers: false), null);
            case GroupState.PreparingRebalance:
                member.AwaitingJoin = waiting;
                TryCompleteJoin(group, done);
                return (null, waiting);
            default:
                // Stable with a changed subscription, or CompletingRebalance: the leader may have assigned to the
                // old id, so the generation is redone.
                member.AwaitingJoin = waiting;
                PrepareRebalance(group, $"static member {call.GroupInstanceId} rejoined as {newMemberId}", done);
                return (null, waiting);
        }
    }

    private static void Update(GroupMember member, JoinGroupCall call)
    {
        member.ClientId = call.ClientId;
        member.ClientHost = call.ClientHost;
        member.SessionTimeoutMs = call.SessionTimeoutMs;
        // JoinGroup v0 has no rebalance timeout; a zero or negative one would end every rebalance at once.
        member.RebalanceTimeoutMs = call.RebalanceTimeoutMs <= 0 ? call.SessionTimeoutMs : call.RebalanceTimeoutMs;
        member.Protocols = [.. call.Protocols];
    }

    private void OnJoinCancelled(Group group, TaskCompletionSource<JoinGroupResult> waiting, CancellationToken cancellationToken)
    {
        var done = new Completions();
        lock (group.Gate)
        {
            if (waiting.Task.IsCompleted)
            {
                return;
            }

            done.Cancel(waiting, cancellationToken);
            var member = group.Members.Values.FirstOrDefault(m => ReferenceEquals(m.AwaitingJoin, waiting));
            if (member is not null && !member.IsStatic)
            {
                // Nobody can receive this member's answer; waiting for it would only delay everyone else.
                member.AwaitingJoin = null;
                Log.JoinAbandoned(_logger, member.MemberId, group.GroupId);
                RemoveMemberAndUpdateGroup(group, member, $"member {member.MemberId} disconnected during JoinGroup", done);
            }
        }

        done.Run();
    }

    private static void OnSyncCancelled(Group group, TaskCompletionSource<SyncGroupResult> waiting, CancellationToken cancellationToken)
    {
        var done = new Completions();
        lock (group.Gate)
        {
            if (waiting.Task.IsCompleted)
            {
                return;
            }

            done.Cancel(waiting, cancellationToken);

            // Without a parked SyncGroup the member is no longer kept alive and its session runs out normally.
            var member = group.Members.Values.FirstOrDefault(m => ReferenceEquals(m.AwaitingSync, waiting));
            member?.AwaitingSync = null;
        }

        done.Run();
    }

    private void OnPendingMemberExpired(Group group, string memberId)
    {
        var done = new Completions();
        lock (group.Gate)
        {
            if (!group.PendingMembers.Remove(memberId, out var timer))
            {
                return;
            }

            timer.Dispose();
            Log.PendingMemberExpired(_logger, memberId, group.GroupId);
            TryCompleteJoin(group, done);
        }

        done.Run();
    }

    private sealed record PendingExpiry(GroupCoordinator Coordinator, Group Group, string MemberId)
    {
        public void Fire() => Coordinator.OnPendingMemberExpired(Group, MemberId);
    }
}
