using System.Text.Json;
using Meshwork.Formats.Avro;

namespace Meshwork.Governance.Schemas;

/// <summary>Reads <c>.avsc</c> Avro schemas: the top-level record's fields, docs and declared <c>classification</c> labels.</summary>
public sealed class AvroFieldReader : ISchemaFieldReader
{
    /// <summary>The Avro field property carrying declared labels: a string or a list of strings.</summary>
    public const string ClassificationProperty = "classification";

    /// <inheritdoc/>
    public string Format => "AVRO";

    /// <inheritdoc/>
    public bool Handles(string fileName) => fileName.EndsWith(".avsc", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public ProductSchema Read(string text)
    {
        AvroSchema schema;
        try
        {
            schema = AvroSchema.Parse(text);
        }
        catch (AvroSchemaException e)
        {
            throw new SchemaReadException(e.Path, e.Reason, e);
        }

        if (schema is not RecordSchema record)
        {
            throw new SchemaReadException("$", $"a product schema must be a record, not {schema.Type.ToString().ToLowerInvariant()}; events are records of fields.");
        }

        var fields = record.Fields.Select(f => new SchemaField(f.Name, f.Doc, Describe(f.Schema), Required(f), Labels(f))).ToList();
        // The full normalized form, not the Parsing Canonical Form: a new doc or default is a change to register.
        return new ProductSchema(Format, text, schema.ToJson(), fields);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> BackwardIncompatibilities(ProductSchema previous, ProductSchema next) =>
        AvroResolver.Check(writer: AvroSchema.Parse(previous.Text), reader: AvroSchema.Parse(next.Text)).Select(i => i.ToString()).ToList();

    private static bool Required(AvroField field) =>
        !field.HasDefault && !(field.Schema is UnionSchema union && union.Branches.Any(b => b.Type == AvroType.Null));

    private static IReadOnlyList<string> Labels(AvroField field)
    {
        if (!field.Properties.TryGetValue(ClassificationProperty, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList(),
            _ => throw new SchemaReadException($"$.fields[{field.Position}].{ClassificationProperty}", "must be a string or a list of strings such as \"PII.Contact\"."),
        };
    }

    private static string Describe(AvroSchema schema) => schema switch
    {
        UnionSchema union => "[" + string.Join(",", union.Branches.Select(Describe)) + "]",
        NamedSchema named => named.FullName,
        ArraySchema array => $"array<{Describe(array.Items)}>",
        MapSchema map => $"map<{Describe(map.Values)}>",
        _ when schema.LogicalType is { } logical => $"{schema.Type.ToString().ToLowerInvariant()}/{logical.Name}",
        _ => schema.Type.ToString().ToLowerInvariant(),
    };
}
