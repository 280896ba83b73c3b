using System.Collections;
using System.Globalization;
using System.Text;
using Meshwork.Broker.Storage;
using Meshwork.Lake;
using Meshwork.Lake.Metadata;
using Meshwork.Registry;
using Meshwork.Server;

namespace Meshwork.Processing.Tests;

/// <summary>
/// Compares a product's lake tables with its topic from the outside — what exactly once means: the history table holds
/// one row per record of the topic (partition and offset), equal to the record; the current table holds one row per key,
/// equal to the key's latest record, and none for a key whose latest record is a tombstone; and every file the tables'
/// metadata references exists. Shared by the processing tests and the conformance suite (crash and S3 tests).
/// </summary>
internal static class MaterializationCheck
{
    /// <summary>What was compared and every difference found (empty when the tables are exact).</summary>
    public sealed record Result(string Product, int TopicRecords, int DistinctKeys, int CurrentRows, int HistoryRows, IReadOnlyList<string> Problems)
    {
        public override string ToString() =>
            $"{Product}: {TopicRecords} records, {DistinctKeys} live keys; tables: {CurrentRows} current rows, {HistoryRows} history rows"
            + (Problems.Count == 0 ? "" : Environment.NewLine + string.Join(Environment.NewLine, Problems.Take(20).Select(p => "  " + p)));
    }

    private sealed record TopicRecord(int Partition, long Offset, DateTimeOffset Timestamp, byte[]? Key, byte[]? Value);

    public static async Task<Result> CheckAsync(MeshServer server, string product, CancellationToken cancellationToken)
    {
        var detail = await server.Catalog.ProductAsync(product, cancellationToken) ?? throw new InvalidOperationException($"no product {product}");
        var domain = detail.Product.Domain;
        var id = detail.Product.FullName[(domain.Length + 1)..];
        var records = ReadTopic(server, detail.Product.Topic);
        var problems = new List<string>();

        var history = await server.Lake.LoadTableAsync(new TableIdentifier([domain], id + "_history"), cancellationToken);
        var current = detail.KeyFields.Count == 0 ? null : await server.Lake.LoadTableAsync(new TableIdentifier([domain], id), cancellationToken);
        foreach (var table in current is null ? [history] : new[] { current, history })
        {
            problems.AddRange((await table.MissingFilesAsync(cancellationToken)).Select(f => $"{table.Identifier}: referenced file {f} does not exist"));
        }

        var decoder = new WireValueDecoder(server.Registry);
        var historySchema = history.Schema;
        var keyFields = detail.KeyFields.Select(k => (current?.Schema ?? historySchema).FindField(k)!).ToList();

        // Expected rows, from the topic alone.
        var expectedHistory = new Dictionary<(int, long), object?[]>();
        var latest = new Dictionary<string, object?[]?>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            object?[] historyRow;
            if (record.Value is null)
            {
                var key = RowMapper.KeyFromText(keyFields, Encoding.UTF8.GetString(record.Key!));
                historyRow = new object?[historySchema.Fields.Count];
                for (var i = 0; i < keyFields.Count; i++)
                {
                    historyRow[historySchema.Fields.ToList().FindIndex(f => f.Name == keyFields[i].Name)] = key[i];
                }

                if (current is not null)
                {
                    latest[KeyText(key)] = null;
                }
            }
            else
            {
                var fields = (await decoder.DecodeAsync(record.Value, cancellationToken: cancellationToken)).Fields()!;
                historyRow = RowMapper.Row(historySchema, fields);
                if (current is not null)
                {
                    var row = RowMapper.Row(current.Schema, fields);
                    latest[KeyText(KeyOf(current.Schema, row))] = row;
                }
            }

            historyRow[^4] = record.Partition;
            historyRow[^3] = record.Offset;
            historyRow[^2] = record.Timestamp;
            historyRow[^1] = record.Value is null;
            expectedHistory[(record.Partition, record.Offset)] = historyRow;
        }

        // History: exactly the records of the topic, once each.
        var historyRows = (await history.ReadAsync(cancellationToken: cancellationToken)).Rows;
        var seen = new HashSet<(int, long)>();
        foreach (var row in historyRows)
        {
            var coordinates = ((int)row[^4]!, (long)row[^3]!);
            if (!seen.Add(coordinates))
            {
                problems.Add($"history: partition {coordinates.Item1} offset {coordinates.Item2} is there twice");
            }
            else if (!expectedHistory.TryGetValue(coordinates, out var expected))
            {
                problems.Add($"history: partition {coordinates.Item1} offset {coordinates.Item2} is not a record of the topic");
            }
            else if (!Same(expected, row))
            {
                problems.Add($"history: partition {coordinates.Item1} offset {coordinates.Item2} is {Show(row)}, the record is {Show(expected)}");
            }
        }

        problems.AddRange(expectedHistory.Keys.Where(k => !seen.Contains(k)).Select(k => $"history: partition {k.Item1} offset {k.Item2} is missing"));

        // Current: the latest value of every live key, once.
        var live = latest.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value!, StringComparer.Ordinal);
        var currentRows = current is null ? [] : (await current.ReadAsync(cancellationToken: cancellationToken)).Rows;
        if (current is not null)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var row in currentRows)
            {
                var key = KeyText(KeyOf(current.Schema, row));
                if (!keys.Add(key))
                {
                    problems.Add($"current: key {key} is there twice");
                }
                else if (!live.TryGetValue(key, out var expected))
                {
                    problems.Add($"current: key {key} is there, but {(latest.ContainsKey(key) ? "its latest record is a tombstone" : "no record has it")}");
                }
                else if (!Same(expected, row))
                {
                    problems.Add($"current: key {key} is {Show(row)}, its latest record is {Show(expected)}");
                }
            }

            problems.AddRange(live.Keys.Where(k => !keys.Contains(k)).Select(k => $"current: key {k} is missing"));
        }

        return new Result(product, records.Count, live.Count, currentRows.Count, historyRows.Count, problems);
    }

    private static List<TopicRecord> ReadTopic(MeshServer server, string topic)
    {
        var log = server.Broker.Logs.GetTopic(topic) ?? throw new InvalidOperationException($"no topic {topic}");
        var records = new List<TopicRecord>();
        for (var p = 0; p < log.Partitions.Count; p++)
        {
            var partition = log.Partitions[p];
            var index = p;
            records.AddRange(LogReader.Read(partition, partition.LogStartOffset, int.MaxValue, r =>
                new TopicRecord(index, r.Offset, DateTimeOffset.FromUnixTimeMilliseconds(r.Timestamp), r.Key?.ToArray(), r.Value?.ToArray())));
        }

        return records;
    }

    private static object?[] KeyOf(IcebergSchema schema, object?[] row) => [.. schema.IdentifierFieldIds.Select(i => row[schema.IndexOf(i)])];

    private static string KeyText(object?[] key) => string.Join("|", key.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

    /// <summary>Deep equality of row values (structs, lists, maps, bytes).</summary>
    public static bool Same(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (string x, string y) => x == y,
        (IList x, IList y) => x.Count == y.Count && Enumerable.Range(0, x.Count).All(i => Same(x[i], y[i])),
        (KeyValuePair<object?, object?> x, KeyValuePair<object?, object?> y) => Same(x.Key, y.Key) && Same(x.Value, y.Value),
        _ => a.Equals(b),
    };

    private static string Show(object?[] row) => "[" + string.Join(", ", row.Select(v => v switch
    {
        null => "null",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    })) + "]";
}
