using System.Text.Json.Nodes;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake.Rest;

/// <summary>The requirements and updates of the REST catalog's <c>CommitTableRequest</c>, checked and applied to table metadata.</summary>
public static class CommitUpdates
{
    /// <summary>Throws <see cref="CommitConflictException"/> when <paramref name="requirement"/> does not hold for <paramref name="m"/>.</summary>
    public static void Check(JsonObject requirement, TableMetadata m)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        ArgumentNullException.ThrowIfNull(m);
        var type = (string?)requirement["type"];
        switch (type)
        {
            case "assert-table-uuid":
                Require(Guid.Parse((string)requirement["uuid"]!) == m.TableUuid, $"table uuid is {m.TableUuid}, not {requirement["uuid"]}");
                break;
            case "assert-ref-snapshot-id":
                var name = (string)requirement["ref"]!;
                var expected = requirement["snapshot-id"]?.GetValue<long>();
                var actual = m.Refs.TryGetValue(name, out var r) ? r.SnapshotId : (long?)null;
                Require(expected == actual, $"branch {name} is at snapshot {actual?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, not {expected?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
                break;
            case "assert-last-assigned-field-id":
                Require(requirement["last-assigned-field-id"]!.GetValue<int>() == m.LastColumnId, $"last assigned field id is {m.LastColumnId}");
                break;
            case "assert-current-schema-id":
                Require(requirement["current-schema-id"]!.GetValue<int>() == m.CurrentSchemaId, $"current schema id is {m.CurrentSchemaId}");
                break;
            case "assert-last-assigned-partition-id":
                Require(requirement["last-assigned-partition-id"]!.GetValue<int>() == m.LastPartitionId, $"last assigned partition id is {m.LastPartitionId}");
                break;
            case "assert-default-spec-id":
                Require(requirement["default-spec-id"]!.GetValue<int>() == m.DefaultSpecId, $"default spec id is {m.DefaultSpecId}");
                break;
            case "assert-default-sort-order-id":
                Require(requirement["default-sort-order-id"]!.GetValue<int>() == m.DefaultSortOrderId, $"default sort order id is {m.DefaultSortOrderId}");
                break;
            default:
                throw new IcebergFormatException($"unknown commit requirement '{type}'");
        }
    }

    /// <summary>Applies <paramref name="updates"/> in order and returns the new metadata.</summary>
    public static TableMetadata Apply(TableMetadata metadata, JsonArray updates, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(updates);
        var m = metadata;
        int? lastSchema = null, lastSpec = null, lastOrder = null;
        foreach (var node in updates)
        {
            var u = node as JsonObject ?? throw new IcebergFormatException("each update must be a JSON object");
            var action = (string?)u["action"];
            switch (action)
            {
                case "assign-uuid":
                    Require(Guid.Parse((string)u["uuid"]!) == m.TableUuid, "the table uuid cannot change");
                    break;
                case "upgrade-format-version":
                    var version = u["format-version"]!.GetValue<int>();
                    if (version != TableMetadata.FormatVersion2)
                    {
                        throw new IcebergFormatException($"format-version {version} is not supported; this catalog writes version 2");
                    }

                    m = m with { FormatVersion = version };
                    break;
                case "add-schema":
                    var schema = SchemaJson.Read(u["schema"]!);
                    var schemaId = m.Schemas.Max(s => s.SchemaId) + 1;
                    var existing = m.Schemas.FirstOrDefault(s => s.SameStructure(schema));
                    if (existing is null)
                    {
                        m = m with
                        {
                            Schemas = [.. m.Schemas, schema.WithSchemaId(schemaId)],
                            LastColumnId = Math.Max(m.LastColumnId, u["last-column-id"]?.GetValue<int>() ?? schema.HighestFieldId),
                        };
                        lastSchema = schemaId;
                    }
                    else
                    {
                        lastSchema = existing.SchemaId;
                    }

                    break;
                case "set-current-schema":
                    var sid = u["schema-id"]!.GetValue<int>();
                    sid = sid == -1 ? lastSchema ?? throw new IcebergFormatException("set-current-schema -1 needs an add-schema before it") : sid;
                    m = m with { CurrentSchemaId = m.Schema(sid).SchemaId };
                    break;
                case "add-spec":
                    var spec = PartitionSpec.FromJson(u["spec"]!);
                    (m, var added) = m.WithSpec(spec.Fields, nowMs, makeDefault: false);
                    lastSpec = added.SpecId;
                    break;
                case "set-default-spec":
                    var specId = u["spec-id"]!.GetValue<int>();
                    specId = specId == -1 ? lastSpec ?? throw new IcebergFormatException("set-default-spec -1 needs an add-spec before it") : specId;
                    m = m with { DefaultSpecId = m.Spec(specId).SpecId };
                    break;
                case "add-sort-order":
                    var order = SortOrder.FromJson(u["sort-order"]!);
                    var orderId = order.Fields.Count == 0 ? 0 : m.SortOrders.Max(o => o.OrderId) + 1;
                    if (m.SortOrders.All(o => o.OrderId != orderId))
                    {
                        m = m with { SortOrders = [.. m.SortOrders, order with { OrderId = orderId }] };
                    }

                    lastOrder = orderId;
                    break;
                case "set-default-sort-order":
                    var oid = u["sort-order-id"]!.GetValue<int>();
                    m = m with { DefaultSortOrderId = oid == -1 ? lastOrder ?? throw new IcebergFormatException("set-default-sort-order -1 needs an add-sort-order before it") : oid };
                    break;
                case "add-snapshot":
                    var snapshot = TableMetadataJson.ReadSnapshot((JsonObject)u["snapshot"]!);
                    if (m.Snapshots.Any(s => s.SnapshotId == snapshot.SnapshotId))
                    {
                        throw new IcebergFormatException($"snapshot {snapshot.SnapshotId} already exists");
                    }

                    if (snapshot.SequenceNumber <= m.LastSequenceNumber && m.Snapshots.Count > 0)
                    {
                        throw new CommitConflictException($"snapshot sequence number {snapshot.SequenceNumber} is not above the table's last sequence number {m.LastSequenceNumber}");
                    }

                    m = m with
                    {
                        Snapshots = [.. m.Snapshots, snapshot],
                        LastSequenceNumber = Math.Max(m.LastSequenceNumber, snapshot.SequenceNumber),
                        LastUpdatedMs = snapshot.TimestampMs,
                    };
                    break;
                case "set-snapshot-ref":
                    var refName = (string)u["ref-name"]!;
                    var target = u["snapshot-id"]!.GetValue<long>();
                    m.Snapshot(target);
                    var refs = new Dictionary<string, SnapshotRef>(m.Refs)
                    {
                        [refName] = new SnapshotRef(target, (string?)u["type"] ?? "branch", u["max-ref-age-ms"]?.GetValue<long>(), u["max-snapshot-age-ms"]?.GetValue<long>(), u["min-snapshots-to-keep"]?.GetValue<int>()),
                    };
                    m = m with { Refs = refs };
                    if (refName == SnapshotRef.Main)
                    {
                        m = m with { CurrentSnapshotId = target, SnapshotLog = [.. m.SnapshotLog, new SnapshotLogEntry(Math.Max(nowMs, m.LastUpdatedMs), target)] };
                    }

                    break;
                case "remove-snapshots":
                    var ids = (u["snapshot-ids"] as JsonArray ?? []).Select(i => i!.GetValue<long>()).ToHashSet();
                    m = m with { Snapshots = [.. m.Snapshots.Where(s => !ids.Contains(s.SnapshotId))], SnapshotLog = [.. m.SnapshotLog.Where(e => !ids.Contains(e.SnapshotId))] };
                    break;
                case "remove-snapshot-ref":
                    var removed = (string)u["ref-name"]!;
                    m = m with { Refs = m.Refs.Where(p => p.Key != removed).ToDictionary(p => p.Key, p => p.Value) };
                    if (removed == SnapshotRef.Main)
                    {
                        m = m with { CurrentSnapshotId = null };
                    }

                    break;
                case "set-location":
                    m = m with { Location = ((string)u["location"]!).TrimEnd('/') };
                    break;
                case "set-properties":
                    var props = new Dictionary<string, string>(m.Properties);
                    foreach (var (k, v) in u["updates"] as JsonObject ?? [])
                    {
                        props[k] = (string?)v ?? "";
                    }

                    m = m with { Properties = props };
                    break;
                case "remove-properties":
                    var without = new Dictionary<string, string>(m.Properties);
                    foreach (var k in u["removals"] as JsonArray ?? [])
                    {
                        without.Remove((string)k!);
                    }

                    m = m with { Properties = without };
                    break;
                case "set-statistics" or "remove-statistics" or "set-partition-statistics" or "remove-partition-statistics":
                    // Statistics files are optional hints; this catalog does not keep them.
                    break;
                default:
                    throw new IcebergFormatException($"unknown commit update action '{action}'");
            }
        }

        return m with { LastUpdatedMs = Math.Max(nowMs, m.LastUpdatedMs) };
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new CommitConflictException($"requirement failed: {message}");
        }
    }
}
