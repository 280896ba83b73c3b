using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Security;

namespace Meshwork.Broker.Handlers;

/// <content>Topic administration, configs, coordinators and producer ids.</content>
internal sealed partial class RequestDispatcher
{
    private const sbyte TopicResource = 2;
    private const sbyte BrokerResource = 4;
    private const sbyte SetOperation = 0;
    private const sbyte DeleteOperation = 1;
    private const sbyte AppendOperation = 2;
    private const sbyte SubtractOperation = 3;
    private const short OneReplica = 1;

    private FindCoordinatorResponse FindCoordinator(RequestContext context, FindCoordinatorRequest request)
    {
        // One node: it coordinates every group (and would coordinate every transaction).
        var (host, port) = broker.Advertised;
        _ = context;
        return new FindCoordinatorResponse { NodeId = broker.Options.NodeId, Host = host, Port = port };
    }

    private async Task<InitProducerIdResponse> InitProducerIdAsync(RequestContext context, InitProducerIdRequest request, CancellationToken cancellationToken)
    {
        if (request.TransactionalId is not null)
        {
            // Transactions are not offered (their APIs are not advertised); say so instead of pretending.
            return new InitProducerIdResponse { ErrorCode = ErrorCode.TransactionalIdAuthorizationFailed, ProducerId = -1, ProducerEpoch = -1 };
        }

        if (!Authorize(context, Operation.IdempotentWrite, ResourceType.Cluster, "kafka-cluster"))
        {
            return new InitProducerIdResponse { ErrorCode = ErrorCode.ClusterAuthorizationFailed, ProducerId = -1, ProducerEpoch = -1 };
        }

        // KIP-360 (v3+): a producer that knows its id asks for the next epoch instead of a new id.
        if (request.ProducerId >= 0 && request.ProducerEpoch >= 0 && request.ProducerEpoch < short.MaxValue - 1)
        {
            return new InitProducerIdResponse { ProducerId = request.ProducerId, ProducerEpoch = (short)(request.ProducerEpoch + 1) };
        }

        return new InitProducerIdResponse { ProducerId = await broker.ProducerIds.NextAsync(cancellationToken).ConfigureAwait(false), ProducerEpoch = 0 };
    }

    private CreateTopicsResponse CreateTopics(RequestContext context, CreateTopicsRequest request)
    {
        var response = new CreateTopicsResponse();
        foreach (var creatable in request.Topics)
        {
            var result = new CreateTopicsResponse.CreatableTopicResult { Name = creatable.Name };
            response.Topics.Add(result);
            var partitions = creatable.NumPartitions == -1 ? broker.Options.DefaultPartitions : creatable.NumPartitions;
            var configs = creatable.Configs.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
            (result.ErrorCode, result.ErrorMessage) = !Authorize(context, Operation.Create, ResourceType.Topic, creatable.Name)
                ? (ErrorCode.TopicAuthorizationFailed, null)
                : creatable.ReplicationFactor is not (-1 or OneReplica) || creatable.Assignments.Any(a => a.BrokerIds.Any(id => id != broker.Options.NodeId))
                    ? (ErrorCode.InvalidReplicationFactor, $"This mesh has one broker (node {broker.Options.NodeId}); the replication factor must be 1.")
                : creatable.Assignments.Count > 0 && creatable.NumPartitions != -1
                    ? (ErrorCode.InvalidRequest, "Give either a partition count or replica assignments, not both.")
                : partitions <= 0 && creatable.Assignments.Count == 0
                    ? (ErrorCode.InvalidPartitions, $"Number of partitions must be larger than 0, not {partitions}.")
                : Try(() =>
                {
                    var count = creatable.Assignments.Count > 0 ? creatable.Assignments.Count : partitions;
                    if (request.ValidateOnly)
                    {
                        TopicConfig.Create(configs);
                        LogManager.ValidateTopicName(creatable.Name);
                        if (broker.Logs.GetTopic(creatable.Name) is not null)
                        {
                            throw new TopicExistsException($"Topic '{creatable.Name}' already exists.");
                        }
                    }
                    else
                    {
                        broker.Logs.CreateTopic(creatable.Name, count, configs);
                    }

                    result.NumPartitions = count;
                    result.ReplicationFactor = OneReplica;
                });
        }

        return response;
    }

    private DeleteTopicsResponse DeleteTopics(RequestContext context, DeleteTopicsRequest request)
    {
        var response = new DeleteTopicsResponse();
        foreach (var name in request.TopicNames)
        {
            var result = new DeleteTopicsResponse.DeletableTopicResult { Name = name };
            response.Responses.Add(result);
            (result.ErrorCode, _) = !Authorize(context, Operation.Delete, ResourceType.Topic, name)
                ? (ErrorCode.TopicAuthorizationFailed, null)
                : Try(() =>
                {
                    broker.Logs.DeleteTopic(name);
                    broker.Metrics.Forget(name);
                });
        }

        return response;
    }

    private CreatePartitionsResponse CreatePartitions(RequestContext context, CreatePartitionsRequest request)
    {
        var response = new CreatePartitionsResponse();
        foreach (var topic in request.Topics)
        {
            var result = new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = topic.Name };
            response.Results.Add(result);
            (result.ErrorCode, result.ErrorMessage) = !Authorize(context, Operation.Alter, ResourceType.Topic, topic.Name)
                ? (ErrorCode.TopicAuthorizationFailed, null)
                : Try(() =>
                {
                    var existing = broker.Logs.GetTopic(topic.Name) ?? throw new UnknownTopicException($"Topic '{topic.Name}' does not exist.");
                    if (topic.Count <= existing.Partitions.Count)
                    {
                        throw new InvalidPartitionsException($"Topic '{topic.Name}' has {existing.Partitions.Count} partitions; the new count {topic.Count} must be larger.");
                    }

                    if (!request.ValidateOnly)
                    {
                        broker.Logs.CreatePartitions(topic.Name, topic.Count);
                    }
                });
        }

        return response;
    }

    private DeleteRecordsResponse DeleteRecords(RequestContext context, DeleteRecordsRequest request)
    {
        var response = new DeleteRecordsResponse();
        foreach (var requested in request.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = requested.Name };
            response.Topics.Add(topicResult);
            var authorized = Authorize(context, Operation.Delete, ResourceType.Topic, requested.Name);
            var topic = authorized ? broker.Logs.GetTopic(requested.Name) : null;
            foreach (var partition in requested.Partitions)
            {
                var result = new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = partition.PartitionIndex, LowWatermark = -1 };
                topicResult.Partitions.Add(result);
                if (!authorized)
                {
                    result.ErrorCode = ErrorCode.TopicAuthorizationFailed;
                }
                else if (topic is null || (uint)partition.PartitionIndex >= (uint)topic.Partitions.Count)
                {
                    result.ErrorCode = ErrorCode.UnknownTopicOrPartition;
                }
                else
                {
                    var log = topic.Partitions[partition.PartitionIndex];
                    // -1 means "up to the high watermark".
                    result.ErrorCode = log.DeleteRecordsBefore(partition.Offset == -1 ? log.NextOffset : partition.Offset);
                    result.LowWatermark = log.LogStartOffset;
                }
            }
        }

        return response;
    }

    private DescribeConfigsResponse DescribeConfigs(RequestContext context, DescribeConfigsRequest request)
    {
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Results.Add(result);
            IEnumerable<ConfigEntry> entries;
            if (resource.ResourceType == TopicResource)
            {
                if (!Authorize(context, Operation.Describe, ResourceType.Topic, resource.ResourceName))
                {
                    result.ErrorCode = ErrorCode.TopicAuthorizationFailed;
                    continue;
                }

                if (broker.Logs.GetTopic(resource.ResourceName) is not { } topic)
                {
                    result.ErrorCode = ErrorCode.UnknownTopicOrPartition;
                    result.ErrorMessage = $"Topic '{resource.ResourceName}' does not exist.";
                    continue;
                }

                entries = topic.Config.Describe();
            }
            else if (resource.ResourceType == BrokerResource)
            {
                if (!Authorize(context, Operation.Describe, ResourceType.Cluster, "kafka-cluster"))
                {
                    result.ErrorCode = ErrorCode.ClusterAuthorizationFailed;
                    continue;
                }

                // The broker's defaults for topic configs, as Kafka reports its log.* settings.
                entries = TopicConfig.Create(broker.Logs.Options.DefaultTopicConfig.ToDictionary(e => e.Key, e => (string?)e.Value)).Describe();
            }
            else
            {
                result.ErrorCode = ErrorCode.InvalidRequest;
                result.ErrorMessage = $"Resource type {resource.ResourceType} is not supported; use 2 (topic) or 4 (broker).";
                continue;
            }

            foreach (var entry in entries)
            {
                if (resource.ConfigurationKeys is { Count: > 0 } keys && !keys.Contains(entry.Name))
                {
                    continue;
                }

                result.Configs.Add(new DescribeConfigsResponse.DescribeConfigsResourceResult
                {
                    Name = entry.Name,
                    Value = entry.IsSensitive ? null : entry.Value,
                    ReadOnly = entry.IsReadOnly,
                    IsDefault = entry.IsDefault,
                    ConfigSource = (sbyte)entry.Source,
                    IsSensitive = entry.IsSensitive,
                    ConfigType = (sbyte)entry.Type,
                    Documentation = request.IncludeDocumentation ? entry.Documentation : null,
                });
            }
        }

        return response;
    }

    private AlterConfigsResponse AlterConfigs(RequestContext context, AlterConfigsRequest request)
    {
        var response = new AlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new AlterConfigsResponse.AlterConfigsResourceResponse { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Responses.Add(result);
            var set = resource.Configs.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
            (result.ErrorCode, result.ErrorMessage) = AlterTopic(context, resource.ResourceType, resource.ResourceName, set, incremental: false, request.ValidateOnly);
        }

        return response;
    }

    private IncrementalAlterConfigsResponse IncrementalAlterConfigs(RequestContext context, IncrementalAlterConfigsRequest request)
    {
        var response = new IncrementalAlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Responses.Add(result);
            var topic = broker.Logs.GetTopic(resource.ResourceName);
            var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
            string? error = null;
            foreach (var config in resource.Configs)
            {
                switch (config.ConfigOperation)
                {
                    case SetOperation:
                        changes[config.Name] = config.Value;
                        break;
                    case DeleteOperation:
                        changes[config.Name] = null;
                        break;
                    case AppendOperation or SubtractOperation:
                        // List-valued configs (cleanup.policy) edited element by element.
                        var current = (topic?.Config.Overrides.GetValueOrDefault(config.Name) ?? TopicConfig.Default.Describe().FirstOrDefault(e => e.Name == config.Name)?.Value ?? "")
                            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
                        var values = (config.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        current = config.ConfigOperation == AppendOperation ? [.. current, .. values.Except(current)] : current.Except(values).ToList();
                        changes[config.Name] = string.Join(',', current);
                        break;
                    default:
                        error = $"Unknown config operation {config.ConfigOperation} for {config.Name}.";
                        break;
                }
            }

            (result.ErrorCode, result.ErrorMessage) = error is not null
                ? (ErrorCode.InvalidRequest, error)
                : AlterTopic(context, resource.ResourceType, resource.ResourceName, changes, incremental: true, request.ValidateOnly);
        }

        return response;
    }

    private (ErrorCode, string?) AlterTopic(RequestContext context, sbyte resourceType, string name, Dictionary<string, string?> changes, bool incremental, bool validateOnly)
    {
        if (resourceType != TopicResource)
        {
            return (ErrorCode.InvalidRequest, $"Only topic configs (resource type 2) can be altered here, not resource type {resourceType}.");
        }

        if (!Authorize(context, Operation.Alter, ResourceType.Topic, name))
        {
            return (ErrorCode.TopicAuthorizationFailed, null);
        }

        return Try(() =>
        {
            var topic = broker.Logs.GetTopic(name) ?? throw new UnknownTopicException($"Topic '{name}' does not exist.");
            if (validateOnly)
            {
                var merged = incremental ? topic.Config.Overrides.ToDictionary(e => e.Key, e => (string?)e.Value) : [];
                foreach (var (key, value) in changes)
                {
                    merged[key] = value;
                }

                TopicConfig.Create(merged.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value));
            }
            else
            {
                broker.Logs.AlterConfigs(name, changes, incremental);
            }
        });
    }

    /// <summary>Runs an admin action, turning storage errors into their Kafka error code and message.</summary>
    private static (ErrorCode, string?) Try(Action action)
    {
        try
        {
            action();
            return (ErrorCode.None, null);
        }
        catch (StorageException e)
        {
            return (e.ErrorCode, e.Message);
        }
    }
}
