using System.Runtime.InteropServices;
using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Kafka.Protocol.Records;
using Meshwork.Security;
using Microsoft.Extensions.Logging;

namespace Meshwork.Broker.Handlers;

/// <content>Metadata, Produce, Fetch and ListOffsets: the data path.</content>
internal sealed partial class RequestDispatcher
{
    private const long LatestTimestamp = -1;
    private const long EarliestTimestamp = -2;
    private const long MaxTimestampQuery = -3;

    private MetadataResponse Metadata(RequestContext context, MetadataRequest request)
    {
        var (host, port) = broker.Advertised;
        var response = new MetadataResponse
        {
            Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = broker.Options.NodeId, Host = host, Port = port }],
            ClusterId = broker.ClusterId,
            ControllerId = broker.Options.NodeId,
        };

        if (request.RequestsAllTopics(context.Version))
        {
            foreach (var topic in broker.Logs.Topics.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                if (Authorize(context, Operation.Describe, ResourceType.Topic, topic.Name))
                {
                    response.Topics.Add(DescribeTopic(topic));
                }
            }

            return response;
        }

        // v4+ lets the client say whether asking may create; older versions always may (when the broker allows it).
        var mayCreate = broker.Options.AutoCreateTopics && (context.Version < 4 || request.AllowAutoTopicCreation);
        foreach (var requested in request.Topics!)
        {
            var name = requested.Name ?? "";
            if (!Authorize(context, Operation.Describe, ResourceType.Topic, name))
            {
                response.Topics.Add(new MetadataResponse.MetadataResponseTopic { Name = name, ErrorCode = ErrorCode.TopicAuthorizationFailed });
                continue;
            }

            var (topic, error) = FindOrCreateTopic(context, name, mayCreate);
            response.Topics.Add(topic is null ? new MetadataResponse.MetadataResponseTopic { Name = name, ErrorCode = error } : DescribeTopic(topic));
        }

        return response;
    }

    private MetadataResponse.MetadataResponseTopic DescribeTopic(TopicLog topic)
    {
        var node = broker.Options.NodeId;
        var described = new MetadataResponse.MetadataResponseTopic { Name = topic.Name, TopicId = topic.Id };
        for (var i = 0; i < topic.Partitions.Count; i++)
        {
            described.Partitions.Add(new MetadataResponse.MetadataResponsePartition
            {
                PartitionIndex = i,
                LeaderId = node,
                LeaderEpoch = 0,
                ReplicaNodes = [node],
                IsrNodes = [node],
            });
        }

        return described;
    }

    /// <summary>The topic, created first when allowed; or the error to report for it.</summary>
    private (TopicLog? Topic, ErrorCode Error) FindOrCreateTopic(RequestContext context, string name, bool mayCreate)
    {
        if (broker.Logs.GetTopic(name) is { } existing)
        {
            return (existing, ErrorCode.None);
        }

        if (!mayCreate)
        {
            return (null, ErrorCode.UnknownTopicOrPartition);
        }

        if (!Authorize(context, Operation.Create, ResourceType.Topic, name))
        {
            return (null, ErrorCode.TopicAuthorizationFailed);
        }

        try
        {
            return (broker.Logs.CreateTopic(name, broker.Options.DefaultPartitions, new Dictionary<string, string?>()), ErrorCode.None);
        }
        catch (TopicExistsException)
        {
            // Another connection created it first.
            return (broker.Logs.GetTopic(name), ErrorCode.None);
        }
        catch (StorageException e)
        {
            return (null, e.ErrorCode);
        }
    }

    /// <summary>
    /// Appends every partition's batch first, then waits for their fsyncs together (in parallel, and shared with the other
    /// connections' batches through group commit): the response never acknowledges a record that is not on disk.
    /// </summary>
    private async ValueTask<ProduceResponse?> ProduceAsync(RequestContext context, ProduceRequest request)
    {
        var response = new ProduceResponse();
        var durable = new List<(PartitionLog Log, long LastOffset, ProduceResponse.PartitionProduceResponse Result)>();
        var acksValid = request.Acks is ProduceRequest.AcksNone or ProduceRequest.AcksLeader or ProduceRequest.AcksAll;
        var failed = false;
        foreach (var topicData in request.Topics)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topicData.Name };
            response.Responses.Add(topicResponse);
            var topicError = !acksValid ? ErrorCode.InvalidRequiredAcks
                : request.TransactionalId is not null ? ErrorCode.TransactionalIdAuthorizationFailed
                : context.Version < ApiVersionTable.FirstImplementedProduceVersion ? ErrorCode.UnsupportedVersion
                : !Authorize(context, Operation.Write, ResourceType.Topic, topicData.Name) ? ErrorCode.TopicAuthorizationFailed
                : ErrorCode.None;
            TopicLog? topic = null;
            if (topicError == ErrorCode.None)
            {
                (topic, topicError) = FindOrCreateTopic(context, topicData.Name, broker.Options.AutoCreateTopics);
            }

            foreach (var partitionData in topicData.Partitions)
            {
                var result = topicError != ErrorCode.None
                    ? Failed(partitionData.PartitionIndex, topicError, null)
                    : AppendPartition(topic!, partitionData, durable);
                failed |= result.ErrorCode != ErrorCode.None;
                topicResponse.Partitions.Add(result);
            }
        }

        if (durable.Count > 0)
        {
            failed |= await WaitDurableAsync(durable).ConfigureAwait(false);
        }

        // acks=0: no response at all; on error Kafka closes the connection so the producer notices.
        if (request.ExpectsNoResponse)
        {
            context.CloseAfterResponse = failed;
            return null;
        }

        return response;
    }

    /// <summary>True when some fsync failed; those partitions then answer KAFKA_STORAGE_ERROR instead of their offsets.</summary>
    private static async ValueTask<bool> WaitDurableAsync(List<(PartitionLog Log, long LastOffset, ProduceResponse.PartitionProduceResponse Result)> durable)
    {
        var waits = durable.Select(d => d.Log.WaitDurableAsync(d.LastOffset).AsTask()).ToArray();
        try
        {
            await Task.WhenAll(waits).ConfigureAwait(false);
            return false;
        }
        catch (IOException)
        {
            for (var i = 0; i < waits.Length; i++)
            {
                if (waits[i].IsFaulted)
                {
                    durable[i].Result.ErrorCode = ErrorCode.KafkaStorageError;
                    durable[i].Result.ErrorMessage = "The records were written but could not be made durable (fsync failed); they are not acknowledged.";
                    durable[i].Result.BaseOffset = -1;
                }
            }

            return true;
        }
    }

    private ProduceResponse.PartitionProduceResponse AppendPartition(TopicLog topic, ProduceRequest.PartitionProduceData data,
        List<(PartitionLog Log, long LastOffset, ProduceResponse.PartitionProduceResponse Result)> durable)
    {
        if ((uint)data.PartitionIndex >= (uint)topic.Partitions.Count)
        {
            return Failed(data.PartitionIndex, ErrorCode.UnknownTopicOrPartition, $"Topic {topic.Name} has no partition {data.PartitionIndex}.");
        }

        if (data.Records is not { Length: > 0 } records)
        {
            return Failed(data.PartitionIndex, ErrorCode.CorruptMessage, "Produce request carries no record batch.");
        }

        var config = topic.Config;
        var now = NowMs;
        RecordBatchHeader header;
        try
        {
            header = RecordBatch.ValidateProducedBatch(records.Span, config.MaxMessageBytes);
            ValidateRecords(records, header, config, now);
            if (ValidateValueSchemas(topic.Name, data.PartitionIndex, records, config) is { } refused)
            {
                return refused;
            }
        }
        catch (KafkaProtocolException e)
        {
            return Failed(data.PartitionIndex, e.ErrorCode, e.Message);
        }

        // The batch is stored exactly as received after offsets are assigned in place; the frame
        // buffer is ours until the request completes, so patching it avoids a copy.
        var writable = MemoryMarshal.AsMemory(records);
        var log = topic.Partitions[data.PartitionIndex];
        var appended = log.Append(writable.Span, now, deferFlush: true);
        if (appended.Error != ErrorCode.None)
        {
            return Failed(data.PartitionIndex, appended.Error, null);
        }

        broker.Metrics.RecordIn(topic.Name, records.Length, header.RecordCount);
        var result = new ProduceResponse.PartitionProduceResponse
        {
            PartitionIndex = data.PartitionIndex,
            BaseOffset = appended.BaseOffset,
            LogAppendTimeMs = config.TimestampType == TimestampType.LogAppendTime ? appended.LogAppendTimeMs : -1,
            LogStartOffset = appended.LogStartOffset,
        };
        if (appended.FlushPending)
        {
            durable.Add((log, appended.LastOffset, result));
        }

        return result;
    }

    /// <summary>
    /// Broker-side schema validation (Confluent's <c>confluent.value.schema.validation</c>, Meshwork's
    /// <c>meshwork.value.schema.validation=id|full</c>): every value must name a schema registered for
    /// the topic, and with <c>full</c> decode with it. Tombstones pass on compacted topics. Returns the
    /// INVALID_RECORD answer refusing the whole batch, naming the first bad record (as Kafka's
    /// <c>record_errors</c> and in the message), or null when every record passes.
    /// </summary>
    private ProduceResponse.PartitionProduceResponse? ValidateValueSchemas(string topic, int partition, ReadOnlyMemory<byte> batch, TopicConfig config)
    {
        var mode = ValueSchemaValidationConfig.ModeOf(config);
        if (mode == ValueSchemaValidation.None)
        {
            return null;
        }

        if (broker.ValueValidator is not { } validator)
        {
            return Refuse(null, $"Topic '{topic}' requires schema validation but this broker has no schema registry.");
        }

        var index = 0;
        foreach (var record in RecordBatch.ReadRecords(batch, KafkaCompression.Instance))
        {
            if (record.Value is not { } value)
            {
                if (!config.Compact)
                {
                    return Refuse(index, $"Record at offset delta {record.OffsetDelta} has a null value; topic '{topic}' validates values and only compacted topics accept tombstones.");
                }
            }
            else if (validator.Validate(topic, mode, value.Span) is { } error)
            {
                return Refuse(index, $"Record at offset delta {record.OffsetDelta} rejected by schema validation: {error}");
            }

            index++;
        }

        return null;

        ProduceResponse.PartitionProduceResponse Refuse(int? batchIndex, string message)
        {
            // Clients before Produce v8 (librdkafka 2.0, kafka-python, kafkajs) receive only the error code, so the
            // reason must also be in the broker's log for anyone to find it.
            LogSchemaValidationRefused(_logger, topic, partition, message);
            var refused = Failed(partition, ErrorCode.InvalidRecord, message);
            if (batchIndex is { } i)
            {
                refused.RecordErrors.Add(new ProduceResponse.BatchIndexAndErrorMessage { BatchIndex = i, BatchIndexErrorMessage = message });
            }

            return refused;
        }
    }

    /// <summary>Per-record checks Kafka makes (kafka-wire.md §2): timestamps in bounds, keys on compacted topics.</summary>
    private static void ValidateRecords(ReadOnlyMemory<byte> batch, RecordBatchHeader header, TopicConfig config, long nowMs)
    {
        if (header.TimestampType == TimestampType.LogAppendTime)
        {
            throw new KafkaProtocolException("Producers may not set LogAppendTime; the broker assigns it.", ErrorCode.InvalidTimestamp);
        }

        if (config.TimestampType == TimestampType.CreateTime)
        {
            // The header's base and max timestamps bound every record's timestamp from below and above.
            if (header.BaseTimestamp < nowMs - config.TimestampBeforeMaxMs || header.MaxTimestamp > nowMs + config.TimestampAfterMaxMs)
            {
                throw new KafkaProtocolException(
                    $"Record timestamps {header.BaseTimestamp}..{header.MaxTimestamp} are outside the topic's allowed range around broker time {nowMs} " +
                    $"(message.timestamp.before.max.ms={config.TimestampBeforeMaxMs}, message.timestamp.after.max.ms={config.TimestampAfterMaxMs}).",
                    ErrorCode.InvalidTimestamp);
            }
        }

        if (config.Compact)
        {
            foreach (var record in RecordBatch.ReadRecords(batch, KafkaCompression.Instance))
            {
                if (record.Key is null)
                {
                    throw new KafkaProtocolException("Compacted topics accept only records with a key.", ErrorCode.InvalidRecord);
                }
            }
        }
    }

    private static ProduceResponse.PartitionProduceResponse Failed(int partition, ErrorCode error, string? message) => new()
    {
        PartitionIndex = partition,
        ErrorCode = error,
        BaseOffset = -1,
        ErrorMessage = message,
    };

    private async Task<FetchResponse> FetchAsync(RequestContext context, FetchRequest request, CancellationToken cancellationToken)
    {
        var deadline = broker.Time.GetUtcNow().AddMilliseconds(Math.Max(0, request.MaxWaitMs));
        while (true)
        {
            var (response, bytes, waits) = CollectFetch(context, request);
            var remaining = deadline - broker.Time.GetUtcNow();
            if (bytes >= Math.Max(1, request.MinBytes) || remaining <= TimeSpan.Zero || waits.Count == 0)
            {
                return response;
            }

            context.ReleaseResources();
            // Long poll (MaxWaitMs / MinBytes): wake on the first append to any fetched partition, or at the deadline.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(remaining);
            try
            {
                await Task.WhenAny(waits.Select(w => w(timeout.Token))).WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // deadline reached: answer with what there is
            }
        }
    }

    private (FetchResponse Response, long Bytes, List<Func<CancellationToken, Task>> Waits) CollectFetch(RequestContext context, FetchRequest request)
    {
        var response = new FetchResponse { SessionId = FetchResponse.NoFetchSession };
        var waits = new List<Func<CancellationToken, Task>>();
        long total = 0;
        var budget = (long)Math.Max(0, request.MaxBytes);
        foreach (var fetchTopic in request.Topics)
        {
            var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = fetchTopic.Topic };
            response.Responses.Add(topicResponse);
            var authorized = Authorize(context, Operation.Read, ResourceType.Topic, fetchTopic.Topic);
            var topic = authorized ? broker.Logs.GetTopic(fetchTopic.Topic) : null;
            foreach (var fetchPartition in fetchTopic.Partitions)
            {
                var data = new FetchResponse.PartitionData
                {
                    PartitionIndex = fetchPartition.Partition,
                    PreferredReadReplica = FetchResponse.NoPreferredReadReplica,
                    AbortedTransactions = context.Version >= 4 ? [] : null,
                    // Never null (-1): librdkafka 2.0.2 rejects "invalid MessageSetSize -1", so a fetch at the log
                    // end failed to parse and `kcat -e` never saw end-of-partition. Kafka sends empty records.
                    Records = ReadOnlyMemory<byte>.Empty,
                };
                topicResponse.Partitions.Add(data);
                if (!authorized)
                {
                    data.ErrorCode = ErrorCode.TopicAuthorizationFailed;
                    continue;
                }

                if (topic is null || (uint)fetchPartition.Partition >= (uint)topic.Partitions.Count)
                {
                    data.ErrorCode = ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                var log = topic.Partitions[fetchPartition.Partition];
                data.HighWatermark = log.NextOffset;
                data.LastStableOffset = log.NextOffset;
                data.LogStartOffset = log.LogStartOffset;

                // KIP-74: the first partition with data returns at least one whole batch even past MaxBytes.
                var limit = (int)Math.Min(fetchPartition.PartitionMaxBytes, total == 0 ? int.MaxValue : budget - total);
                if (limit <= 0 && total > 0)
                {
                    continue;
                }

                var read = log.Read(fetchPartition.FetchOffset, Math.Max(1, limit));
                if (read.Error != ErrorCode.None)
                {
                    data.ErrorCode = read.Error;
                    read.Dispose();
                    continue;
                }

                if (read.Records.Length == 0)
                {
                    read.Dispose();
                    var offset = fetchPartition.FetchOffset;
                    waits.Add(ct => log.WaitForAppendAsync(offset, ct));
                    continue;
                }

                data.Records = read.Records;
                context.Track(read);
                total += read.Records.Length;
                broker.Metrics.RecordOut(topic.Name, read.Records.Length, CountRecords(read.Records.Span));
            }
        }

        return (response, total, waits);
    }

    /// <summary>Records in whole stored batches, from their headers (no decompression).</summary>
    private static long CountRecords(ReadOnlySpan<byte> batches)
    {
        long count = 0;
        while (batches.Length >= RecordBatch.HeaderSize)
        {
            var length = RecordBatch.LogOverhead + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(batches[RecordBatch.BatchLengthOffset..]);
            if (length > batches.Length)
            {
                break;
            }

            count += System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(batches[RecordBatch.RecordCountOffset..]);
            batches = batches[length..];
        }

        return count;
    }

    private ListOffsetsResponse ListOffsets(RequestContext context, ListOffsetsRequest request)
    {
        var response = new ListOffsetsResponse();
        foreach (var requested in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = requested.Name };
            response.Topics.Add(topicResponse);
            var authorized = Authorize(context, Operation.Describe, ResourceType.Topic, requested.Name);
            var topic = authorized ? broker.Logs.GetTopic(requested.Name) : null;
            foreach (var partition in requested.Partitions)
            {
                var answer = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = partition.PartitionIndex };
                topicResponse.Partitions.Add(answer);
                if (!authorized)
                {
                    answer.ErrorCode = ErrorCode.TopicAuthorizationFailed;
                    continue;
                }

                if (topic is null || (uint)partition.PartitionIndex >= (uint)topic.Partitions.Count)
                {
                    answer.ErrorCode = ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                var log = topic.Partitions[partition.PartitionIndex];
                long? offset = partition.Timestamp switch
                {
                    LatestTimestamp or MaxTimestampQuery => log.NextOffset,
                    EarliestTimestamp => log.LogStartOffset,
                    _ => log.OffsetForTimestamp(partition.Timestamp),
                };
                answer.Offset = offset ?? -1;
                answer.Timestamp = -1;
                answer.LeaderEpoch = 0;
                if (context.Version == 0)
                {
                    answer.OldStyleOffsets = offset is { } found ? [found] : [];
                }
            }
        }

        return response;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a produce to {Topic} [{Partition}] with INVALID_RECORD: {Reason}")]
    private static partial void LogSchemaValidationRefused(ILogger logger, string topic, int partition, string reason);
}
