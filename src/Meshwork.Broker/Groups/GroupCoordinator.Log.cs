using Microsoft.Extensions.Logging;

namespace Meshwork.Broker.Groups;

public sealed partial class GroupCoordinator
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Offsets} committed offsets of {Groups} consumer groups")]
        public static partial void Loaded(ILogger logger, int offsets, int groups);

        [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} (generation {Generation}) is rebalancing: {Reason}")]
        public static partial void PreparingRebalance(ILogger logger, string groupId, int generation, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} formed generation {Generation} with protocol {Protocol}, leader {LeaderId}, {Members} members")]
        public static partial void GenerationFormed(ILogger logger, string groupId, int generation, string protocol, string leaderId, int members);

        [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} is stable at generation {Generation}")]
        public static partial void GroupStable(ILogger logger, string groupId, int generation);

        [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} is empty at generation {Generation}")]
        public static partial void GroupEmpty(ILogger logger, string groupId, int generation);

        [LoggerMessage(Level = LogLevel.Information, Message = "Member {MemberId} (client {ClientId}) joined group {GroupId}: {Reason}")]
        public static partial void MemberJoined(ILogger logger, string memberId, string groupId, string clientId, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Member {MemberId} left group {GroupId}: {Reason}")]
        public static partial void MemberLeft(ILogger logger, string memberId, string groupId, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Static member {InstanceId} of group {GroupId} rejoined: {OldMemberId} is fenced, now {NewMemberId}")]
        public static partial void StaticMemberReplaced(ILogger logger, string instanceId, string oldMemberId, string newMemberId, string groupId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Member {MemberId} of group {GroupId} missed its session timeout and is removed")]
        public static partial void SessionExpired(ILogger logger, string memberId, string groupId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Member {MemberId} of group {GroupId} did not rejoin within the rebalance timeout and is removed")]
        public static partial void MemberDidNotRejoin(ILogger logger, string memberId, string groupId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Member {MemberId} of group {GroupId} did not send SyncGroup within the rebalance timeout and is removed")]
        public static partial void MemberDidNotSync(ILogger logger, string memberId, string groupId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Member {MemberId} of group {GroupId} disconnected while waiting in JoinGroup and is removed")]
        public static partial void JoinAbandoned(ILogger logger, string memberId, string groupId);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Reserved member id {MemberId} of group {GroupId} was never used and expired")]
        public static partial void PendingMemberExpired(ILogger logger, string memberId, string groupId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The leader of group {GroupId} sent an assignment for {MemberId}, which is not a member; ignored")]
        public static partial void AssignmentForUnknownMember(ILogger logger, string groupId, string memberId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} was deleted")]
        public static partial void GroupDeleted(ILogger logger, string groupId);

        [LoggerMessage(Level = LogLevel.Error, Message = "Could not persist committed offsets of group {GroupId}")]
        public static partial void OffsetStoreFailed(ILogger logger, string groupId, Exception exception);

        [LoggerMessage(Level = LogLevel.Information, Message = "Expired {Count} committed offsets of group {GroupId}")]
        public static partial void OffsetsExpired(ILogger logger, int count, string groupId);

        [LoggerMessage(Level = LogLevel.Error, Message = "The committed offset retention sweep failed; it runs again at the next interval")]
        public static partial void RetentionSweepFailed(ILogger logger, Exception exception);
    }
}
