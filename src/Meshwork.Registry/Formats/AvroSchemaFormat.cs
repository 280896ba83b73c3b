using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meshwork.Formats.Avro;

namespace Meshwork.Registry.Formats;

/// <summary>Apache Avro schemas, on <c>Meshwork.Formats.Avro</c>.</summary>
public sealed class AvroSchemaFormat : ISchemaFormat
{
    /// <summary>The Confluent type name.</summary>
    public const string TypeName = "AVRO";

    // Meshwork.Formats has no "parse with already-known named types" entry point, so references are parsed by
    // declaring each referenced schema as a field of a synthetic record ahead of the referrer: their named types are
    // then defined when the referrer is parsed. A user schema defining this very name would get a redefinition error.
    private const string WrapperName = "__meshwork_references__";
    private const string WrappedSchemaField = "schema";

    /// <summary>The shared instance.</summary>
    public static AvroSchemaFormat Instance { get; } = new();

    /// <inheritdoc/>
    public string SchemaType => TypeName;

    /// <inheritdoc/>
    public ParsedSchema Parse(string schemaText, IReadOnlyList<ResolvedReference> references)
    {
        ArgumentNullException.ThrowIfNull(schemaText);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0)
        {
            try
            {
                var schema = AvroSchema.Parse(schemaText);
                return new AvroParsedSchema(schema, schema.ToJson());
            }
            catch (AvroSchemaException e)
            {
                throw new SchemaParseException($"Invalid Avro schema: {e.Message}", e);
            }
        }

        return ParseWithReferences(schemaText, references);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> CheckCompatibility(ParsedSchema older, ParsedSchema newer, CompatibilityDirection direction)
    {
        var old = ((AvroParsedSchema)older).Schema;
        var @new = ((AvroParsedSchema)newer).Schema;
        var messages = new List<string>();
        if (direction is CompatibilityDirection.Backward or CompatibilityDirection.Full)
        {
            Describe(AvroResolver.Check(writer: old, reader: @new), "BACKWARD", "the new schema cannot read data written with the old one", messages);
        }

        if (direction is CompatibilityDirection.Forward or CompatibilityDirection.Full)
        {
            Describe(AvroResolver.Check(writer: @new, reader: old), "FORWARD", "the old schema cannot read data written with the new one", messages);
        }

        return messages;
    }

    /// <inheritdoc/>
    public bool ValidatePayload(ParsedSchema schema, ReadOnlySpan<byte> payload, out string? error) =>
        AvroBinary.TryValidate(((AvroParsedSchema)schema).Schema, payload, out error);

    /// <summary>The parsed Avro schema behind a <see cref="ParsedSchema"/> this format produced.</summary>
    public static AvroSchema AvroSchemaOf(ParsedSchema schema) => ((AvroParsedSchema)schema).Schema;

    private static void Describe(IReadOnlyList<AvroIncompatibility> problems, string direction, string summary, List<string> messages)
    {
        foreach (var p in problems)
        {
            messages.Add($"Incompatibility{{type:{KindName(p.Kind)}, location:{p.Path}, message:{p.Reason}, direction:{direction} ({summary})}}");
        }
    }

    private static string KindName(AvroIncompatibilityKind kind) => kind switch
    {
        AvroIncompatibilityKind.NameMismatch => "NAME_MISMATCH",
        AvroIncompatibilityKind.FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
        AvroIncompatibilityKind.MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
        AvroIncompatibilityKind.ReaderFieldMissingDefaultValue => "READER_FIELD_MISSING_DEFAULT_VALUE",
        AvroIncompatibilityKind.TypeMismatch => "TYPE_MISMATCH",
        AvroIncompatibilityKind.MissingUnionBranch => "MISSING_UNION_BRANCH",
        _ => kind.ToString().ToUpperInvariant(),
    };

    private static AvroParsedSchema ParseWithReferences(string schemaText, IReadOnlyList<ResolvedReference> references)
    {
        var fields = new JsonArray();
        for (var i = 0; i < references.Count; i++)
        {
            fields.Add(new JsonObject { ["name"] = $"r{i}", ["type"] = ParseJson(references[i].SchemaText, $"reference '{references[i].Name}'") });
        }

        fields.Add(new JsonObject { ["name"] = WrappedSchemaField, ["type"] = ParseJson(schemaText, "schema") });
        var wrapper = new JsonObject { ["type"] = "record", ["name"] = WrapperName, ["fields"] = fields };
        AvroSchema parsed;
        try
        {
            parsed = AvroSchema.Parse(wrapper.ToJsonString());
        }
        catch (AvroSchemaException e)
        {
            throw new SchemaParseException($"Invalid Avro schema: {Unwrap(e, references)}", e);
        }

        var record = (RecordSchema)parsed;
        var schema = record.Fields[^1].Schema;

        // The wrapper's full form defines every referenced type in the earlier fields, so the last field's type is the
        // referrer written with references by name: what Confluent stores for a schema with references.
        using var full = JsonDocument.Parse(parsed.ToJson());
        var stored = full.RootElement.GetProperty("fields")[references.Count].GetProperty("type").GetRawText();
        return new AvroParsedSchema(schema, stored);
    }

    private static JsonNode? ParseJson(string text, string what)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new SchemaParseException($"Invalid Avro schema: {what} is not valid JSON: {e.Message}", e);
        }
    }

    private static string Unwrap(AvroSchemaException e, IReadOnlyList<ResolvedReference> references)
    {
        // Translate the synthetic record's paths back to what the caller wrote.
        var prefix = $"fields[{references.Count}].type";
        if (e.Path.StartsWith(prefix, StringComparison.Ordinal))
        {
            var rest = e.Path[prefix.Length..].TrimStart('.');
            return rest.Length == 0 ? e.Reason : $"{rest}: {e.Reason}";
        }

        for (var i = 0; i < references.Count; i++)
        {
            var refPrefix = $"fields[{i}].type";
            if (e.Path.StartsWith(refPrefix, StringComparison.Ordinal))
            {
                return $"in reference '{references[i].Name}' ({references[i].Subject} version {references[i].Version}): {e.Path[refPrefix.Length..].TrimStart('.')} {e.Reason}".Replace(":  ", ": ", StringComparison.Ordinal);
            }
        }

        return e.Message;
    }

    private sealed class AvroParsedSchema(AvroSchema schema, string canonical) : ParsedSchema
    {
        private string? _normalized;

        public AvroSchema Schema { get; } = schema;

        public override string SchemaType => TypeName;

        public override string CanonicalString { get; } = canonical;

        public override string NormalizedString => _normalized ??= Normalize(CanonicalString);

        private static string Normalize(string json)
        {
            // JSON objects are unordered, so sorting every object's keys changes no meaning (not even inside defaults)
            // and removes attribute-order differences; names are already written relative to one namespace rule.
            using var doc = JsonDocument.Parse(json);
            var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                WriteSorted(doc.RootElement, writer);
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static void WriteSorted(JsonElement element, Utf8JsonWriter writer)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    writer.WriteStartObject();
                    foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                    {
                        writer.WritePropertyName(property.Name);
                        WriteSorted(property.Value, writer);
                    }

                    writer.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray();
                    foreach (var item in element.EnumerateArray())
                    {
                        WriteSorted(item, writer);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    element.WriteTo(writer);
                    break;
            }
        }
    }
}
