using System.Text.Json;
using Meshwork.Formats.Avro;

namespace Meshwork.Lake.Metadata;

/// <summary>
/// Maps registry schemas (Avro records, JSON Schema objects) to Iceberg schemas, following registry versions:
/// a field that existed in the previous table schema (same name at the same place) keeps its id, a new field
/// gets the next id after the table's last column id, so ids never repeat and never move.
/// </summary>
public static class SchemaMapper
{
    /// <summary>
    /// The Iceberg schema for an Avro record. <paramref name="previous"/> is the table's current schema (null for a
    /// new table); <paramref name="lastColumnId"/> is the table's <c>last-column-id</c> and is advanced past new ids.
    /// Keys (<paramref name="identifierFields"/>) are top-level field names.
    /// </summary>
    public static IcebergSchema FromAvro(AvroSchema avro, IcebergSchema? previous, ref int lastColumnId, IReadOnlyList<string>? identifierFields = null)
    {
        ArgumentNullException.ThrowIfNull(avro);
        if (avro is not RecordSchema record)
        {
            throw new IcebergFormatException($"a table schema must come from an Avro record, not {avro.Type}");
        }

        var next = lastColumnId;
        var fields = MapRecord(record, previous?.Struct, ref next, record.FullName);
        lastColumnId = next;
        return Build(previous, fields, identifierFields);
    }

    /// <summary>The Iceberg schema for a JSON Schema object (<c>"type": "object"</c> with <c>properties</c>), evolved like <see cref="FromAvro"/>.</summary>
    public static IcebergSchema FromJsonSchema(string jsonSchema, IcebergSchema? previous, ref int lastColumnId, IReadOnlyList<string>? identifierFields = null)
    {
        using var document = JsonDocument.Parse(jsonSchema);
        var next = lastColumnId;
        if (MapJson(document.RootElement, previous?.Struct, ref next, "$") is not (StructType root, _))
        {
            throw new IcebergFormatException("a table schema must come from a JSON Schema with \"type\": \"object\" and \"properties\"");
        }

        lastColumnId = next;
        return Build(previous, root.Fields, identifierFields);
    }

    private static IcebergSchema Build(IcebergSchema? previous, IReadOnlyList<NestedField> fields, IReadOnlyList<string>? identifierFields)
    {
        var ids = new List<int>();
        foreach (var name in identifierFields ?? previous?.IdentifierFieldIds.Select(i => previous.FindField(i)!.Name).ToList() ?? [])
        {
            var field = fields.FirstOrDefault(f => f.Name == name)
                ?? throw new IcebergFormatException($"key field '{name}' is not a top-level field of the schema");
            if (!field.Required)
            {
                // Keys identify rows, so they can never be null; the registry schema may still say optional.
                fields = [.. fields.Select(f => f.Id == field.Id ? f with { Required = true } : f)];
            }

            ids.Add(field.Id);
        }

        var candidate = new IcebergSchema(previous is null ? 0 : previous.SchemaId + 1, fields, ids);
        return previous is not null && previous.SameStructure(candidate) ? previous : candidate;
    }

    private static List<NestedField> MapRecord(RecordSchema record, StructType? previous, ref int next, string path)
    {
        var fields = new List<NestedField>(record.Fields.Count);
        foreach (var f in record.Fields)
        {
            var old = previous?.Field(f.Name);
            var (type, optional) = MapAvro(f.Schema, old?.Type, ref next, path + "." + f.Name);
            fields.Add(new NestedField(old?.Id ?? ++next, f.Name, !optional, type, f.Doc));
        }

        return fields;
    }

    private static (IcebergType Type, bool Optional) MapAvro(AvroSchema schema, IcebergType? previous, ref int next, string path)
    {
        if (schema is UnionSchema union)
        {
            var branches = union.Branches.Where(b => b.Type != AvroType.Null).ToList();
            if (branches.Count != 1)
            {
                throw new IcebergFormatException($"{path}: Avro unions map to Iceberg only as [\"null\", T]; this one has {branches.Count} non-null branches");
            }

            return (MapAvro(branches[0], previous, ref next, path).Type, true);
        }

        if (schema.LogicalType is { } logical)
        {
            switch (logical.Kind)
            {
                case AvroLogicalKind.Decimal: return (PrimitiveType.Decimal(logical.Precision, logical.Scale), false);
                case AvroLogicalKind.Date: return (PrimitiveType.Date, false);
                case AvroLogicalKind.TimeMillis or AvroLogicalKind.TimeMicros: return (PrimitiveType.Time, false);
                case AvroLogicalKind.TimestampMillis or AvroLogicalKind.TimestampMicros: return (PrimitiveType.TimestampTz, false);
                case AvroLogicalKind.LocalTimestampMillis or AvroLogicalKind.LocalTimestampMicros: return (PrimitiveType.Timestamp, false);
                case AvroLogicalKind.Uuid: return (PrimitiveType.Uuid, false);
            }
        }

        switch (schema)
        {
            case RecordSchema r:
                return (new StructType(MapRecord(r, previous as StructType, ref next, path)), false);
            case ArraySchema a:
                var oldList = previous as ListType;
                var elementId = oldList?.ElementId ?? ++next;
                var (element, elementOptional) = MapAvro(a.Items, oldList?.Element, ref next, path + ".element");
                return (new ListType(elementId, !elementOptional, element), false);
            case MapSchema m:
                var oldMap = previous as MapType;
                var keyId = oldMap?.KeyId ?? ++next;
                var valueId = oldMap?.ValueId ?? ++next;
                var (value, valueOptional) = MapAvro(m.Values, oldMap?.Value, ref next, path + ".value");
                return (new MapType(keyId, PrimitiveType.String, valueId, !valueOptional, value), false);
            case FixedSchema fx:
                return (PrimitiveType.Fixed(fx.Size), false);
            case EnumSchema:
                return (PrimitiveType.String, false);
        }

        return schema.Type switch
        {
            AvroType.Boolean => (PrimitiveType.Boolean, false),
            AvroType.Int => (PrimitiveType.Int, false),
            AvroType.Long => (PrimitiveType.Long, false),
            AvroType.Float => (PrimitiveType.Float, false),
            AvroType.Double => (PrimitiveType.Double, false),
            AvroType.String => (PrimitiveType.String, false),
            AvroType.Bytes => (PrimitiveType.Binary, false),
            _ => throw new IcebergFormatException($"{path}: Avro type {schema.Type} has no Iceberg equivalent"),
        };
    }

    private static (IcebergType Type, bool Optional)? MapJson(JsonElement schema, IcebergType? previous, ref int next, string path)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new IcebergFormatException($"{path}: expected a JSON Schema object");
        }

        var optional = false;
        string? type = null;
        if (schema.TryGetProperty("type", out var t))
        {
            if (t.ValueKind == JsonValueKind.String)
            {
                type = t.GetString();
            }
            else if (t.ValueKind == JsonValueKind.Array)
            {
                var types = t.EnumerateArray().Select(e => e.GetString()).ToList();
                optional = types.Remove("null");
                type = types.Count == 1 ? types[0] : throw new IcebergFormatException($"{path}: a JSON Schema type list maps to Iceberg only as [T, \"null\"]");
            }
        }

        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        switch (type)
        {
            case "object" when schema.TryGetProperty("properties", out var properties):
                var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()).ToHashSet() : [];
                var oldStruct = previous as StructType;
                var fields = new List<NestedField>();
                foreach (var p in properties.EnumerateObject())
                {
                    var old = oldStruct?.Field(p.Name);
                    var mapped = MapJson(p.Value, old?.Type, ref next, path + "." + p.Name)
                        ?? throw new IcebergFormatException($"{path}.{p.Name}: no type");
                    var doc = p.Value.TryGetProperty("description", out var d) ? d.GetString() : null;
                    fields.Add(new NestedField(old?.Id ?? ++next, p.Name, required.Contains(p.Name) && !mapped.Optional, mapped.Type, doc));
                }

                return (new StructType(fields), optional);
            case "object" when schema.TryGetProperty("additionalProperties", out var values) && values.ValueKind == JsonValueKind.Object:
                var oldMap = previous as MapType;
                var keyId = oldMap?.KeyId ?? ++next;
                var valueId = oldMap?.ValueId ?? ++next;
                var value = MapJson(values, oldMap?.Value, ref next, path + ".value") ?? throw new IcebergFormatException($"{path}: map values have no type");
                return (new MapType(keyId, PrimitiveType.String, valueId, !value.Optional, value.Type), optional);
            case "array" when schema.TryGetProperty("items", out var items):
                var oldList = previous as ListType;
                var elementId = oldList?.ElementId ?? ++next;
                var element = MapJson(items, oldList?.Element, ref next, path + ".element") ?? throw new IcebergFormatException($"{path}: array items have no type");
                return (new ListType(elementId, !element.Optional, element.Type), optional);
            case "string":
                return (format switch
                {
                    "date-time" => PrimitiveType.TimestampTz,
                    "date" => PrimitiveType.Date,
                    "time" => PrimitiveType.Time,
                    "uuid" => PrimitiveType.Uuid,
                    _ => PrimitiveType.String,
                }, optional);
            case "integer":
                return (PrimitiveType.Long, optional);
            case "number":
                return (PrimitiveType.Double, optional);
            case "boolean":
                return (PrimitiveType.Boolean, optional);
            case null:
                return null;
            default:
                throw new IcebergFormatException($"{path}: JSON Schema type '{type}' has no Iceberg equivalent here (objects need properties or additionalProperties, arrays need items)");
        }
    }
}
