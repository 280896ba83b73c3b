using System.Text.Json.Nodes;

namespace Meshwork.Lake.Metadata;

/// <summary>
/// A table schema: a struct with a schema id and the identifier (key) field ids used by upserts and deletes by key.
/// Field ids are unique across the whole schema, nested fields included.
/// </summary>
public sealed class IcebergSchema
{
    private readonly Dictionary<int, NestedField> _byId = [];

    /// <summary>Creates a schema; throws when two fields share an id or an identifier id names no required primitive.</summary>
    public IcebergSchema(int schemaId, IReadOnlyList<NestedField> fields, IReadOnlyList<int>? identifierFieldIds = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        SchemaId = schemaId;
        Struct = new StructType(fields);
        IdentifierFieldIds = identifierFieldIds ?? [];
        Index(Struct);
        foreach (var id in IdentifierFieldIds)
        {
            if (!_byId.TryGetValue(id, out var field) || !field.Required || !field.Type.IsPrimitive || Fields.All(f => f.Id != id))
            {
                throw new IcebergFormatException($"identifier field id {id} must name a required top-level primitive field of schema {schemaId}");
            }
        }
    }

    /// <summary>The schema id within the table.</summary>
    public int SchemaId { get; }

    /// <summary>The top-level struct.</summary>
    public StructType Struct { get; }

    /// <summary>Top-level fields.</summary>
    public IReadOnlyList<NestedField> Fields => Struct.Fields;

    /// <summary>Ids of the fields that identify a row (the key), possibly empty.</summary>
    public IReadOnlyList<int> IdentifierFieldIds { get; }

    /// <summary>The highest field id used in this schema (0 when empty).</summary>
    public int HighestFieldId => _byId.Count == 0 ? 0 : _byId.Keys.Max();

    /// <summary>The field with <paramref name="id"/> anywhere in the schema, or null.</summary>
    public NestedField? FindField(int id) => _byId.GetValueOrDefault(id);

    /// <summary>The top-level field called <paramref name="name"/>, or null.</summary>
    public NestedField? FindField(string name) => Struct.Field(name);

    /// <summary>Position of the top-level field with <paramref name="id"/>, or -1.</summary>
    public int IndexOf(int id)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The same fields under another schema id.</summary>
    public IcebergSchema WithSchemaId(int schemaId) => new(schemaId, Fields, IdentifierFieldIds);

    /// <summary>The same fields with other identifier field ids.</summary>
    public IcebergSchema WithIdentifierFields(IReadOnlyList<int> ids) => new(SchemaId, Fields, ids);

    /// <summary>True when both schemas have the same fields, types and identifier fields (schema ids aside).</summary>
    public bool SameStructure(IcebergSchema other) =>
        JsonNode.DeepEquals(SchemaJson.Write(this, includeId: false), SchemaJson.Write(other, includeId: false));

    /// <summary>The schema as Iceberg JSON.</summary>
    public string ToJson() => SchemaJson.Write(this).ToJsonString();

    /// <summary>Parses Iceberg schema JSON.</summary>
    public static IcebergSchema FromJson(string json)
    {
        return SchemaJson.Read(JsonNode.Parse(json) ?? throw new IcebergFormatException("schema JSON is null"));
    }

    private void Index(IcebergType type)
    {
        switch (type)
        {
            case StructType s:
                foreach (var f in s.Fields)
                {
                    Add(f);
                    Index(f.Type);
                }

                break;
            case ListType l:
                Add(new NestedField(l.ElementId, "element", l.ElementRequired, l.Element));
                Index(l.Element);
                break;
            case MapType m:
                Add(new NestedField(m.KeyId, "key", Required: true, m.Key));
                Add(new NestedField(m.ValueId, "value", m.ValueRequired, m.Value));
                Index(m.Key);
                Index(m.Value);
                break;
        }
    }

    private void Add(NestedField field)
    {
        if (field.Id <= 0)
        {
            throw new IcebergFormatException($"field '{field.Name}' has id {field.Id}; field ids must be positive");
        }

        if (!_byId.TryAdd(field.Id, field))
        {
            throw new IcebergFormatException($"field id {field.Id} is used by both '{_byId[field.Id].Name}' and '{field.Name}'");
        }
    }

    /// <summary>
    /// Gives every field a fresh id in Java's order (a struct's fields first, then their children), starting after
    /// <paramref name="lastColumnId"/>; what a catalog does with the schema of a table it creates.
    /// Returns the schema and the map from old id to new id.
    /// </summary>
    public static (IcebergSchema Schema, Dictionary<int, int> IdMap) AssignFreshIds(IcebergSchema schema, int schemaId, ref int lastColumnId)
    {
        var map = new Dictionary<int, int>();
        var next = lastColumnId;
        var fields = Fresh(schema.Struct, map, ref next).Fields;
        lastColumnId = next;
        var identifiers = schema.IdentifierFieldIds.Select(i => map[i]).ToList();
        return (new IcebergSchema(schemaId, fields, identifiers), map);
    }

    private static StructType Fresh(StructType s, Dictionary<int, int> map, ref int next)
    {
        var ids = new int[s.Fields.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = ++next;
            map[s.Fields[i].Id] = ids[i];
        }

        var fields = new List<NestedField>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            var f = s.Fields[i];
            fields.Add(f with { Id = ids[i], Type = FreshType(f.Type, map, ref next) });
        }

        return new StructType(fields);
    }

    private static IcebergType FreshType(IcebergType type, Dictionary<int, int> map, ref int next)
    {
        switch (type)
        {
            case StructType s:
                return Fresh(s, map, ref next);
            case ListType l:
                var elementId = ++next;
                map[l.ElementId] = elementId;
                return new ListType(elementId, l.ElementRequired, FreshType(l.Element, map, ref next));
            case MapType m:
                var keyId = ++next;
                var valueId = ++next;
                map[m.KeyId] = keyId;
                map[m.ValueId] = valueId;
                return new MapType(keyId, FreshType(m.Key, map, ref next), valueId, m.ValueRequired, FreshType(m.Value, map, ref next));
            default:
                return type;
        }
    }
}

/// <summary>Iceberg's JSON serialization of schemas and types.</summary>
public static class SchemaJson
{
    /// <summary>The schema as a JSON object.</summary>
    public static JsonObject Write(IcebergSchema schema, bool includeId = true)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var o = new JsonObject { ["type"] = "struct" };
        if (includeId)
        {
            o["schema-id"] = schema.SchemaId;
        }

        if (schema.IdentifierFieldIds.Count > 0)
        {
            o["identifier-field-ids"] = new JsonArray([.. schema.IdentifierFieldIds.Select(i => (JsonNode)i)]);
        }

        o["fields"] = Fields(schema.Fields);
        return o;
    }

    /// <summary>A type as JSON: a string for primitives, an object for nested types.</summary>
    public static JsonNode WriteType(IcebergType type) => type switch
    {
        PrimitiveType p => JsonValue.Create(p.ToString()),
        StructType s => new JsonObject { ["type"] = "struct", ["fields"] = Fields(s.Fields) },
        ListType l => new JsonObject
        {
            ["type"] = "list",
            ["element-id"] = l.ElementId,
            ["element"] = WriteType(l.Element),
            ["element-required"] = l.ElementRequired,
        },
        MapType m => new JsonObject
        {
            ["type"] = "map",
            ["key-id"] = m.KeyId,
            ["key"] = WriteType(m.Key),
            ["value-id"] = m.ValueId,
            ["value"] = WriteType(m.Value),
            ["value-required"] = m.ValueRequired,
        },
        _ => throw new ArgumentException(type.GetType().Name),
    };

    private static JsonArray Fields(IReadOnlyList<NestedField> fields)
    {
        var a = new JsonArray();
        foreach (var f in fields)
        {
            var o = new JsonObject
            {
                ["id"] = f.Id,
                ["name"] = f.Name,
                ["required"] = f.Required,
                ["type"] = WriteType(f.Type),
            };
            if (f.Doc is not null)
            {
                o["doc"] = f.Doc;
            }

            a.Add(o);
        }

        return a;
    }

    /// <summary>Reads a schema object; <paramref name="defaultSchemaId"/> applies when it has no schema-id.</summary>
    public static IcebergSchema Read(JsonNode node, int defaultSchemaId = 0)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node is not JsonObject o || (string?)o["type"] != "struct")
        {
            throw new IcebergFormatException("a schema must be a JSON object with \"type\": \"struct\"");
        }

        var id = o["schema-id"] is { } sid ? sid.GetValue<int>() : defaultSchemaId;
        var identifiers = o["identifier-field-ids"] is JsonArray ids ? ids.Select(i => i!.GetValue<int>()).ToList() : [];
        return new IcebergSchema(id, ReadStruct(o).Fields, identifiers);
    }

    /// <summary>Reads a type (string or object).</summary>
    public static IcebergType ReadType(JsonNode? node)
    {
        switch (node)
        {
            case JsonValue v when v.TryGetValue<string>(out var text):
                return PrimitiveType.Parse(text);
            case JsonObject o:
                switch ((string?)o["type"])
                {
                    case "struct":
                        return ReadStruct(o);
                    case "list":
                        return new ListType(Int(o, "element-id"), Bool(o, "element-required"), ReadType(o["element"]));
                    case "map":
                        return new MapType(Int(o, "key-id"), ReadType(o["key"]), Int(o, "value-id"), Bool(o, "value-required"), ReadType(o["value"]));
                }

                break;
        }

        throw new IcebergFormatException($"not an Iceberg type: {node?.ToJsonString() ?? "null"}");
    }

    private static StructType ReadStruct(JsonObject o)
    {
        if (o["fields"] is not JsonArray fields)
        {
            throw new IcebergFormatException("a struct needs a \"fields\" array");
        }

        var list = new List<NestedField>(fields.Count);
        foreach (var f in fields)
        {
            if (f is not JsonObject fo)
            {
                throw new IcebergFormatException("struct fields must be objects");
            }

            var name = (string?)fo["name"] ?? throw new IcebergFormatException("a struct field has no name");
            list.Add(new NestedField(Int(fo, "id"), name, Bool(fo, "required"), ReadType(fo["type"]), (string?)fo["doc"]));
        }

        return new StructType(list);
    }

    private static int Int(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : throw new IcebergFormatException($"missing or non-integer \"{key}\" in {o.ToJsonString()}");

    private static bool Bool(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw new IcebergFormatException($"missing or non-boolean \"{key}\" in {Truncate(o.ToJsonString())}");

    private static string Truncate(string s) => s.Length > 200 ? s[..200] + "…" : s;
}
