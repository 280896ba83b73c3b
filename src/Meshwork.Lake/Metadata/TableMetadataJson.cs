using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Meshwork.Lake.Metadata;

/// <summary>Reads and writes the table metadata JSON of the spec ("Table Metadata Fields", v2 column).</summary>
public static class TableMetadataJson
{
    /// <summary>The metadata as a JSON object, with every field v2 requires.</summary>
    public static JsonObject Write(TableMetadata m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var o = new JsonObject
        {
            ["format-version"] = m.FormatVersion,
            ["table-uuid"] = m.TableUuid.ToString(),
            ["location"] = m.Location,
            ["last-sequence-number"] = m.LastSequenceNumber,
            ["last-updated-ms"] = m.LastUpdatedMs,
            ["last-column-id"] = m.LastColumnId,
            ["current-schema-id"] = m.CurrentSchemaId,
            ["schemas"] = new JsonArray([.. m.Schemas.Select(s => (JsonNode)SchemaJson.Write(s))]),
            ["default-spec-id"] = m.DefaultSpecId,
            ["partition-specs"] = new JsonArray([.. m.PartitionSpecs.Select(s => (JsonNode)s.ToJson())]),
            ["last-partition-id"] = m.LastPartitionId,
            ["default-sort-order-id"] = m.DefaultSortOrderId,
            ["sort-orders"] = new JsonArray([.. m.SortOrders.Select(s => (JsonNode)s.ToJson())]),
            ["properties"] = StringMap(m.Properties),
            ["current-snapshot-id"] = m.CurrentSnapshotId ?? -1,
            ["refs"] = Refs(m.Refs),
            ["snapshots"] = new JsonArray([.. m.Snapshots.Select(s => (JsonNode)WriteSnapshot(s))]),
            ["statistics"] = new JsonArray(),
            ["partition-statistics"] = new JsonArray(),
            ["snapshot-log"] = new JsonArray([.. m.SnapshotLog.Select(e => (JsonNode)new JsonObject { ["timestamp-ms"] = e.TimestampMs, ["snapshot-id"] = e.SnapshotId })]),
            ["metadata-log"] = new JsonArray([.. m.MetadataLog.Select(e => (JsonNode)new JsonObject { ["timestamp-ms"] = e.TimestampMs, ["metadata-file"] = e.MetadataFile })]),
        };
        return o;
    }

    /// <summary>A snapshot as JSON.</summary>
    public static JsonObject WriteSnapshot(Snapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var o = new JsonObject { ["snapshot-id"] = s.SnapshotId };
        if (s.ParentSnapshotId is { } parent)
        {
            o["parent-snapshot-id"] = parent;
        }

        o["sequence-number"] = s.SequenceNumber;
        o["timestamp-ms"] = s.TimestampMs;
        o["manifest-list"] = s.ManifestList;
        o["summary"] = StringMap(s.Summary);
        if (s.SchemaId is { } schemaId)
        {
            o["schema-id"] = schemaId;
        }

        return o;
    }

    /// <summary>Parses a metadata file; errors name <paramref name="what"/>.</summary>
    public static TableMetadata Read(string json, string what)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new IcebergFormatException($"{what} is not valid JSON: {e.Message}", e);
        }

        try
        {
            return Read(node as JsonObject ?? throw new IcebergFormatException($"{what} is not a JSON object"));
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException or ArgumentException or KeyNotFoundException)
        {
            throw new IcebergFormatException($"{what}: {e.Message}", e);
        }
        catch (IcebergFormatException e)
        {
            throw new IcebergFormatException($"{what}: {e.Message}", e);
        }
    }

    /// <summary>Reads a metadata object.</summary>
    public static TableMetadata Read(JsonObject o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var version = Required(o, "format-version").GetValue<int>();
        if (version is < 1 or > 2)
        {
            throw new IcebergFormatException($"format-version {version} is not supported (1 and 2 are)");
        }

        var schemas = o["schemas"] is JsonArray sa
            ? sa.Select(s => SchemaJson.Read(s!)).ToList()
            : [SchemaJson.Read(Required(o, "schema"))];
        var specs = o["partition-specs"] is JsonArray pa
            ? pa.Select(s => PartitionSpec.FromJson(s!)).ToList()
            : [new PartitionSpec(0, PartitionSpec.FromJson(new JsonObject { ["fields"] = Required(o, "partition-spec").DeepClone() }).Fields)];
        var snapshots = (o["snapshots"] as JsonArray ?? []).Select(s => ReadSnapshot((JsonObject)s!)).ToList();
        var current = o["current-snapshot-id"]?.GetValue<long>();
        var refs = new Dictionary<string, SnapshotRef>();
        foreach (var (name, value) in o["refs"] as JsonObject ?? [])
        {
            var r = (JsonObject)value!;
            refs[name] = new SnapshotRef(Required(r, "snapshot-id").GetValue<long>(), (string?)r["type"] ?? "branch",
                r["max-ref-age-ms"]?.GetValue<long>(), r["max-snapshot-age-ms"]?.GetValue<long>(), r["min-snapshots-to-keep"]?.GetValue<int>());
        }

        if (current is { } c && c >= 0 && !refs.ContainsKey(SnapshotRef.Main))
        {
            refs[SnapshotRef.Main] = new SnapshotRef(c);
        }

        return new TableMetadata
        {
            FormatVersion = version,
            TableUuid = Guid.Parse((string?)o["table-uuid"] ?? throw new IcebergFormatException("missing table-uuid")),
            Location = (string?)o["location"] ?? throw new IcebergFormatException("missing location"),
            LastSequenceNumber = o["last-sequence-number"]?.GetValue<long>() ?? 0,
            LastUpdatedMs = Required(o, "last-updated-ms").GetValue<long>(),
            LastColumnId = Required(o, "last-column-id").GetValue<int>(),
            Schemas = schemas,
            CurrentSchemaId = o["current-schema-id"]?.GetValue<int>() ?? schemas[0].SchemaId,
            PartitionSpecs = specs,
            DefaultSpecId = o["default-spec-id"]?.GetValue<int>() ?? specs[0].SpecId,
            LastPartitionId = o["last-partition-id"]?.GetValue<int>() ?? specs.Max(s => s.LastFieldId),
            SortOrders = o["sort-orders"] is JsonArray so ? so.Select(s => SortOrder.FromJson(s!)).ToList() : [SortOrder.Unsorted],
            DefaultSortOrderId = o["default-sort-order-id"]?.GetValue<int>() ?? 0,
            Properties = ReadStringMap(o["properties"]),
            CurrentSnapshotId = current is null or < 0 ? null : current,
            Snapshots = snapshots,
            SnapshotLog = (o["snapshot-log"] as JsonArray ?? []).Select(e => new SnapshotLogEntry(e!["timestamp-ms"]!.GetValue<long>(), e["snapshot-id"]!.GetValue<long>())).ToList(),
            MetadataLog = (o["metadata-log"] as JsonArray ?? []).Select(e => new MetadataLogEntry(e!["timestamp-ms"]!.GetValue<long>(), (string)e["metadata-file"]!)).ToList(),
            Refs = refs,
        };
    }

    /// <summary>Reads a snapshot object.</summary>
    public static Snapshot ReadSnapshot(JsonObject s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new Snapshot(
            Required(s, "snapshot-id").GetValue<long>(),
            s["parent-snapshot-id"]?.GetValue<long>(),
            s["sequence-number"]?.GetValue<long>() ?? 0,
            Required(s, "timestamp-ms").GetValue<long>(),
            (string?)s["manifest-list"] ?? throw new IcebergFormatException($"snapshot {s["snapshot-id"]} has no manifest-list (v1 inline manifests are not supported)"),
            ReadStringMap(s["summary"]),
            s["schema-id"]?.GetValue<int>());
    }

    private static JsonNode Required(JsonObject o, string key) => o[key] ?? throw new IcebergFormatException($"missing required field \"{key}\"");

    private static JsonObject StringMap(IReadOnlyDictionary<string, string> map)
    {
        var o = new JsonObject();
        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            o[k] = v;
        }

        return o;
    }

    private static JsonObject Refs(IReadOnlyDictionary<string, SnapshotRef> refs)
    {
        var o = new JsonObject();
        foreach (var (name, r) in refs)
        {
            var ro = new JsonObject { ["snapshot-id"] = r.SnapshotId, ["type"] = r.Type };
            if (r.MaxRefAgeMs is { } a)
            {
                ro["max-ref-age-ms"] = a;
            }

            if (r.MaxSnapshotAgeMs is { } b)
            {
                ro["max-snapshot-age-ms"] = b;
            }

            if (r.MinSnapshotsToKeep is { } c)
            {
                ro["min-snapshots-to-keep"] = c;
            }

            o[name] = ro;
        }

        return o;
    }

    private static Dictionary<string, string> ReadStringMap(JsonNode? node)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in node as JsonObject ?? [])
        {
            d[k] = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";
        }

        return d;
    }

    /// <summary>Formats a long for summaries.</summary>
    internal static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
