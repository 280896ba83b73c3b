using System.Text.Json;
using Meshwork.Formats.JsonSchema;

namespace Meshwork.Governance.Schemas;

/// <summary>
/// Reads <c>.json</c> JSON Schema product schemas: the top-level object's <c>properties</c>, their
/// <c>description</c>s and declared <c>classification</c> labels (a non-standard keyword that
/// validators ignore, like Avro's extra field attributes).
/// </summary>
public sealed class JsonSchemaFieldReader : ISchemaFieldReader
{
    /// <summary>The property keyword carrying declared labels: a string or a list of strings.</summary>
    public const string ClassificationKeyword = "classification";

    /// <inheritdoc/>
    public string Format => "JSON";

    /// <inheritdoc/>
    public bool Handles(string fileName) => fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public ProductSchema Read(string text)
    {
        JsonSchemaDocument document;
        try
        {
            document = JsonSchemaDocument.Parse(text);
        }
        catch (JsonSchemaException e)
        {
            throw new SchemaReadException(e.Pointer.Length == 0 ? "#" : "#" + e.Pointer, e.Reason, e);
        }

        var root = document.Root;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            throw new SchemaReadException("#", "a product schema must be an object schema with 'properties': events are records of fields.");
        }

        var required = root.TryGetProperty("required", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];
        var fields = new List<SchemaField>();
        foreach (var property in properties.EnumerateObject())
        {
            var schema = property.Value;
            var doc = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            fields.Add(new SchemaField(property.Name, doc, Describe(schema), required.Contains(property.Name), Labels(property.Name, schema)));
        }

        return new ProductSchema(Format, text, document.ToNormalizedString(), fields);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> BackwardIncompatibilities(ProductSchema previous, ProductSchema next) =>
        JsonSchemaCompatibility.Check(JsonSchemaDocument.Parse(previous.Text), JsonSchemaDocument.Parse(next.Text)).Select(d => d.ToString()).ToList();

    private static IReadOnlyList<string> Labels(string name, JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty(ClassificationKeyword, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) => value.EnumerateArray().Select(v => v.GetString()!).ToList(),
            _ => throw new SchemaReadException($"#/properties/{name}/{ClassificationKeyword}", "must be a string or a list of strings such as \"PII.Contact\"."),
        };
    }

    private static string Describe(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return schema.ValueKind == JsonValueKind.True ? "any" : "none";
        }

        var type = schema.TryGetProperty("type", out var t)
            ? t.ValueKind == JsonValueKind.Array ? "[" + string.Join(",", t.EnumerateArray().Select(x => x.GetString())) + "]" : t.GetString() ?? "any"
            : schema.TryGetProperty("$ref", out var r) ? r.GetString() ?? "any" : "any";
        return schema.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? $"{type}/{f.GetString()}" : type;
    }
}
