using System.Text.Json;
using System.Text.RegularExpressions;

namespace Meshwork.Formats.JsonSchema;

/// <summary>
/// One compiled (sub)schema. Keyword values are checked and converted once at parse time so validation never
/// re-inspects the raw JSON for types.
/// </summary>
internal sealed class SchemaNode
{
    public SchemaNode(JsonSchemaDocument owner, JsonElement raw, string pointer, Uri baseUri)
    {
        Owner = owner;
        Raw = raw;
        Pointer = pointer;
        BaseUri = baseUri;
    }

    public JsonSchemaDocument Owner { get; }

    public JsonElement Raw { get; }

    /// <summary>Pointer of this schema from the root of <see cref="Owner"/>.</summary>
    public string Pointer { get; }

    public Uri BaseUri { get; }

    /// <summary>True or false for boolean schemas; null for object schemas.</summary>
    public bool? BooleanValue { get; set; }

    public string? RefText { get; set; }

    public SchemaNode? Ref { get; set; }

    public JsonSchemaTypes Types { get; set; }

    public JsonElement? Enum { get; set; }

    public JsonElement? Const { get; set; }

    public JsonElement? MultipleOf { get; set; }

    public JsonElement? Maximum { get; set; }

    public JsonElement? ExclusiveMaximum { get; set; }

    public JsonElement? Minimum { get; set; }

    public JsonElement? ExclusiveMinimum { get; set; }

    public long? MaxLength { get; set; }

    public long? MinLength { get; set; }

    public Regex? Pattern { get; set; }

    public SchemaNode? Items { get; set; }

    public List<SchemaNode>? ItemsArray { get; set; }

    public SchemaNode? AdditionalItems { get; set; }

    public long? MaxItems { get; set; }

    public long? MinItems { get; set; }

    public bool UniqueItems { get; set; }

    public SchemaNode? Contains { get; set; }

    public long? MaxProperties { get; set; }

    public long? MinProperties { get; set; }

    public List<string>? Required { get; set; }

    public List<KeyValuePair<string, SchemaNode>>? Properties { get; set; }

    public List<KeyValuePair<Regex, SchemaNode>>? PatternProperties { get; set; }

    public SchemaNode? AdditionalProperties { get; set; }

    public List<KeyValuePair<string, List<string>>>? DependencyArrays { get; set; }

    public List<KeyValuePair<string, SchemaNode>>? DependencySchemas { get; set; }

    public SchemaNode? PropertyNames { get; set; }

    public SchemaNode? If { get; set; }

    public SchemaNode? Then { get; set; }

    public SchemaNode? Else { get; set; }

    public List<SchemaNode>? AllOf { get; set; }

    public List<SchemaNode>? AnyOf { get; set; }

    public List<SchemaNode>? OneOf { get; set; }

    public SchemaNode? Not { get; set; }

    public string? Format { get; set; }

    /// <summary>Looks up a property schema by name (linear: property lists are small and ordered).</summary>
    public SchemaNode? Property(string name)
    {
        if (Properties is null)
        {
            return null;
        }

        foreach (var pair in Properties)
        {
            if (pair.Key == name)
            {
                return pair.Value;
            }
        }

        return null;
    }
}

/// <summary>The JSON types a <c>type</c> keyword allows.</summary>
[Flags]
internal enum JsonSchemaTypes
{
    None = 0,
    Null = 1,
    Boolean = 2,
    Object = 4,
    Array = 8,
    Number = 16,
    String = 32,
    Integer = 64,
}
