using System.Globalization;
using System.Text.Json.Nodes;
using Meshwork.Formats.Avro;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake.Manifests;

/// <summary>
/// The Avro schemas of v2 manifests and manifest lists, in Java's field order and naming (<c>r102</c>,
/// <c>k117_v118</c>...), with the spec's <c>field-id</c> on every field and <c>element-id</c> on every array.
/// </summary>
public static class ManifestSchemas
{
    /// <summary>The manifest list schema (record <c>manifest_file</c>).</summary>
    public static AvroSchema ManifestList { get; } = AvroSchema.Parse(ManifestListJson().ToJsonString());

    /// <summary>The field ids a manifest list must carry, by field name.</summary>
    public static IReadOnlyDictionary<string, int> ManifestListIds { get; } = new Dictionary<string, int>
    {
        ["manifest_path"] = 500, ["manifest_length"] = 501, ["partition_spec_id"] = 502, ["content"] = 517, ["sequence_number"] = 515,
        ["min_sequence_number"] = 516, ["added_snapshot_id"] = 503, ["added_files_count"] = 504, ["existing_files_count"] = 505,
        ["deleted_files_count"] = 506, ["added_rows_count"] = 512, ["existing_rows_count"] = 513, ["deleted_rows_count"] = 514,
        ["partitions"] = 507, ["key_metadata"] = 519,
    };

    /// <summary>The field ids a manifest entry must carry, by field name.</summary>
    public static IReadOnlyDictionary<string, int> EntryIds { get; } = new Dictionary<string, int>
    {
        ["status"] = 0, ["snapshot_id"] = 1, ["sequence_number"] = 3, ["file_sequence_number"] = 4, ["data_file"] = 2,
    };

    /// <summary>The field ids of <c>data_file</c>, by field name.</summary>
    public static IReadOnlyDictionary<string, int> DataFileIds { get; } = new Dictionary<string, int>
    {
        ["content"] = 134, ["file_path"] = 100, ["file_format"] = 101, ["partition"] = 102, ["record_count"] = 103, ["file_size_in_bytes"] = 104,
        ["column_sizes"] = 108, ["value_counts"] = 109, ["null_value_counts"] = 110, ["nan_value_counts"] = 137, ["lower_bounds"] = 125,
        ["upper_bounds"] = 128, ["key_metadata"] = 131, ["split_offsets"] = 132, ["equality_ids"] = 135, ["sort_order_id"] = 140,
        ["referenced_data_file"] = 143,
    };

    /// <summary>The manifest entry schema (record <c>manifest_entry</c>) for a partition type.</summary>
    public static AvroSchema ManifestEntry(IReadOnlyList<(PartitionField Field, PrimitiveType Type)> partition) =>
        AvroSchema.Parse(ManifestEntryJson(partition).ToJsonString());

    /// <summary>The Avro schema JSON of an Iceberg primitive (Iceberg's own mapping, used for partition values).</summary>
    public static JsonNode AvroType(PrimitiveType type) => type.Id switch
    {
        TypeId.Boolean => "boolean",
        TypeId.Int => "int",
        TypeId.Long => "long",
        TypeId.Float => "float",
        TypeId.Double => "double",
        TypeId.String => "string",
        TypeId.Binary => "bytes",
        TypeId.Date => new JsonObject { ["type"] = "int", ["logicalType"] = "date" },
        TypeId.Time => new JsonObject { ["type"] = "long", ["logicalType"] = "time-micros" },
        TypeId.Timestamp => new JsonObject { ["type"] = "long", ["logicalType"] = "timestamp-micros", ["adjust-to-utc"] = false },
        TypeId.TimestampTz => new JsonObject { ["type"] = "long", ["logicalType"] = "timestamp-micros", ["adjust-to-utc"] = true },
        TypeId.Uuid => new JsonObject { ["type"] = "fixed", ["name"] = "uuid_fixed", ["size"] = 16, ["logicalType"] = "uuid" },
        TypeId.Fixed => new JsonObject { ["type"] = "fixed", ["name"] = string.Create(CultureInfo.InvariantCulture, $"fixed_{type.Length}"), ["size"] = type.Length },
        TypeId.Decimal => new JsonObject
        {
            ["type"] = "fixed",
            ["name"] = string.Create(CultureInfo.InvariantCulture, $"decimal_{type.Precision}_{type.Scale}"),
            ["size"] = DecimalBytes(type.Precision),
            ["logicalType"] = "decimal",
            ["precision"] = type.Precision,
            ["scale"] = type.Scale,
        },
        _ => throw new ArgumentException(type.ToString()),
    };

    /// <summary>Bytes of the fixed that holds a decimal of <paramref name="precision"/> digits.</summary>
    public static int DecimalBytes(int precision) => Formats.Parquet.ParquetField.DecimalBytes(precision);

    private static JsonObject Field(string name, JsonNode type, int id, bool optional = false, string? doc = null)
    {
        var o = new JsonObject { ["name"] = name, ["type"] = optional ? new JsonArray("null", type) : type };
        if (doc is not null)
        {
            o["doc"] = doc;
        }

        if (optional)
        {
            o["default"] = null;
        }

        o["field-id"] = id;
        return o;
    }

    private static JsonObject IntMap(int keyId, int valueId, string valueType) => new()
    {
        ["type"] = "array",
        ["logicalType"] = "map",
        ["items"] = new JsonObject
        {
            ["type"] = "record",
            ["name"] = string.Create(CultureInfo.InvariantCulture, $"k{keyId}_v{valueId}"),
            ["fields"] = new JsonArray(Field("key", "int", keyId), Field("value", valueType, valueId)),
        },
    };

    private static JsonObject Array(JsonNode items, int elementId) => new() { ["type"] = "array", ["items"] = items, ["element-id"] = elementId };

    private static JsonObject ManifestListJson() => new()
    {
        ["type"] = "record",
        ["name"] = "manifest_file",
        ["fields"] = new JsonArray(
            Field("manifest_path", "string", 500, doc: "Location URI with FS scheme"),
            Field("manifest_length", "long", 501, doc: "Total file size in bytes"),
            Field("partition_spec_id", "int", 502, doc: "Spec ID used to write"),
            Field("content", "int", 517, doc: "Contents of the manifest: 0=data, 1=deletes"),
            Field("sequence_number", "long", 515, doc: "Sequence number when the manifest was added"),
            Field("min_sequence_number", "long", 516, doc: "Lowest sequence number in the manifest"),
            Field("added_snapshot_id", "long", 503, doc: "Snapshot ID that added the manifest"),
            Field("added_files_count", "int", 504, doc: "Added entry count"),
            Field("existing_files_count", "int", 505, doc: "Existing entry count"),
            Field("deleted_files_count", "int", 506, doc: "Deleted entry count"),
            Field("added_rows_count", "long", 512, doc: "Added rows count"),
            Field("existing_rows_count", "long", 513, doc: "Existing rows count"),
            Field("deleted_rows_count", "long", 514, doc: "Deleted rows count"),
            Field("partitions", Array(new JsonObject
            {
                ["type"] = "record",
                ["name"] = "r508",
                ["fields"] = new JsonArray(
                    Field("contains_null", "boolean", 509, doc: "True if any file has a null partition value"),
                    Field("contains_nan", "boolean", 518, optional: true, doc: "True if any file has a nan partition value"),
                    Field("lower_bound", "bytes", 510, optional: true, doc: "Partition lower bound for all files"),
                    Field("upper_bound", "bytes", 511, optional: true, doc: "Partition upper bound for all files")),
            }, 508), 507, optional: true, doc: "Summary for each partition"),
            Field("key_metadata", "bytes", 519, optional: true, doc: "Encryption key metadata blob")),
    };

    private static JsonObject ManifestEntryJson(IReadOnlyList<(PartitionField Field, PrimitiveType Type)> partition)
    {
        var partitionFields = new JsonArray();
        foreach (var (field, type) in partition)
        {
            // Partition values are nullable: a null source value maps to a null partition.
            partitionFields.Add(Field(field.Name, AvroType(type), field.FieldId, optional: true));
        }

        var dataFile = new JsonObject
        {
            ["type"] = "record",
            ["name"] = "r2",
            ["fields"] = new JsonArray(
                Field("content", "int", 134, doc: "Contents of the file: 0=data, 1=position deletes, 2=equality deletes"),
                Field("file_path", "string", 100, doc: "Location URI with FS scheme"),
                Field("file_format", "string", 101, doc: "File format name: avro, orc, or parquet"),
                Field("partition", new JsonObject { ["type"] = "record", ["name"] = "r102", ["fields"] = partitionFields }, 102, doc: "Partition data tuple, schema based on the partition spec"),
                Field("record_count", "long", 103, doc: "Number of records in the file"),
                Field("file_size_in_bytes", "long", 104, doc: "Total file size in bytes"),
                Field("column_sizes", IntMap(117, 118, "long"), 108, optional: true, doc: "Map of column id to total size on disk"),
                Field("value_counts", IntMap(119, 120, "long"), 109, optional: true, doc: "Map of column id to total count, including null and NaN"),
                Field("null_value_counts", IntMap(121, 122, "long"), 110, optional: true, doc: "Map of column id to null value count"),
                Field("nan_value_counts", IntMap(138, 139, "long"), 137, optional: true, doc: "Map of column id to number of NaN values in the column"),
                Field("lower_bounds", IntMap(126, 127, "bytes"), 125, optional: true, doc: "Map of column id to lower bound"),
                Field("upper_bounds", IntMap(129, 130, "bytes"), 128, optional: true, doc: "Map of column id to upper bound"),
                Field("key_metadata", "bytes", 131, optional: true, doc: "Encryption key metadata blob"),
                Field("split_offsets", Array("long", 133), 132, optional: true, doc: "Splittable offsets"),
                Field("equality_ids", Array("int", 136), 135, optional: true, doc: "Equality comparison field IDs"),
                Field("sort_order_id", "int", 140, optional: true, doc: "Sort order ID"),
                Field("referenced_data_file", "string", 143, optional: true, doc: "Fully qualified location of a data file that all deletes reference")),
        };
        return new JsonObject
        {
            ["type"] = "record",
            ["name"] = "manifest_entry",
            ["fields"] = new JsonArray(
                Field("status", "int", 0),
                Field("snapshot_id", "long", 1, optional: true),
                Field("sequence_number", "long", 3, optional: true),
                Field("file_sequence_number", "long", 4, optional: true),
                Field("data_file", dataFile, 2)),
        };
    }
}
