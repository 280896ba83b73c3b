using System.Collections.Concurrent;
using Meshwork.Kafka.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshwork.Broker.Groups;

/// <summary>
/// The classic Kafka consumer group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) and committed offsets,
/// independent of the wire format: request handlers translate messages to these calls and back.
/// </summary>
/// <remarks>
/// Each group has its own lock; waiting JoinGroup and SyncGroup calls are completed after the lock is released.
/// All timing (sessions, rebalance timeouts, the initial rebalance delay) goes through the injected
/// <see cref="TimeProvider"/>. Call <see cref="LoadAsync"/> once before serving so groups from before a restart
/// are known with their offsets.
/// </remarks>
public sealed partial class GroupCoordinator : IDisposable
{
    private readonly ConcurrentDictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private readonly IOffsetStore _store;
    private readonly TimeProvider _time;
    private readonly GroupCoordinatorOptions _options;
    private readonly ILogger _logger;
    private readonly ITimer? _retentionTimer;

    /// <summary>Creates a coordinator over an offset store.</summary>
    /// <param name="store">Where committed offsets are persisted.</param>
    /// <param name="time">The clock for every timer.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="logger">Where rebalances and expiries are logged; null for none.</param>
    public GroupCoordinator(IOffsetStore store, TimeProvider time, GroupCoordinatorOptions? options = null, ILogger<GroupCoordinator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _options = options ?? new GroupCoordinatorOptions();
        _options.Validate();
        _store = store;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        if (_options.OffsetsRetentionCheckInterval > TimeSpan.Zero)
        {
            _retentionTimer = _time.CreateTimer(
                static state => ((GroupCoordinator)state!).StartRetentionSweep(),
                this,
                _options.OffsetsRetentionCheckInterval,
                _options.OffsetsRetentionCheckInterval);
        }
    }

    /// <summary>Loads every committed offset from the store; groups that only have offsets start Empty.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        var offsets = await _store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        foreach (var offset in offsets)
        {
            var group = _groups.GetOrAdd(offset.GroupId, id => new Group(id) { EmptySince = Now });
            lock (group.Gate)
            {
                group.Offsets[new TopicPartition(offset.Topic, offset.Partition)] =
                    new CommittedOffset(offset.Offset, offset.LeaderEpoch, offset.Metadata, offset.CommitTimeMs);
            }
        }

        Log.Loaded(_logger, offsets.Count, _groups.Count);
    }

    /// <summary>Stops every timer; waiting calls are left to their cancellation tokens.</summary>
    public void Dispose()
    {
        _retentionTimer?.Dispose();
        foreach (var group in _groups.Values)
        {
            lock (group.Gate)
            {
                group.JoinTimer?.Dispose();
                group.SyncTimer?.Dispose();
                foreach (var member in group.Members.Values)
                {
                    member.SessionTimer?.Dispose();
                }

                foreach (var timer in group.PendingMembers.Values)
                {
                    timer.Dispose();
                }
            }
        }
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private static ErrorCode? ValidateMember(Group group, string memberId, string? groupInstanceId)
    {
        if (groupInstanceId is not null && group.StaticMembers.TryGetValue(groupInstanceId, out var currentId) && currentId != memberId)
        {
            return ErrorCode.FencedInstanceId;
        }

        return group.Has(memberId) ? null : ErrorCode.UnknownMemberId;
    }

    private static bool SupportsProtocols(Group group, string protocolType, IReadOnlyList<GroupProtocol> protocols)
    {
        if (string.IsNullOrEmpty(protocolType) || protocols.Count == 0)
        {
            return false;
        }

        if (group.Members.Count == 0)
        {
            return true;
        }

        return protocolType == group.ProtocolType && protocols.Any(p => group.Members.Values.All(m => m.Supports(p.Name)));
    }

    /// <summary>
    /// Picks the protocol every member supports that most members list first among those; ties go to the
    /// leader's preference so the choice is deterministic.
    /// </summary>
    private static string SelectProtocol(Group group)
    {
        var members = group.Members.Values;
        var preferenceOrder = (group.LeaderId is { } leaderId && group.Members.TryGetValue(leaderId, out var leader) ? leader : members.First()).Protocols;
        var candidates = preferenceOrder.Select(p => p.Name).Where(name => members.All(m => m.Supports(name))).ToList();
        if (candidates.Count == 0)
        {
            // SupportsProtocols admits a member only if a common protocol exists, so this means a bug here.
            throw new InvalidOperationException($"Group {group.GroupId} has no protocol all members support.");
        }

        var votes = members
            .Select(m => m.Protocols.First(p => candidates.Contains(p.Name)).Name)
            .GroupBy(name => name)
            .ToDictionary(g => g.Key, g => g.Count());
        return candidates.OrderByDescending(name => votes.GetValueOrDefault(name)).First();
    }

    private static void AddMember(Group group, GroupMember member, string protocolType)
    {
        if (group.Members.Count == 0)
        {
            group.ProtocolType = protocolType;
        }

        group.Members.Add(member.MemberId, member);
        if (member.GroupInstanceId is not null)
        {
            group.StaticMembers[member.GroupInstanceId] = member.MemberId;
        }

        group.LeaderId ??= member.MemberId;
    }

    /// <summary>Removes a member without deciding what the group does next.</summary>
    private void RemoveMember(Group group, GroupMember member, Completions done)
    {
        done.Complete(member.AwaitingJoin, JoinGroupResult.Error(ErrorCode.UnknownMemberId, member.MemberId));
        done.Complete(member.AwaitingSync, SyncGroupResult.Error(ErrorCode.UnknownMemberId));
        member.AwaitingJoin = null;
        member.AwaitingSync = null;
        member.SessionTimer?.Dispose();
        member.SessionTimer = null;
        group.Members.Remove(member.MemberId);
        group.PendingSync.Remove(member.MemberId);
        if (member.GroupInstanceId is not null
            && group.StaticMembers.TryGetValue(member.GroupInstanceId, out var id) && id == member.MemberId)
        {
            group.StaticMembers.Remove(member.GroupInstanceId);
        }

        if (group.LeaderId == member.MemberId)
        {
            group.LeaderId = group.Members.Count > 0 ? group.Members.GetAt(0).Key : null;
        }
    }

    private void RemoveMemberAndUpdateGroup(Group group, GroupMember member, string reason, Completions done)
    {
        RemoveMember(group, member, done);
        switch (group.State)
        {
            case GroupState.Stable:
            case GroupState.CompletingRebalance:
                PrepareRebalance(group, reason, done);
                break;
            case GroupState.PreparingRebalance:
                TryCompleteJoin(group, done);
                break;
        }
    }

    private void MaybePrepareRebalance(Group group, string reason, Completions done)
    {
        if (group.State is GroupState.Stable or GroupState.CompletingRebalance or GroupState.Empty)
        {
            PrepareRebalance(group, reason, done);
        }
    }

    private void PrepareRebalance(Group group, string reason, Completions done)
    {
        if (group.State == GroupState.CompletingRebalance)
        {
            // The generation being synced is abandoned: whoever waits for an assignment must rejoin instead.
            foreach (var member in group.Members.Values)
            {
                done.Complete(member.AwaitingSync, SyncGroupResult.Error(ErrorCode.RebalanceInProgress));
                member.AwaitingSync = null;
            }
        }

        CancelSyncTimer(group);
        group.PendingSync.Clear();

        var rebalanceTimeout = TimeSpan.FromMilliseconds(group.RebalanceTimeoutMs);
        if (group.State == GroupState.Empty && _options.InitialRebalanceDelay > TimeSpan.Zero)
        {
            var delay = _options.InitialRebalanceDelay < rebalanceTimeout ? _options.InitialRebalanceDelay : rebalanceTimeout;
            group.InInitialDelay = true;
            group.NewMemberAdded = false;
            group.InitialDelayRemaining = rebalanceTimeout - delay;
            ScheduleJoinTimer(group, delay);
        }
        else
        {
            group.InInitialDelay = false;
            ScheduleJoinTimer(group, rebalanceTimeout);
        }

        group.State = GroupState.PreparingRebalance;
        Log.PreparingRebalance(_logger, group.GroupId, group.GenerationId, reason);
        TryCompleteJoin(group, done);
    }

    private void TryCompleteJoin(Group group, Completions done)
    {
        if (group.State == GroupState.PreparingRebalance && !group.InInitialDelay && group.AllMembersJoined)
        {
            CompleteJoin(group, done);
        }
    }

    private void CompleteJoin(Group group, Completions done)
    {
        CancelJoinTimer(group);
        group.InInitialDelay = false;
        foreach (var member in group.Members.Values.Where(m => m.AwaitingJoin is null).ToList())
        {
            Log.MemberDidNotRejoin(_logger, member.MemberId, group.GroupId);
            RemoveMember(group, member, done);
        }

        group.GenerationId++;
        if (group.Members.Count == 0)
        {
            group.ProtocolName = null;
            group.State = GroupState.Empty;
            group.EmptySince = Now;
            Log.GroupEmpty(_logger, group.GroupId, group.GenerationId);
            return;
        }

        group.ProtocolName = SelectProtocol(group);
        group.State = GroupState.CompletingRebalance;
        var now = Now;
        var leaderView = group.Members.Values
            .Select(m => new JoinGroupMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(group.ProtocolName)))
            .ToList();
        foreach (var member in group.Members.Values)
        {
            var isLeader = member.MemberId == group.LeaderId;
            done.Complete(member.AwaitingJoin, new JoinGroupResult(
                ErrorCode.None, group.GenerationId, group.ProtocolType, group.ProtocolName, group.LeaderId!, member.MemberId,
                SkipAssignment: false, isLeader ? leaderView : []));
            member.AwaitingJoin = null;
            member.IsNew = false;
            member.LastHeartbeat = now;
            ScheduleSession(group, member, TimeSpan.FromMilliseconds(member.SessionTimeoutMs));
            group.PendingSync.Add(member.MemberId);
        }

        ScheduleSyncTimer(group, TimeSpan.FromMilliseconds(group.RebalanceTimeoutMs));
        Log.GenerationFormed(_logger, group.GroupId, group.GenerationId, group.ProtocolName, group.LeaderId!, group.Members.Count);
    }

    private JoinGroupResult CurrentGenerationResult(Group group, string memberId, string leaderId, bool withMembers) =>
        new(ErrorCode.None, group.GenerationId, group.ProtocolType, group.ProtocolName, leaderId, memberId, SkipAssignment: false,
            withMembers
                ? [.. group.Members.Values.Select(m => new JoinGroupMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(group.ProtocolName)))]
                : []);

    private void Heartbeat(Group group, GroupMember member)
    {
        member.LastHeartbeat = Now;
        ScheduleSession(group, member, TimeSpan.FromMilliseconds(member.SessionTimeoutMs));
    }

    private void ScheduleSession(Group group, GroupMember member, TimeSpan due)
    {
        if (member.SessionTimer is { } timer)
        {
            timer.Change(due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            member.SessionTimer = _time.CreateTimer(static state => ((Timed)state!).Coordinator.OnSessionTimer((Timed)state!), new Timed(this, group, member, 0), due, Timeout.InfiniteTimeSpan);
        }
    }

    private void ScheduleJoinTimer(Group group, TimeSpan due)
    {
        CancelJoinTimer(group);
        var token = ++group.JoinTimerToken;
        group.JoinTimer = _time.CreateTimer(static state => ((Timed)state!).Coordinator.OnJoinTimer((Timed)state!), new Timed(this, group, null, token), due, Timeout.InfiniteTimeSpan);
    }

    private static void CancelJoinTimer(Group group)
    {
        group.JoinTimerToken++;
        group.JoinTimer?.Dispose();
        group.JoinTimer = null;
    }

    private void ScheduleSyncTimer(Group group, TimeSpan due)
    {
        CancelSyncTimer(group);
        var token = ++group.SyncTimerToken;
        group.SyncTimer = _time.CreateTimer(static state => ((Timed)state!).Coordinator.OnSyncTimer((Timed)state!), new Timed(this, group, null, token), due, Timeout.InfiniteTimeSpan);
    }

    private static void CancelSyncTimer(Group group)
    {
        group.SyncTimerToken++;
        group.SyncTimer?.Dispose();
        group.SyncTimer = null;
    }

    private void OnSessionTimer(Timed timed)
    {
        var group = timed.Group;
        var member = timed.Member!;
        var done = new Completions();
        lock (group.Gate)
        {
            if (!group.Members.TryGetValue(member.MemberId, out var current) || !ReferenceEquals(current, member))
            {
                return;
            }

            var now = Now;
            var session = TimeSpan.FromMilliseconds(member.SessionTimeoutMs);
            if (member.AwaitingJoin is not null)
            {
                // A member parked in JoinGroup cannot heartbeat; only a brand-new one is given up on, so a client
                // that vanished mid-join does not hold the rebalance forever.
                if (!member.IsNew || now < member.NewMemberDeadline)
                {
                    ScheduleSession(group, member, member.IsNew ? member.NewMemberDeadline - now : session);
                    return;
                }
            }
            else if (member.AwaitingSync is not null)
            {
                ScheduleSession(group, member, session);
                return;
            }
            else if (now - member.LastHeartbeat < session)
            {
                ScheduleSession(group, member, session - (now - member.LastHeartbeat));
                return;
            }

            Log.SessionExpired(_logger, member.MemberId, group.GroupId);
            RemoveMemberAndUpdateGroup(group, member, $"member {member.MemberId} session expired", done);
        }

        done.Run();
    }

    private void OnJoinTimer(Timed timed)
    {
        var group = timed.Group;
        var done = new Completions();
        lock (group.Gate)
        {
            if (timed.Token != group.JoinTimerToken || group.State != GroupState.PreparingRebalance)
            {
                return;
            }

            if (group.InInitialDelay && group.NewMemberAdded && group.InitialDelayRemaining > TimeSpan.Zero)
            {
                var delay = _options.InitialRebalanceDelay < group.InitialDelayRemaining ? _options.InitialRebalanceDelay : group.InitialDelayRemaining;
                group.NewMemberAdded = false;
                group.InitialDelayRemaining -= delay;
                ScheduleJoinTimer(group, delay);
                return;
            }

            CompleteJoin(group, done);
        }

        done.Run();
    }

    private void OnSyncTimer(Timed timed)
    {
        var group = timed.Group;
        var done = new Completions();
        lock (group.Gate)
        {
            if (timed.Token != group.SyncTimerToken
                || group.State is not (GroupState.CompletingRebalance or GroupState.Stable)
                || group.PendingSync.Count == 0)
            {
                return;
            }

            var missing = group.PendingSync.ToList();
            foreach (var memberId in missing)
            {
                if (group.Members.TryGetValue(memberId, out var member))
                {
                    Log.MemberDidNotSync(_logger, memberId, group.GroupId);
                    RemoveMember(group, member, done);
                }
            }

            PrepareRebalance(group, $"members {string.Join(", ", missing)} did not send SyncGroup in time", done);
        }

        done.Run();
    }

    /// <summary>What a timer callback needs; the token tells a stale group timer from the current one.</summary>
    private sealed record Timed(GroupCoordinator Coordinator, Group Group, GroupMember? Member, int Token);
}
