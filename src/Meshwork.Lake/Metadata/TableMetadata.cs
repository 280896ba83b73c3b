using System.Globalization;
using System.Text.Json;

namespace Meshwork.Lake.Metadata;

/// <summary>
/// The table metadata file (format version 2): schemas, partition specs, sort orders, snapshots, logs, refs and
/// properties. Immutable; commits produce a new instance with <c>with</c>.
/// </summary>
public sealed record TableMetadata
{
    /// <summary>The only format version written.</summary>
    public const int FormatVersion2 = 2;

    /// <summary>Format version (2).</summary>
    public int FormatVersion { get; init; } = FormatVersion2;

    /// <summary>The table's UUID, fixed at creation.</summary>
    public required Guid TableUuid { get; init; }

    /// <summary>The table's base location (URI).</summary>
    public required string Location { get; init; }

    /// <summary>The highest sequence number assigned.</summary>
    public long LastSequenceNumber { get; init; }

    /// <summary>When the table last changed, milliseconds since the epoch.</summary>
    public long LastUpdatedMs { get; init; }

    /// <summary>The highest field id ever assigned.</summary>
    public int LastColumnId { get; init; }

    /// <summary>Every schema the table has had.</summary>
    public required IReadOnlyList<IcebergSchema> Schemas { get; init; }

    /// <summary>The current schema's id.</summary>
    public int CurrentSchemaId { get; init; }

    /// <summary>Every partition spec.</summary>
    public required IReadOnlyList<PartitionSpec> PartitionSpecs { get; init; }

    /// <summary>The spec new data is written with.</summary>
    public int DefaultSpecId { get; init; }

    /// <summary>The highest partition field id ever assigned.</summary>
    public int LastPartitionId { get; init; } = PartitionSpec.UnpartitionedLastId;

    /// <summary>Every sort order.</summary>
    public IReadOnlyList<SortOrder> SortOrders { get; init; } = [SortOrder.Unsorted];

    /// <summary>The default sort order id.</summary>
    public int DefaultSortOrderId { get; init; }

    /// <summary>Table properties.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>The current snapshot, or null for an empty table.</summary>
    public long? CurrentSnapshotId { get; init; }

    /// <summary>Valid snapshots.</summary>
    public IReadOnlyList<Snapshot> Snapshots { get; init; } = [];

    /// <summary>Changes of the current snapshot, oldest first.</summary>
    public IReadOnlyList<SnapshotLogEntry> SnapshotLog { get; init; } = [];

    /// <summary>Previous metadata files, oldest first.</summary>
    public IReadOnlyList<MetadataLogEntry> MetadataLog { get; init; } = [];

    /// <summary>Named references; <c>main</c> is the current snapshot.</summary>
    public IReadOnlyDictionary<string, SnapshotRef> Refs { get; init; } = new Dictionary<string, SnapshotRef>();

    /// <summary>The current schema.</summary>
    public IcebergSchema CurrentSchema => Schema(CurrentSchemaId);

    /// <summary>The default partition spec.</summary>
    public PartitionSpec DefaultSpec => Spec(DefaultSpecId);

    /// <summary>The current snapshot, or null.</summary>
    public Snapshot? CurrentSnapshot => CurrentSnapshotId is { } id ? Snapshot(id) : null;

    /// <summary>The schema with <paramref name="id"/>.</summary>
    public IcebergSchema Schema(int id) => Schemas.FirstOrDefault(s => s.SchemaId == id) ?? throw new IcebergFormatException($"table {TableUuid} has no schema {id}");

    /// <summary>The spec with <paramref name="id"/>.</summary>
    public PartitionSpec Spec(int id) => PartitionSpecs.FirstOrDefault(s => s.SpecId == id) ?? throw new IcebergFormatException($"table {TableUuid} has no partition spec {id}");

    /// <summary>The snapshot with <paramref name="id"/>.</summary>
    public Snapshot Snapshot(long id) => Snapshots.FirstOrDefault(s => s.SnapshotId == id) ?? throw new IcebergFormatException($"table {TableUuid} has no snapshot {id}");

    /// <summary>The snapshot and its ancestors, newest first.</summary>
    public IEnumerable<Snapshot> Ancestors(long? snapshotId)
    {
        var byId = Snapshots.ToDictionary(s => s.SnapshotId);
        while (snapshotId is { } id && byId.TryGetValue(id, out var s))
        {
            yield return s;
            snapshotId = s.ParentSnapshotId;
        }
    }

    /// <summary>A property as an integer, or <paramref name="fallback"/>.</summary>
    public long Property(string key, long fallback) =>
        Properties.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : fallback;

    /// <summary>Metadata for a new, empty table.</summary>
    public static TableMetadata Create(string location, IcebergSchema schema, PartitionSpec? spec, SortOrder? sortOrder, IReadOnlyDictionary<string, string>? properties, long nowMs, Guid? uuid = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(schema);
        spec ??= PartitionSpec.Unpartitioned;
        spec.ResultTypes(schema);
        return new TableMetadata
        {
            TableUuid = uuid ?? Guid.NewGuid(),
            Location = location.TrimEnd('/'),
            LastUpdatedMs = nowMs,
            LastColumnId = schema.HighestFieldId,
            Schemas = [schema],
            CurrentSchemaId = schema.SchemaId,
            PartitionSpecs = [spec],
            DefaultSpecId = spec.SpecId,
            LastPartitionId = Math.Max(PartitionSpec.UnpartitionedLastId, spec.LastFieldId),
            SortOrders = sortOrder is null || sortOrder.OrderId == 0 ? [SortOrder.Unsorted] : [SortOrder.Unsorted, sortOrder],
            DefaultSortOrderId = sortOrder?.OrderId ?? 0,
            Properties = properties ?? new Dictionary<string, string>(),
        };
    }

    /// <summary>Adds <paramref name="schema"/> (unless an identical one exists) and makes it current.</summary>
    public TableMetadata WithCurrentSchema(IcebergSchema schema, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var existing = Schemas.FirstOrDefault(s => s.SameStructure(schema));
        if (existing is not null)
        {
            return existing.SchemaId == CurrentSchemaId ? this : this with { CurrentSchemaId = existing.SchemaId, LastUpdatedMs = nowMs };
        }

        var added = schema.WithSchemaId(Schemas.Max(s => s.SchemaId) + 1);
        return this with
        {
            Schemas = [.. Schemas, added],
            CurrentSchemaId = added.SchemaId,
            LastColumnId = Math.Max(LastColumnId, added.HighestFieldId),
            LastUpdatedMs = nowMs,
        };
    }

    /// <summary>Returns the spec equivalent to <paramref name="fields"/>, adding it when the table has none.</summary>
    public (TableMetadata Metadata, PartitionSpec Spec) WithSpec(IReadOnlyList<PartitionField> fields, long nowMs, bool makeDefault)
    {
        var candidate = new PartitionSpec(-1, fields);
        var existing = PartitionSpecs.FirstOrDefault(s => s.SameFields(candidate));
        var metadata = this;
        if (existing is null)
        {
            existing = new PartitionSpec(PartitionSpecs.Max(s => s.SpecId) + 1, fields);
            metadata = this with
            {
                PartitionSpecs = [.. PartitionSpecs, existing],
                LastPartitionId = Math.Max(LastPartitionId, existing.LastFieldId),
                LastUpdatedMs = nowMs,
            };
        }

        return (makeDefault ? metadata with { DefaultSpecId = existing.SpecId } : metadata, existing);
    }

    /// <summary>Adds a snapshot and points <c>main</c> at it.</summary>
    public TableMetadata WithSnapshot(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var refs = new Dictionary<string, SnapshotRef>(Refs) { [SnapshotRef.Main] = new SnapshotRef(snapshot.SnapshotId) };
        return this with
        {
            Snapshots = [.. Snapshots, snapshot],
            CurrentSnapshotId = snapshot.SnapshotId,
            LastSequenceNumber = Math.Max(LastSequenceNumber, snapshot.SequenceNumber),
            LastUpdatedMs = snapshot.TimestampMs,
            SnapshotLog = [.. SnapshotLog, new SnapshotLogEntry(snapshot.TimestampMs, snapshot.SnapshotId)],
            Refs = refs,
        };
    }

    /// <summary>Writes the metadata file JSON.</summary>
    public string ToJson(bool indented = false) => TableMetadataJson.Write(this).ToJsonString(new JsonSerializerOptions { WriteIndented = indented });

    /// <summary>Parses a metadata file; <paramref name="what"/> names it in errors.</summary>
    public static TableMetadata FromJson(string json, string what = "metadata file") => TableMetadataJson.Read(json, what);
}
