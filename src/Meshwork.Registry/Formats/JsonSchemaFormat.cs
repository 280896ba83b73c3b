using Meshwork.Formats.JsonSchema;

namespace Meshwork.Registry.Formats;

/// <summary>
/// JSON Schema (draft-07) on <c>Meshwork.Formats.JsonSchema</c>: parsing with references, Confluent's STRICT
/// compatibility diff, and payload validation for the broker (the payload after the wire prefix is UTF-8 JSON text).
/// </summary>
public sealed class JsonSchemaFormat : ISchemaFormat
{
    /// <summary>The Confluent type name.</summary>
    public const string TypeName = "JSON";

    /// <summary>The shared instance.</summary>
    public static JsonSchemaFormat Instance { get; } = new();

    /// <inheritdoc/>
    public string SchemaType => TypeName;

    /// <inheritdoc/>
    public ParsedSchema Parse(string schemaText, IReadOnlyList<ResolvedReference> references)
    {
        ArgumentNullException.ThrowIfNull(schemaText);
        ArgumentNullException.ThrowIfNull(references);
        var resolver = new ReferenceResolver(references);
        try
        {
            var document = JsonSchemaDocument.Parse(schemaText, references.Count == 0 ? null : resolver.Resolve);
            return new JsonParsedSchema(document);
        }
        catch (JsonSchemaException e)
        {
            throw new SchemaParseException($"Invalid JSON schema: {e.Message}{resolver.Describe()}", e);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> CheckCompatibility(ParsedSchema older, ParsedSchema newer, CompatibilityDirection direction)
    {
        var old = DocumentOf(older);
        var @new = DocumentOf(newer);
        var messages = new List<string>();

        // Confluent's JsonSchema.isBackwardCompatible(previous) diffs previous → this: BACKWARD passes the versions in
        // age order, FORWARD swaps them, FULL does both.
        if (direction is CompatibilityDirection.Backward or CompatibilityDirection.Full)
        {
            Describe(JsonSchemaCompatibility.Check(old, @new), "BACKWARD", "the new schema rejects documents the old one accepted", messages);
        }

        if (direction is CompatibilityDirection.Forward or CompatibilityDirection.Full)
        {
            Describe(JsonSchemaCompatibility.Check(@new, old), "FORWARD", "the old schema rejects documents the new one accepts", messages);
        }

        return messages;
    }

    /// <inheritdoc/>
    public bool ValidatePayload(ParsedSchema schema, ReadOnlySpan<byte> payload, out string? error)
    {
        var errors = DocumentOf(schema).ValidatePayload(payload);
        if (errors.Count == 0)
        {
            error = null;
            return true;
        }

        // A handful of reasons is enough for a producer to fix its data; a document can fail thousands of keywords.
        const int MaxReported = 3;
        error = string.Join("; ", errors.Take(MaxReported)) + (errors.Count > MaxReported ? $" (and {errors.Count - MaxReported} more)" : "");
        return false;
    }

    /// <summary>The parsed document behind a <see cref="ParsedSchema"/> this format produced.</summary>
    public static JsonSchemaDocument DocumentOf(ParsedSchema schema) => ((JsonParsedSchema)schema).Document;

    private static void Describe(IReadOnlyList<JsonSchemaDifference> differences, string direction, string summary, List<string> messages)
    {
        foreach (var d in differences)
        {
            messages.Add($"Incompatibility{{type:{d.ConfluentName}, location:{d.Path}, direction:{direction} ({summary})}}");
        }
    }

    /// <summary>
    /// Answers the parser's questions about <c>$ref</c>s outside the document from the resolved references, by the
    /// reference name Confluent clients give (the <c>$ref</c> as written, for example <c>customer.json</c>) or by the
    /// absolute URI it resolves to. Referenced schemas may reference each other, so each is parsed with this resolver.
    /// </summary>
    private sealed class ReferenceResolver(IReadOnlyList<ResolvedReference> references)
    {
        private readonly Dictionary<string, JsonSchemaDocument> _parsed = new(StringComparer.Ordinal);
        private readonly HashSet<string> _parsing = new(StringComparer.Ordinal);
        private string? _failedReference;

        public JsonSchemaDocument? Resolve(string name)
        {
            var reference = references.FirstOrDefault(r => r.Name == name)
                ?? references.FirstOrDefault(r => Uri.TryCreate(JsonSchemaDocument.DefaultBaseUri, r.Name, out var absolute) && absolute.AbsoluteUri == name);
            if (reference is null)
            {
                return null;
            }

            if (_parsed.TryGetValue(reference.Name, out var done))
            {
                return done;
            }

            if (!_parsing.Add(reference.Name))
            {
                // Two referenced schemas that refer to each other: the parser then reports the $ref as unresolvable.
                return null;
            }

            try
            {
                var document = JsonSchemaDocument.Parse(reference.SchemaText, Resolve);
                _parsed[reference.Name] = document;
                return document;
            }
            catch (JsonSchemaException)
            {
                _failedReference ??= $"{reference.Name}' ({reference.Subject} version {reference.Version})";
                throw;
            }
            finally
            {
                _parsing.Remove(reference.Name);
            }
        }

        public string Describe() => _failedReference is null ? "" : $" (in reference '{_failedReference})";
    }

    private sealed class JsonParsedSchema(JsonSchemaDocument document) : ParsedSchema
    {
        private string? _normalized;

        public JsonSchemaDocument Document { get; } = document;

        public override string SchemaType => TypeName;

        public override string CanonicalString { get; } = document.ToCanonicalString();

        public override string NormalizedString => _normalized ??= Document.ToNormalizedString();
    }
}
