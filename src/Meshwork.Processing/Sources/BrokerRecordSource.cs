using Meshwork.Broker;
using Meshwork.Broker.Network;
using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Security;

namespace Meshwork.Processing.Sources;

/// <summary>
/// Reads topics of the embedded broker as a Kafka consumer does — Metadata, Fetch (long poll) and OffsetCommit requests
/// through <see cref="LocalKafkaConnection"/>, so the broker's authorization, metrics and group bookkeeping see a
/// real client; only the socket is missing. Fetches and the other requests go over separate connections, as a
/// consumer's fetcher and coordinator connections do, so a long poll never delays a commit.
/// </summary>
public sealed class BrokerRecordSource : IRecordSource
{
    private const short MetadataVersion = 9;
    private const short FetchVersion = 12;
    private const short OffsetCommitVersion = 8;
    private const int PartitionMaxBytes = 4 * 1024 * 1024;
    private const int MaxBytes = 16 * 1024 * 1024;

    private readonly LocalKafkaConnection _fetch;
    private readonly LocalKafkaConnection _control;

    /// <summary>Opens the connections as <paramref name="principal"/>.</summary>
    public BrokerRecordSource(KafkaBroker broker, Principal principal, string clientId)
    {
        _fetch = new LocalKafkaConnection(broker, principal, clientId);
        _control = new LocalKafkaConnection(broker, principal, clientId);
    }

    /// <inheritdoc/>
    public async Task<int> PartitionCountAsync(string topic, CancellationToken cancellationToken)
    {
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false };
        var response = await _control.SendAsync<MetadataResponse>(request, MetadataVersion, cancellationToken).ConfigureAwait(false);
        var answer = response.Topics.FirstOrDefault(t => t.Name == topic)
            ?? throw new RecordSourceException($"the broker did not describe topic '{topic}'");
        if (answer.ErrorCode != ErrorCode.None)
        {
            throw new RecordSourceException($"topic '{topic}' cannot be read: {answer.ErrorCode}");
        }

        return answer.Partitions.Count;
    }

    /// <inheritdoc/>
    public async Task<FetchResult> FetchAsync(string topic, IReadOnlyDictionary<int, long> positions, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(positions);
        var request = new FetchRequest
        {
            MaxWaitMs = (int)Math.Clamp(maxWait.TotalMilliseconds, 0, int.MaxValue),
            MinBytes = 1,
            MaxBytes = MaxBytes,
            Topics =
            [
                new FetchRequest.FetchTopic
                {
                    Topic = topic,
                    Partitions = [.. positions.Select(p => new FetchRequest.FetchPartition { Partition = p.Key, FetchOffset = p.Value, PartitionMaxBytes = PartitionMaxBytes })],
                },
            ],
        };
        var response = await _fetch.SendAsync<FetchResponse>(request, FetchVersion, cancellationToken).ConfigureAwait(false);
        if (response.ErrorCode != ErrorCode.None)
        {
            throw new RecordSourceException($"fetching '{topic}' failed: {response.ErrorCode}");
        }

        var records = new List<SourceRecord>();
        var next = new Dictionary<int, long>();
        var ends = new Dictionary<int, long>();
        var outOfRange = new Dictionary<int, LogRange>();
        foreach (var data in response.Responses.Where(r => r.Topic == topic).SelectMany(r => r.Partitions))
        {
            if (data.ErrorCode == ErrorCode.OffsetOutOfRange)
            {
                outOfRange[data.PartitionIndex] = new LogRange(data.LogStartOffset, data.HighWatermark);
                continue;
            }

            if (data.ErrorCode != ErrorCode.None)
            {
                throw new RecordSourceException($"fetching '{topic}' partition {data.PartitionIndex} failed: {data.ErrorCode}");
            }

            ends[data.PartitionIndex] = data.HighWatermark;
            var from = positions[data.PartitionIndex];
            next[data.PartitionIndex] = data.Records is { Length: > 0 } batches
                ? LogReader.ReadBatches(batches, from, (record, header) =>
                {
                    // Transaction markers are not data.
                    if (!header.IsControl)
                    {
                        records.Add(new SourceRecord(data.PartitionIndex, record.Offset, DateTimeOffset.FromUnixTimeMilliseconds(record.Timestamp),
                            record.Key?.ToArray(), record.Value?.ToArray()));
                    }

                    return true;
                })
                : from;
        }

        return new FetchResult(records, next, ends, outOfRange);
    }

    /// <inheritdoc/>
    public async Task CommitGroupOffsetsAsync(string group, string topic, IReadOnlyDictionary<int, long> offsets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offsets);

        // A standalone commit (no generation, no member): the group exists for its offsets only.
        var request = new OffsetCommitRequest
        {
            GroupId = group,
            Topics =
            [
                new OffsetCommitRequest.OffsetCommitRequestTopic
                {
                    Name = topic,
                    Partitions = [.. offsets.Select(o => new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = o.Key, CommittedOffset = o.Value })],
                },
            ],
        };
        var response = await _control.SendAsync<OffsetCommitResponse>(request, OffsetCommitVersion, cancellationToken).ConfigureAwait(false);
        var failed = response.Topics.SelectMany(t => t.Partitions).FirstOrDefault(p => p.ErrorCode != ErrorCode.None);
        if (failed is not null)
        {
            throw new RecordSourceException($"committing offsets of group '{group}' failed: {failed.ErrorCode}");
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _fetch.Dispose();
        _control.Dispose();
        return ValueTask.CompletedTask;
    }
}
