using System.Text;
using Meshwork.Broker;
using Meshwork.Broker.Storage;
using Meshwork.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Meshwork.Server.Http;

/// <summary>The embedded broker over HTTP: topics, consumer groups with lag, records, and metrics.</summary>
public static class BrokerApi
{
    private const int DefaultRecordLimit = 100;
    private const int MaxRecordLimit = 10_000;

    /// <summary>Maps the broker routes under <c>/api/v1</c>.</summary>
    public static IEndpointRouteBuilder MapBrokerApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/topics", (HttpContext http, KafkaBroker broker, ApiAccess access) =>
        {
            var topics = broker.Logs.Topics
                .Where(t => access.Deny(http, Operation.Describe, ResourceType.Topic, t.Name) is null)
                .OrderBy(t => t.Name, StringComparer.Ordinal)
                .Select(t => Summarize(t, broker.Metrics))
                .ToList();
            return Results.Json(topics);
        });

        routes.MapGet("/api/v1/topics/{name}", (string name, HttpContext http, KafkaBroker broker, ApiAccess access) =>
        {
            if (access.Deny(http, Operation.Describe, ResourceType.Topic, name) is { } denied)
            {
                return denied;
            }

            if (broker.Logs.GetTopic(name) is not { } topic)
            {
                return UnknownTopic(name);
            }

            return Results.Json(new TopicDetail(
                Summarize(topic, broker.Metrics),
                topic.Partitions.Select((p, i) => new PartitionDetail(i, p.LogStartOffset, p.NextOffset, p.SizeInBytes, p.SegmentCount)).ToList(),
                topic.Config.Describe().Select(c => new ConfigDetail(c.Name, c.IsSensitive ? null : c.Value, c.IsDefault, c.Source.ToString())).ToList()));
        });

        routes.MapGet("/api/v1/topics/{name}/records", (string name, int? partition, long? offset, int? limit, HttpContext http, KafkaBroker broker, ApiAccess access) =>
        {
            if (access.Deny(http, Operation.Read, ResourceType.Topic, name) is { } denied)
            {
                return denied;
            }

            if (broker.Logs.GetTopic(name) is not { } topic)
            {
                return UnknownTopic(name);
            }

            var index = partition ?? 0;
            if ((uint)index >= (uint)topic.Partitions.Count)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown partition",
                    detail: $"Topic '{name}' has partitions 0 to {topic.Partitions.Count - 1}; partition={index} does not exist.");
            }

            var count = limit ?? DefaultRecordLimit;
            if (count is < 1 or > MaxRecordLimit)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid limit", detail: $"limit must be from 1 to {MaxRecordLimit}, not {count}.");
            }

            var log = topic.Partitions[index];
            var from = offset ?? log.LogStartOffset;
            if (from < log.LogStartOffset || from > log.NextOffset)
            {
                return Results.Problem(statusCode: StatusCodes.Status416RangeNotSatisfiable, title: "Offset out of range",
                    detail: $"Partition {index} of '{name}' holds offsets {log.LogStartOffset} to {log.NextOffset - 1}; offset={from} is outside.");
            }

            var records = ReadRecords(log, index, from, count);
            return Results.Json(new RecordPage(name, index, records, records.Count > 0 ? records[^1].Offset + 1 : from, log.NextOffset));
        });

        routes.MapGet("/api/v1/groups", (HttpContext http, KafkaBroker broker, ApiAccess access) =>
        {
            var groups = broker.Groups.Snapshot()
                .Where(g => access.Deny(http, Operation.Describe, ResourceType.Group, g.GroupId) is null)
                .OrderBy(g => g.GroupId, StringComparer.Ordinal)
                .Select(g =>
                {
                    var partitions = g.Offsets
                        .OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition)
                        .Select(o =>
                        {
                            var end = broker.Logs.GetTopic(o.Key.Topic) is { } t && o.Key.Partition < t.Partitions.Count ? t.Partitions[o.Key.Partition].NextOffset : (long?)null;
                            return new GroupPartition(o.Key.Topic, o.Key.Partition, o.Value.Offset, end, end is { } e ? Math.Max(0, e - o.Value.Offset) : null);
                        })
                        .ToList();
                    return new GroupSummaryView(g.GroupId, g.State.ToString(), g.MemberCount, g.GenerationId, partitions.Sum(p => p.Lag ?? 0), partitions);
                })
                .ToList();
            return Results.Json(groups);
        });

        routes.MapGet("/api/v1/broker/metrics", (HttpContext http, KafkaBroker broker, ApiAccess access) =>
            access.Deny(http, Operation.Describe, ResourceType.Cluster, "kafka-cluster")
            ?? Results.Json(new BrokerMetricsView(broker.Metrics.Since, broker.Metrics.Connections, broker.Metrics.Topics, broker.Metrics.Latency)));

        return routes;
    }

    private static TopicSummary Summarize(TopicLog topic, BrokerMetrics metrics)
    {
        var totals = metrics.Topics.GetValueOrDefault(topic.Name) ?? new TopicTotals(0, 0, 0, 0);
        return new TopicSummary(
            topic.Name,
            topic.Id,
            topic.Partitions.Count,
            topic.Config.Compact ? (topic.Config.Delete ? "compact,delete" : "compact") : "delete",
            topic.Partitions.Sum(p => p.NextOffset - p.LogStartOffset),
            topic.Partitions.Sum(p => p.SizeInBytes),
            totals.RecordsIn,
            totals.BytesIn,
            totals.RecordsOut,
            totals.BytesOut);
    }

    private static List<RecordView> ReadRecords(PartitionLog log, int partition, long from, int limit) =>
        LogReader.Read(log, from, limit, record => new RecordView(partition, record.Offset, DateTimeOffset.FromUnixTimeMilliseconds(record.Timestamp),
            Text(record.Key), Text(record.Value), record.Headers.ToDictionary(h => h.Key, h => Text(h.Value))));

    /// <summary>UTF-8 text when the bytes are valid UTF-8, else base64 prefixed <c>base64:</c>.</summary>
    private static string? Text(ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } value)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(value.Span);
        }
        catch (DecoderFallbackException)
        {
            return "base64:" + Convert.ToBase64String(value.Span);
        }
    }

    private static IResult UnknownTopic(string name) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown topic", detail: $"Topic '{name}' does not exist. List topics with GET /api/v1/topics or `mesh topics`.");
}

/// <summary>A topic in <c>GET /api/v1/topics</c>.</summary>
public sealed record TopicSummary(string Name, Guid Id, int Partitions, string CleanupPolicy, long Records, long SizeBytes, long RecordsIn, long BytesIn, long RecordsOut, long BytesOut);

/// <summary><c>GET /api/v1/topics/{name}</c>.</summary>
public sealed record TopicDetail(TopicSummary Topic, IReadOnlyList<PartitionDetail> Partitions, IReadOnlyList<ConfigDetail> Configs);

/// <summary>One partition's offsets and size.</summary>
public sealed record PartitionDetail(int Partition, long LogStartOffset, long EndOffset, long SizeBytes, int Segments);

/// <summary>One topic config, with whether it is the default.</summary>
public sealed record ConfigDetail(string Name, string? Value, bool IsDefault, string Source);

/// <summary>A page of records: <c>GET /api/v1/topics/{name}/records</c>.</summary>
public sealed record RecordPage(string Topic, int Partition, IReadOnlyList<RecordView> Records, long NextOffset, long EndOffset);

/// <summary>One record; key and value as UTF-8 text, or <c>base64:...</c> for binary.</summary>
public sealed record RecordView(int Partition, long Offset, DateTimeOffset Timestamp, string? Key, string? Value, IReadOnlyDictionary<string, string?> Headers);

/// <summary>A consumer group with its lag.</summary>
public sealed record GroupSummaryView(string GroupId, string State, int Members, int Generation, long Lag, IReadOnlyList<GroupPartition> Partitions);

/// <summary>A group's committed offset, the partition's end and the lag between them.</summary>
public sealed record GroupPartition(string Topic, int Partition, long CommittedOffset, long? EndOffset, long? Lag);

/// <summary><c>GET /api/v1/broker/metrics</c>.</summary>
public sealed record BrokerMetricsView(DateTimeOffset Since, ConnectionTotals Connections, IReadOnlyDictionary<string, TopicTotals> Topics, IReadOnlyDictionary<string, ApiLatency> Latency);
