using Meshwork.Broker.Groups;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Security;

namespace Meshwork.Broker.Handlers;

/// <content>Consumer groups: membership and offsets, translated to and from the coordinator.</content>
internal sealed partial class RequestDispatcher
{
    private const short FirstJoinGroupRequiringMemberId = 4;
    private const short FirstLeaveGroupBatchVersion = 3;

    private async Task<JoinGroupResponse> JoinGroupAsync(RequestContext context, JoinGroupRequest request, CancellationToken cancellationToken)
    {
        if (!Authorize(context, Operation.Read, ResourceType.Group, request.GroupId))
        {
            return new JoinGroupResponse { ErrorCode = ErrorCode.GroupAuthorizationFailed, MemberId = request.MemberId };
        }

        var result = await broker.Groups.JoinGroupAsync(new JoinGroupCall
        {
            GroupId = request.GroupId,
            MemberId = request.MemberId,
            GroupInstanceId = request.GroupInstanceId,
            ClientId = context.Header.ClientId ?? "",
            ClientHost = context.Session.ClientHost,
            SessionTimeoutMs = request.SessionTimeoutMs,
            RebalanceTimeoutMs = request.RebalanceTimeoutMs,
            ProtocolType = request.ProtocolType,
            Protocols = request.Protocols.Select(p => new GroupProtocol(p.Name, p.Metadata.ToArray())).ToList(),
            RequireKnownMemberId = context.Version >= FirstJoinGroupRequiringMemberId,
        }, cancellationToken).ConfigureAwait(false);

        return new JoinGroupResponse
        {
            ErrorCode = result.ErrorCode,
            GenerationId = result.GenerationId,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName ?? (context.Version >= 7 ? null : ""),
            Leader = result.LeaderId ?? "",
            MemberId = result.MemberId,
            Members = result.Members.Select(m => new JoinGroupResponse.JoinGroupResponseMember
            {
                MemberId = m.MemberId,
                GroupInstanceId = m.GroupInstanceId,
                Metadata = m.Metadata,
            }).ToList(),
        };
    }

    private async Task<SyncGroupResponse> SyncGroupAsync(RequestContext context, SyncGroupRequest request, CancellationToken cancellationToken)
    {
        if (!Authorize(context, Operation.Read, ResourceType.Group, request.GroupId))
        {
            return new SyncGroupResponse { ErrorCode = ErrorCode.GroupAuthorizationFailed };
        }

        var result = await broker.Groups.SyncGroupAsync(new SyncGroupCall
        {
            GroupId = request.GroupId,
            GenerationId = request.GenerationId,
            MemberId = request.MemberId,
            GroupInstanceId = request.GroupInstanceId,
            ProtocolType = request.ProtocolType,
            ProtocolName = request.ProtocolName,
            Assignments = request.Assignments.ToDictionary(a => a.MemberId, a => a.Assignment.ToArray(), StringComparer.Ordinal),
        }, cancellationToken).ConfigureAwait(false);

        return new SyncGroupResponse
        {
            ErrorCode = result.ErrorCode,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName,
            Assignment = result.Assignment,
        };
    }

    private HeartbeatResponse Heartbeat(RequestContext context, HeartbeatRequest request) =>
        new()
        {
            ErrorCode = Authorize(context, Operation.Read, ResourceType.Group, request.GroupId)
                ? broker.Groups.Heartbeat(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId)
                : ErrorCode.GroupAuthorizationFailed,
        };

    private LeaveGroupResponse LeaveGroup(RequestContext context, LeaveGroupRequest request)
    {
        if (!Authorize(context, Operation.Read, ResourceType.Group, request.GroupId))
        {
            return new LeaveGroupResponse { ErrorCode = ErrorCode.GroupAuthorizationFailed };
        }

        // v0-2 name one member; v3+ a batch (KIP-345).
        IReadOnlyList<LeavingMember> leaving = context.Version < FirstLeaveGroupBatchVersion
            ? [new LeavingMember(request.MemberId)]
            : request.Members.Select(m => new LeavingMember(m.MemberId, m.GroupInstanceId)).ToList();
        var result = broker.Groups.LeaveGroup(request.GroupId, leaving);
        var response = new LeaveGroupResponse { ErrorCode = result.ErrorCode };
        if (context.Version >= FirstLeaveGroupBatchVersion)
        {
            response.Members = result.Members.Select(m => new LeaveGroupResponse.MemberResponse
            {
                MemberId = m.MemberId,
                GroupInstanceId = m.GroupInstanceId,
                ErrorCode = m.ErrorCode,
            }).ToList();
        }
        else if (result.ErrorCode == ErrorCode.None && result.Members.Count == 1)
        {
            response.ErrorCode = result.Members[0].ErrorCode;
        }

        return response;
    }

    private async Task<OffsetCommitResponse> OffsetCommitAsync(RequestContext context, OffsetCommitRequest request, CancellationToken cancellationToken)
    {
        var response = new OffsetCommitResponse();
        var groupAllowed = Authorize(context, Operation.Read, ResourceType.Group, request.GroupId);
        var entries = new List<OffsetCommitEntry>();
        var denied = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            if (!groupAllowed || !Authorize(context, Operation.Read, ResourceType.Topic, topic.Name))
            {
                denied.Add(topic.Name);
                continue;
            }

            entries.AddRange(topic.Partitions.Select(p => new OffsetCommitEntry(topic.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.CommittedMetadata)));
        }

        var results = entries.Count == 0
            ? new Dictionary<(string, int), ErrorCode>()
            : (await broker.Groups.CommitOffsetsAsync(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId, entries, cancellationToken).ConfigureAwait(false))
                .Partitions.ToDictionary(p => (p.Topic, p.Partition), p => p.ErrorCode);
        foreach (var topic in request.Topics)
        {
            var error = !groupAllowed ? ErrorCode.GroupAuthorizationFailed : ErrorCode.TopicAuthorizationFailed;
            response.Topics.Add(new OffsetCommitResponse.OffsetCommitResponseTopic
            {
                Name = topic.Name,
                Partitions = topic.Partitions.Select(p => new OffsetCommitResponse.OffsetCommitResponsePartition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = denied.Contains(topic.Name) ? error : results.GetValueOrDefault((topic.Name, p.PartitionIndex), ErrorCode.None),
                }).ToList(),
            });
        }

        return response;
    }

    private OffsetFetchResponse OffsetFetch(RequestContext context, OffsetFetchRequest request)
    {
        if (!Authorize(context, Operation.Describe, ResourceType.Group, request.GroupId))
        {
            return new OffsetFetchResponse { ErrorCode = ErrorCode.GroupAuthorizationFailed };
        }

        var wanted = request.RequestsAllTopics
            ? null
            : request.Topics!.SelectMany(t => t.PartitionIndexes.Select(p => new TopicPartition(t.Name, p))).ToList();
        var result = broker.Groups.OffsetFetch(request.GroupId, wanted);
        var response = new OffsetFetchResponse { ErrorCode = result.ErrorCode };
        foreach (var byTopic in result.Partitions.GroupBy(p => p.Topic, StringComparer.Ordinal))
        {
            if (!Authorize(context, Operation.Describe, ResourceType.Topic, byTopic.Key))
            {
                continue;
            }

            response.Topics.Add(new OffsetFetchResponse.OffsetFetchResponseTopic
            {
                Name = byTopic.Key,
                Partitions = byTopic.Select(p => new OffsetFetchResponse.OffsetFetchResponsePartition
                {
                    PartitionIndex = p.Partition,
                    CommittedOffset = p.Offset,
                    CommittedLeaderEpoch = p.LeaderEpoch,
                    Metadata = p.Metadata,
                    ErrorCode = p.ErrorCode,
                }).ToList(),
            });
        }

        return response;
    }

    private DescribeGroupsResponse DescribeGroups(RequestContext context, DescribeGroupsRequest request)
    {
        var response = new DescribeGroupsResponse();
        var allowed = request.Groups.Where(g => Authorize(context, Operation.Describe, ResourceType.Group, g)).ToHashSet(StringComparer.Ordinal);
        var described = broker.Groups.DescribeGroups(allowed).ToDictionary(g => g.GroupId, StringComparer.Ordinal);
        foreach (var groupId in request.Groups)
        {
            if (!described.TryGetValue(groupId, out var group))
            {
                response.Groups.Add(new DescribeGroupsResponse.DescribedGroup { GroupId = groupId, ErrorCode = ErrorCode.GroupAuthorizationFailed });
                continue;
            }

            response.Groups.Add(new DescribeGroupsResponse.DescribedGroup
            {
                GroupId = group.GroupId,
                ErrorCode = group.ErrorCode,
                GroupState = group.State,
                ProtocolType = group.ProtocolType,
                ProtocolData = group.ProtocolName,
                Members = group.Members.Select(m => new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = m.GroupInstanceId,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    MemberMetadata = m.Metadata,
                    MemberAssignment = m.Assignment,
                }).ToList(),
            });
        }

        return response;
    }

    private ListGroupsResponse ListGroups(RequestContext context, ListGroupsRequest request) => new()
    {
        Groups = broker.Groups.ListGroups(request.StatesFilter.Count > 0 ? request.StatesFilter : null)
            .Where(g => Authorize(context, Operation.Describe, ResourceType.Group, g.GroupId))
            .Select(g => new ListGroupsResponse.ListedGroup { GroupId = g.GroupId, ProtocolType = g.ProtocolType, GroupState = g.State })
            .ToList(),
    };

    private async Task<DeleteGroupsResponse> DeleteGroupsAsync(RequestContext context, DeleteGroupsRequest request, CancellationToken cancellationToken)
    {
        var allowed = request.GroupsNames.Where(g => Authorize(context, Operation.Delete, ResourceType.Group, g)).ToList();
        var deleted = (await broker.Groups.DeleteGroupsAsync(allowed, cancellationToken).ConfigureAwait(false)).ToDictionary(d => d.GroupId, d => d.ErrorCode, StringComparer.Ordinal);
        return new DeleteGroupsResponse
        {
            Results = request.GroupsNames.Select(g => new DeleteGroupsResponse.DeletableGroupResult
            {
                GroupId = g,
                ErrorCode = deleted.GetValueOrDefault(g, ErrorCode.GroupAuthorizationFailed),
            }).ToList(),
        };
    }

    private async Task<OffsetDeleteResponse> OffsetDeleteAsync(RequestContext context, OffsetDeleteRequest request, CancellationToken cancellationToken)
    {
        if (!Authorize(context, Operation.Delete, ResourceType.Group, request.GroupId))
        {
            return new OffsetDeleteResponse { ErrorCode = ErrorCode.GroupAuthorizationFailed };
        }

        var partitions = request.Topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p.PartitionIndex))).ToList();
        var result = await broker.Groups.OffsetDeleteAsync(request.GroupId, partitions, cancellationToken).ConfigureAwait(false);
        var errors = result.Partitions.ToDictionary(p => (p.Topic, p.Partition), p => p.ErrorCode);
        return new OffsetDeleteResponse
        {
            ErrorCode = result.ErrorCode,
            Topics = request.Topics.Select(t => new OffsetDeleteResponse.OffsetDeleteResponseTopic
            {
                Name = t.Name,
                Partitions = t.Partitions.Select(p => new OffsetDeleteResponse.OffsetDeleteResponsePartition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = errors.GetValueOrDefault((t.Name, p.PartitionIndex), ErrorCode.None),
                }).ToList(),
            }).ToList(),
        };
    }
}
