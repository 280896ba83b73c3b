using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meshwork.Lake.Metadata;

namespace Meshwork.Processing;

/// <summary>
/// The Kafka offsets a table has consumed, kept in the summary of the snapshot that consumed them (property
/// <see cref="SummaryProperty"/>): <c>{"topic":"sales.orders.v1","partitions":{"0":1234}}</c>, per partition the next
/// offset to read. Written in the same atomic commit as the rows, so a table's data and its position never disagree:
/// that is what makes materialization exactly once.
/// </summary>
/// <param name="Topic">The topic the offsets belong to.</param>
/// <param name="Partitions">Next offset to read, per partition.</param>
public sealed record ConsumedOffsets(string Topic, IReadOnlyDictionary<int, long> Partitions)
{
    /// <summary>The snapshot summary property.</summary>
    public const string SummaryProperty = "meshwork.kafka.offsets";

    /// <summary>The next offset to read from <paramref name="partition"/> (0 when nothing was consumed from it).</summary>
    public long Of(int partition) => Partitions.GetValueOrDefault(partition);

    /// <summary>The summary property's value.</summary>
    public string ToJson()
    {
        var partitions = new JsonObject();
        foreach (var (partition, offset) in Partitions.OrderBy(p => p.Key))
        {
            partitions[partition.ToString(CultureInfo.InvariantCulture)] = offset;
        }

        return new JsonObject { ["topic"] = Topic, ["partitions"] = partitions }.ToJsonString();
    }

    /// <summary>Parses the summary property's value.</summary>
    /// <exception cref="FormatException">The text is not such an object.</exception>
    public static ConsumedOffsets Parse(string json)
    {
        try
        {
            var node = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("not a JSON object");
            var topic = (string?)node["topic"] ?? throw new FormatException("no \"topic\"");
            var partitions = new Dictionary<int, long>();
            foreach (var (key, value) in node["partitions"] as JsonObject ?? throw new FormatException("no \"partitions\" object"))
            {
                partitions[int.Parse(key, NumberStyles.None, CultureInfo.InvariantCulture)] = value?.GetValue<long>() ?? throw new FormatException($"partition {key} has no offset");
            }

            return new ConsumedOffsets(topic, partitions);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or OverflowException or FormatException)
        {
            throw new FormatException($"{SummaryProperty} is not {{\"topic\": ..., \"partitions\": {{\"0\": offset}}}}: {json}", e);
        }
    }

    /// <summary>
    /// The offsets a table resumes from: those of the newest snapshot in its history that recorded any (snapshots of
    /// maintenance such as compaction record none), or null when no snapshot did.
    /// </summary>
    /// <exception cref="FormatException">The newest recorded offsets cannot be read.</exception>
    public static ConsumedOffsets? Latest(TableMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        foreach (var snapshot in metadata.Ancestors(metadata.CurrentSnapshotId))
        {
            if (snapshot.Summary.TryGetValue(SummaryProperty, out var json))
            {
                return Parse(json);
            }
        }

        return null;
    }
}
