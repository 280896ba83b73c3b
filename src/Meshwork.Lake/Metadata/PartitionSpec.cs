using System.Text.Json.Nodes;

namespace Meshwork.Lake.Metadata;

/// <summary>One partition field: a transform of a source column, with its own field id (1000 and up).</summary>
/// <param name="SourceId">The source column's field id.</param>
/// <param name="FieldId">The partition field id, unique across all specs of the table.</param>
/// <param name="Name">The partition field name (the manifest's partition record field).</param>
/// <param name="Transform">The transform.</param>
public sealed record PartitionField(int SourceId, int FieldId, string Name, Transform Transform);

/// <summary>A partition spec: how rows are grouped into data files. Spec 0 with no fields is unpartitioned.</summary>
public sealed class PartitionSpec
{
    /// <summary>The last partition field id of a table without partition fields (Java's convention).</summary>
    public const int UnpartitionedLastId = 999;

    /// <summary>Creates a spec.</summary>
    public PartitionSpec(int specId, IReadOnlyList<PartitionField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        SpecId = specId;
        Fields = fields;
    }

    /// <summary>The unpartitioned spec with id 0.</summary>
    public static PartitionSpec Unpartitioned { get; } = new(0, []);

    /// <summary>The spec id.</summary>
    public int SpecId { get; }

    /// <summary>The partition fields, in order.</summary>
    public IReadOnlyList<PartitionField> Fields { get; }

    /// <summary>True when the spec has no fields (or only void ones).</summary>
    public bool IsUnpartitioned => Fields.All(f => f.Transform.Kind == TransformKind.Void);

    /// <summary>The highest partition field id (999 when there is none).</summary>
    public int LastFieldId => Fields.Count == 0 ? UnpartitionedLastId : Fields.Max(f => f.FieldId);

    /// <summary>Result types of the fields against <paramref name="schema"/>; throws when a source is missing or not primitive.</summary>
    public IReadOnlyList<PrimitiveType> ResultTypes(IcebergSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return [.. Fields.Select(f => f.Transform.ResultType(SourceType(schema, f)))];
    }

    /// <summary>The source column type of <paramref name="field"/>.</summary>
    public static PrimitiveType SourceType(IcebergSchema schema, PartitionField field)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(field);
        return schema.FindField(field.SourceId)?.Type as PrimitiveType
            ?? throw new IcebergFormatException($"partition field '{field.Name}' has source id {field.SourceId}, which is not a primitive column of schema {schema.SchemaId}");
    }

    /// <summary>True when both specs partition the same way (ids of the specs aside).</summary>
    public bool SameFields(PartitionSpec other) =>
        other is not null && other.Fields.Count == Fields.Count && Fields.Zip(other.Fields).All(p => p.First.SourceId == p.Second.SourceId && p.First.Transform == p.Second.Transform && p.First.Name == p.Second.Name);

    /// <summary>The spec as JSON (<c>spec-id</c>, <c>fields</c>).</summary>
    public JsonObject ToJson() => new() { ["spec-id"] = SpecId, ["fields"] = FieldsJson() };

    /// <summary>Only the fields array, which is what manifests carry in their <c>partition-spec</c> metadata.</summary>
    public JsonArray FieldsJson()
    {
        var a = new JsonArray();
        foreach (var f in Fields)
        {
            a.Add(new JsonObject { ["name"] = f.Name, ["transform"] = f.Transform.ToString(), ["source-id"] = f.SourceId, ["field-id"] = f.FieldId });
        }

        return a;
    }

    /// <summary>Reads a spec object; also accepts <c>source_id</c>/<c>field_id</c>, which some clients send.</summary>
    public static PartitionSpec FromJson(JsonNode node, int defaultSpecId = 0)
    {
        ArgumentNullException.ThrowIfNull(node);
        var o = node as JsonObject ?? throw new IcebergFormatException("a partition spec must be a JSON object");
        var id = o["spec-id"] is { } s ? s.GetValue<int>() : defaultSpecId;
        var fields = new List<PartitionField>();
        var next = UnpartitionedLastId;
        foreach (var f in o["fields"] as JsonArray ?? [])
        {
            var fo = f as JsonObject ?? throw new IcebergFormatException("partition fields must be objects");
            var sourceId = (fo["source-id"] ?? fo["source_id"])?.GetValue<int>() ?? throw new IcebergFormatException("a partition field has no source-id");
            var fieldId = (fo["field-id"] ?? fo["field_id"])?.GetValue<int>() ?? ++next;
            next = Math.Max(next, fieldId);
            var transform = Transform.Parse((string?)fo["transform"] ?? throw new IcebergFormatException("a partition field has no transform"));
            fields.Add(new PartitionField(sourceId, fieldId, (string?)fo["name"] ?? throw new IcebergFormatException("a partition field has no name"), transform));
        }

        return new PartitionSpec(id, fields);
    }

    /// <summary>
    /// Builds a spec over <paramref name="schema"/> from (column name, transform) pairs, naming fields as Java does
    /// (<c>col</c>, <c>col_bucket</c>, <c>col_trunc</c>, <c>col_year</c>, ...), with ids after <paramref name="lastPartitionId"/>.
    /// </summary>
    public static PartitionSpec Build(IcebergSchema schema, int specId, int lastPartitionId, params (string Column, Transform Transform)[] fields)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var list = new List<PartitionField>();
        foreach (var (column, transform) in fields)
        {
            var source = schema.FindField(column) ?? throw new IcebergFormatException($"partition source column '{column}' is not in the schema");
            var suffix = transform.Kind switch
            {
                TransformKind.Identity => "",
                TransformKind.Bucket => "_bucket",
                TransformKind.Truncate => "_trunc",
                TransformKind.Void => "_null",
                _ => "_" + transform.Kind.ToString().ToLowerInvariant(),
            };
            var field = new PartitionField(source.Id, ++lastPartitionId, column + suffix, transform);
            transform.ResultType(SourceType(schema, field));
            list.Add(field);
        }

        return new PartitionSpec(specId, list);
    }
}

/// <summary>One sort field.</summary>
/// <param name="SourceId">The source column id.</param>
/// <param name="Transform">The transform applied before sorting.</param>
/// <param name="Descending">Descending instead of ascending.</param>
/// <param name="NullsFirst">Nulls first instead of last.</param>
public sealed record SortField(int SourceId, Transform Transform, bool Descending, bool NullsFirst);

/// <summary>A sort order; order 0 with no fields is "unsorted".</summary>
/// <param name="OrderId">The order id.</param>
/// <param name="Fields">The sort fields.</param>
public sealed record SortOrder(int OrderId, IReadOnlyList<SortField> Fields)
{
    /// <summary>The unsorted order.</summary>
    public static SortOrder Unsorted { get; } = new(0, []);

    /// <summary>The order as JSON.</summary>
    public JsonObject ToJson()
    {
        var a = new JsonArray();
        foreach (var f in Fields)
        {
            a.Add(new JsonObject
            {
                ["transform"] = f.Transform.ToString(),
                ["source-id"] = f.SourceId,
                ["direction"] = f.Descending ? "desc" : "asc",
                ["null-order"] = f.NullsFirst ? "nulls-first" : "nulls-last",
            });
        }

        return new JsonObject { ["order-id"] = OrderId, ["fields"] = a };
    }

    /// <summary>Reads an order object; also accepts <c>source_id</c>/<c>null_order</c>.</summary>
    public static SortOrder FromJson(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var o = node as JsonObject ?? throw new IcebergFormatException("a sort order must be a JSON object");
        var fields = new List<SortField>();
        foreach (var f in o["fields"] as JsonArray ?? [])
        {
            var fo = (JsonObject)f!;
            fields.Add(new SortField(
                (fo["source-id"] ?? fo["source_id"])?.GetValue<int>() ?? throw new IcebergFormatException("a sort field has no source-id"),
                Transform.Parse((string?)fo["transform"] ?? "identity"),
                (string?)fo["direction"] == "desc",
                ((string?)(fo["null-order"] ?? fo["null_order"])) == "nulls-first"));
        }

        return new SortOrder(o["order-id"]?.GetValue<int>() ?? 0, fields);
    }
}
