using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Meshwork.Formats.JsonSchema;

/// <summary>
/// A parsed and checked JSON Schema (draft-07) document: the unit the registry stores under one id. Parsing checks every
/// known keyword's type, compiles patterns and resolves every <c>$ref</c> (local JSON pointers, <c>$id</c>-based base
/// URIs and plain-name fragments, and references to other registered schemas through a resolver callback), so a
/// document that parses can always validate. Instances are immutable and safe to share between threads.
/// </summary>
public sealed partial class JsonSchemaDocument
{
    /// <summary>How deep a schema may nest; deeper documents are rejected instead of risking the stack.</summary>
    public const int MaxDepth = 256;

    /// <summary>
    /// Base URI of a document without a root <c>$id</c>. It must be hierarchical so relative references such as
    /// <c>customer.json</c> resolve to something the resolver can be asked about.
    /// </summary>
    public static readonly Uri DefaultBaseUri = new("https://schemas.meshwork.invalid/root.json");

    private static readonly TimeSpan PatternTimeout = TimeSpan.FromSeconds(1);
    private static readonly JsonWriterOptions CompactWriter = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonDocument _document;
    private readonly Func<string, JsonSchemaDocument?>? _resolver;
    private readonly Dictionary<string, SchemaNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaNode> _anchors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonSchemaDocument> _remotes = new(StringComparer.Ordinal);
    private readonly List<SchemaNode> _pendingRefs = [];

    private JsonSchemaDocument(JsonDocument document, Func<string, JsonSchemaDocument?>? resolver)
    {
        _document = document;
        _resolver = resolver;
        RootNode = null!;
    }

    /// <summary>The schema JSON as parsed.</summary>
    public JsonElement Root => _document.RootElement;

    /// <summary>The base URI of the root schema: its <c>$id</c> or <see cref="DefaultBaseUri"/>.</summary>
    public Uri BaseUri => RootNode.BaseUri;

    internal SchemaNode RootNode { get; private set; }

    /// <summary>
    /// Parses and checks a draft-07 schema. <paramref name="resolver"/> is asked for schemas a <c>$ref</c> names outside
    /// this document (Confluent schema references): it receives the reference as written without its fragment (for
    /// example <c>customer.json</c>) and, if that yields nothing, the absolute URI; it returns null when unknown.
    /// </summary>
    /// <exception cref="JsonSchemaException">The text is not JSON or not a valid schema; the pointer names the location.</exception>
    public static JsonSchemaDocument Parse(string json, Func<string, JsonSchemaDocument?>? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth + 8 });
        }
        catch (JsonException e)
        {
            throw new JsonSchemaException("", $"the schema is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }

        var schema = new JsonSchemaDocument(document, resolver);
        schema.Compile();
        return schema;
    }

    /// <summary>
    /// The schema as compact JSON keeping the document's own key order and number spelling: the form Confluent stores
    /// and returns for a JSON schema.
    /// </summary>
    public string ToCanonicalString()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            Root.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// The normalized schema for <c>normalize=true</c>: object keys sorted by ordinal at every level (JSON object order
    /// carries no meaning), compact. Arrays keep their order because <c>items</c> and <c>allOf</c> order can matter.
    /// </summary>
    public JsonSchemaDocument Normalize() => Parse(ToNormalizedString(), _resolver);

    /// <summary>The text of <see cref="Normalize"/>.</summary>
    public string ToNormalizedString()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            WriteSorted(writer, Root);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteSorted(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteSorted(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteSorted(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private void Compile()
    {
        var baseUri = DefaultBaseUri;
        _resources[Strip(baseUri)] = "";
        RootNode = CompileNode(Root, "", baseUri, 0);
        while (_pendingRefs.Count > 0)
        {
            var node = _pendingRefs[^1];
            _pendingRefs.RemoveAt(_pendingRefs.Count - 1);
            node.Ref = ResolveReference(node);
        }

        CheckRefCycles();
    }

    private SchemaNode CompileNode(JsonElement element, string pointer, Uri baseUri, int depth)
    {
        if (_nodes.TryGetValue(pointer, out var existing))
        {
            return existing;
        }

        if (depth > MaxDepth)
        {
            throw new JsonSchemaException(pointer, $"the schema nests deeper than {MaxDepth} levels");
        }

        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            var boolean = new SchemaNode(this, element, pointer, baseUri) { BooleanValue = element.ValueKind == JsonValueKind.True };
            _nodes[pointer] = boolean;
            return boolean;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new JsonSchemaException(pointer, $"a schema must be an object or a boolean, found {Describe(element)}");
        }

        // Draft-07 ignores every keyword beside $ref, $id included, so only a ref-less schema can move the base URI.
        var hasRef = element.TryGetProperty("$ref", out var refElement);
        if (!hasRef && element.TryGetProperty("$id", out var id))
        {
            var idText = RequireString(id, pointer + "/$id");
            var resolved = ResolveUri(baseUri, idText, pointer + "/$id");
            if (idText.StartsWith('#'))
            {
                // A plain-name fragment ("#foo") names this schema without changing the base.
                _anchors[resolved.AbsoluteUri] = null!;
            }
            else
            {
                baseUri = resolved;
                _resources.TryAdd(Strip(baseUri), pointer);
                if (resolved.Fragment.Length > 1)
                {
                    _anchors[resolved.AbsoluteUri] = null!;
                }
            }
        }

        var node = new SchemaNode(this, element, pointer, baseUri);
        _nodes[pointer] = node;
        foreach (var key in _anchors.Where(a => a.Value is null).Select(a => a.Key).ToList())
        {
            _anchors[key] = node;
        }

        if (hasRef)
        {
            node.RefText = RequireString(refElement, pointer + "/$ref");
            _pendingRefs.Add(node);
            return node;
        }

        foreach (var property in element.EnumerateObject())
        {
            var at = pointer + "/" + EscapePointer(property.Name);
            var value = property.Value;
            switch (property.Name)
            {
                case "type":
                    node.Types = ParseTypes(value, at);
                    break;
                case "enum":
                    RequireKind(value, JsonValueKind.Array, at, "an array");
                    node.Enum = value;
                    break;
                case "const":
                    node.Const = value;
                    break;
                case "multipleOf":
                    RequireNumber(value, at);
                    if (JsonValues.Sign(value) <= 0)
                    {
                        throw new JsonSchemaException(at, "multipleOf must be greater than 0");
                    }

                    node.MultipleOf = value;
                    break;
                case "maximum":
                    node.Maximum = RequireNumber(value, at);
                    break;
                case "exclusiveMaximum":
                    node.ExclusiveMaximum = RequireNumber(value, at, boolHint: true);
                    break;
                case "minimum":
                    node.Minimum = RequireNumber(value, at);
                    break;
                case "exclusiveMinimum":
                    node.ExclusiveMinimum = RequireNumber(value, at, boolHint: true);
                    break;
                case "maxLength":
                    node.MaxLength = RequireCount(value, at);
                    break;
                case "minLength":
                    node.MinLength = RequireCount(value, at);
                    break;
                case "pattern":
                    node.Pattern = CreateRegex(RequireString(value, at), at);
                    break;
                case "items":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        node.ItemsArray = CompileArray(value, at, baseUri, depth, allowEmpty: true);
                    }
                    else
                    {
                        node.Items = CompileNode(value, at, baseUri, depth + 1);
                    }

                    break;
                case "additionalItems":
                    node.AdditionalItems = CompileNode(value, at, baseUri, depth + 1);
                    break;
                case "maxItems":
                    node.MaxItems = RequireCount(value, at);
                    break;
                case "minItems":
                    node.MinItems = RequireCount(value, at);
                    break;
                case "uniqueItems":
                    node.UniqueItems = RequireBoolean(value, at);
                    break;
                case "contains":
                    node.Contains = CompileNode(value, at, baseUri, depth + 1);
                    break;
                case "maxProperties":
                    node.MaxProperties = RequireCount(value, at);
                    break;
                case "minProperties":
                    node.MinProperties = RequireCount(value, at);
                    break;
                case "required":
                    node.Required = RequireUniqueStrings(value, at);
                    break;
                case "properties":
                    node.Properties = CompileMap(value, at, baseUri, depth);
                    break;
                case "patternProperties":
                    node.PatternProperties = [.. CompileMap(value, at, baseUri, depth).Select(p =>
                        KeyValuePair.Create(CreateRegex(p.Key, at + "/" + EscapePointer(p.Key)), p.Value))];
                    break;
                case "additionalProperties":
                    node.AdditionalProperties = CompileNode(value, at, baseUri, depth + 1);
                    break;
                case "dependencies":
                    RequireKind(value, JsonValueKind.Object, at, "an object");
                    foreach (var dependency in value.EnumerateObject())
                    {
                        var dependencyAt = at + "/" + EscapePointer(dependency.Name);
                        if (dependency.Value.ValueKind == JsonValueKind.Array)
                        {
                            (node.DependencyArrays ??= []).Add(KeyValuePair.Create(dependency.Name, RequireUniqueStrings(dependency.Value, dependencyAt)));
                        }
                        else
                        {
                            (node.DependencySchemas ??= []).Add(KeyValuePair.Create(dependency.Name, CompileNode(dependency.Value, dependencyAt, baseUri, depth + 1)));
                        }
                    }

                    break;
                case "propertyNames":
                    node.PropertyNames = CompileNode(value, at, baseUri, depth + 1);
                    break;
                case "if":
                    node.If = CompileNode(value, at, baseUri, depth + 1);
                    break;
                case "then":
                    node.Then = CompileNode(value, at, baseUri, depth + 1);
                    break;
                case "else":
                    node.Else = CompileNode(value, at, baseUri, depth + 1);
                    break;
                case "allOf":
                    node.AllOf = CompileArray(value, at, baseUri, depth, allowEmpty: false);
                    break;
                case "anyOf":
                    node.AnyOf = CompileArray(value, at, baseUri, depth, allowEmpty: false);
                    break;
                case "oneOf":
                    node.OneOf = CompileArray(value, at, baseUri, depth, allowEmpty: false);
                    break;
                case "not":
                    node.Not = CompileNode(value, at, baseUri, depth + 1);
                    break;
                case "format":
                    node.Format = RequireString(value, at);
                    break;
                case "definitions":
                    CompileMap(value, at, baseUri, depth);
                    break;
                case "$schema":
                case "$comment":
                case "title":
                case "description":
                case "contentMediaType":
                case "contentEncoding":
                    RequireString(value, at);
                    break;
                case "readOnly":
                case "writeOnly":
                    RequireBoolean(value, at);
                    break;
                case "examples":
                    RequireKind(value, JsonValueKind.Array, at, "an array");
                    break;
                default:
                    // Unknown keywords (and "default", "$id") carry no validation meaning in draft-07.
                    break;
            }
        }

        if (node.Then is null && node.Else is null)
        {
            // "if" without "then"/"else" can never change the outcome; keep it compiled (for $ref) but skip it.
            node.If = null;
        }

        return node;
    }

    private List<SchemaNode> CompileArray(JsonElement value, string at, Uri baseUri, int depth, bool allowEmpty)
    {
        RequireKind(value, JsonValueKind.Array, at, "an array of schemas");
        if (!allowEmpty && value.GetArrayLength() == 0)
        {
            throw new JsonSchemaException(at, "must list at least one schema");
        }

        var list = new List<SchemaNode>(value.GetArrayLength());
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            list.Add(CompileNode(item, at + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture), baseUri, depth + 1));
            index++;
        }

        return list;
    }

    private List<KeyValuePair<string, SchemaNode>> CompileMap(JsonElement value, string at, Uri baseUri, int depth)
    {
        RequireKind(value, JsonValueKind.Object, at, "an object whose values are schemas");
        var list = new List<KeyValuePair<string, SchemaNode>>();
        foreach (var property in value.EnumerateObject())
        {
            list.Add(KeyValuePair.Create(property.Name, CompileNode(property.Value, at + "/" + EscapePointer(property.Name), baseUri, depth + 1)));
        }

        return list;
    }

    private SchemaNode ResolveReference(SchemaNode node)
    {
        var text = node.RefText!;
        var at = node.Pointer + "/$ref";
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        var resourcePart = hash < 0 ? text : text[..hash];
        var fragment = hash < 0 ? "" : text[(hash + 1)..];
        var resourceUri = resourcePart.Length == 0 ? node.BaseUri : ResolveUri(node.BaseUri, resourcePart, at);
        var resourceKey = Strip(resourceUri);
        var target = FindLocal(resourceKey, fragment, at);
        if (target is not null)
        {
            return target;
        }

        if (_resources.ContainsKey(resourceKey))
        {
            throw new JsonSchemaException(at, $"\"{text}\" points at nothing in this document");
        }

        var remote = FindRemote(resourcePart, resourceKey)
            ?? throw new JsonSchemaException(at, $"cannot resolve \"{text}\": no schema in this document has $id \"{resourceKey}\" and no schema reference named \"{resourcePart}\" was supplied; register the referenced schema and list it in the references");
        return remote.FindLocal(Strip(remote.BaseUri), fragment, at)
            ?? remote.FindLocal("", fragment, at)
            ?? throw new JsonSchemaException(at, $"\"{text}\": the referenced schema \"{resourcePart}\" has nothing at \"#{fragment}\"");
    }

    private JsonSchemaDocument? FindRemote(string resourcePart, string resourceKey)
    {
        if (_remotes.TryGetValue(resourceKey, out var cached))
        {
            return cached;
        }

        if (_resolver is null)
        {
            return null;
        }

        var remote = (resourcePart.Length > 0 ? _resolver(resourcePart) : null) ?? _resolver(resourceKey);
        if (remote is not null)
        {
            _remotes[resourceKey] = remote;
        }

        return remote;
    }

    /// <summary>Finds the schema a fragment names inside the resource with key <paramref name="resourceKey"/> ("" = root).</summary>
    private SchemaNode? FindLocal(string resourceKey, string fragment, string at)
    {
        string resourcePointer;
        if (resourceKey.Length == 0)
        {
            resourcePointer = "";
        }
        else if (!_resources.TryGetValue(resourceKey, out resourcePointer!))
        {
            return null;
        }

        var decoded = Uri.UnescapeDataString(fragment);
        if (decoded.Length > 0 && decoded[0] != '/')
        {
            return _anchors.TryGetValue(resourceKey + "#" + fragment, out var anchor) && anchor is not null ? anchor : null;
        }

        var resourceNode = _nodes[resourcePointer];
        var element = resourceNode.Raw;
        var pointer = resourcePointer;
        if (decoded.Length > 0)
        {
            foreach (var rawToken in decoded[1..].Split('/'))
            {
                var token = rawToken.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(token, out var child))
                {
                    element = child;
                }
                else if (element.ValueKind == JsonValueKind.Array && int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < element.GetArrayLength())
                {
                    element = element[index];
                }
                else
                {
                    throw new JsonSchemaException(at, $"the JSON pointer \"#{fragment}\" does not exist: no \"{token}\" at \"{(pointer.Length == 0 ? "#" : pointer)}\"");
                }

                pointer += "/" + EscapePointer(token);
            }
        }

        // A pointer may reach a schema nothing else compiled (for example inside an unknown keyword); compile it now.
        return CompileNode(element, pointer, resourceNode.BaseUri, pointer.Count(c => c == '/'));
    }

    /// <summary>
    /// Rejects schemas that would recurse on the same instance forever ({"$ref": "#"}, allOf cycles): the edges that
    /// apply a subschema to the very same instance must form no cycle.
    /// </summary>
    private void CheckRefCycles()
    {
        var state = new Dictionary<SchemaNode, int>(ReferenceEqualityComparer.Instance);
        foreach (var start in _nodes.Values.ToList())
        {
            if (state.ContainsKey(start))
            {
                continue;
            }

            var stack = new Stack<(SchemaNode Node, List<SchemaNode> Next, int Index)>();
            state[start] = 1;
            stack.Push((start, SameInstanceChildren(start), 0));
            while (stack.Count > 0)
            {
                var (node, next, index) = stack.Pop();
                if (index >= next.Count)
                {
                    state[node] = 2;
                    continue;
                }

                stack.Push((node, next, index + 1));
                var child = next[index];
                if (!state.TryGetValue(child, out var childState))
                {
                    state[child] = 1;
                    stack.Push((child, SameInstanceChildren(child), 0));
                }
                else if (childState == 1)
                {
                    throw new JsonSchemaException(
                        node.RefText is null ? node.Pointer : node.Pointer + "/$ref",
                        $"cyclic reference: the schema at \"#{child.Pointer}\" applies itself to the same value without consuming any of it, so validation would never end");
                }
            }
        }
    }

    private static List<SchemaNode> SameInstanceChildren(SchemaNode node)
    {
        var list = new List<SchemaNode>();
        if (node.Ref is not null)
        {
            list.Add(node.Ref);
        }

        list.AddRange(node.AllOf ?? []);
        list.AddRange(node.AnyOf ?? []);
        list.AddRange(node.OneOf ?? []);
        list.AddRange((node.DependencySchemas ?? []).Select(p => p.Value));
        foreach (var single in new[] { node.Not, node.If, node.Then, node.Else })
        {
            if (single is not null)
            {
                list.Add(single);
            }
        }

        return list;
    }

    private static Uri ResolveUri(Uri baseUri, string reference, string at)
    {
        try
        {
            return new Uri(baseUri, reference);
        }
        catch (UriFormatException e)
        {
            throw new JsonSchemaException(at, $"\"{reference}\" is not a valid URI reference: {e.Message}", e);
        }
    }

    private static string Strip(Uri uri)
    {
        var text = uri.AbsoluteUri;
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? text : text[..hash];
    }

    internal static string EscapePointer(string token) =>
        token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    internal static Regex CreateRegex(string pattern, string at)
    {
        try
        {
            // ECMAScript semantics first (ASCII \d \w \s, as draft-07 asks); .NET syntax rejects some ECMA-262
            // constructs under that option (such as \p{..}), so fall back to the default dialect for those.
            return new Regex(pattern, RegexOptions.ECMAScript, PatternTimeout);
        }
        catch (ArgumentException)
        {
            try
            {
                return new Regex(pattern, RegexOptions.CultureInvariant, PatternTimeout);
            }
            catch (ArgumentException e)
            {
                throw new JsonSchemaException(at, $"\"{pattern}\" is not a valid regular expression: {e.Message}", e);
            }
        }
    }

    private static JsonSchemaTypes ParseTypes(JsonElement value, string at)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return ParseType(value.GetString()!, at);
        }

        RequireKind(value, JsonValueKind.Array, at, "a type name or an array of type names");
        var types = JsonSchemaTypes.None;
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemAt = at + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var type = ParseType(RequireString(item, itemAt), itemAt);
            if ((types & type) != 0)
            {
                throw new JsonSchemaException(itemAt, "type names must be unique");
            }

            types |= type;
            index++;
        }

        if (types == JsonSchemaTypes.None)
        {
            throw new JsonSchemaException(at, "an empty type array allows nothing; list at least one type");
        }

        return types;
    }

    private static JsonSchemaTypes ParseType(string name, string at) => name switch
    {
        "null" => JsonSchemaTypes.Null,
        "boolean" => JsonSchemaTypes.Boolean,
        "object" => JsonSchemaTypes.Object,
        "array" => JsonSchemaTypes.Array,
        "number" => JsonSchemaTypes.Number,
        "string" => JsonSchemaTypes.String,
        "integer" => JsonSchemaTypes.Integer,
        _ => throw new JsonSchemaException(at, $"unknown type \"{name}\"; expected one of null, boolean, object, array, number, string, integer"),
    };

    private static void RequireKind(JsonElement value, JsonValueKind kind, string at, string what)
    {
        if (value.ValueKind != kind)
        {
            throw new JsonSchemaException(at, $"must be {what}, found {Describe(value)}");
        }
    }

    private static string RequireString(JsonElement value, string at)
    {
        RequireKind(value, JsonValueKind.String, at, "a string");
        return value.GetString()!;
    }

    private static bool RequireBoolean(JsonElement value, string at)
    {
        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new JsonSchemaException(at, $"must be a boolean, found {Describe(value)}");
        }

        return value.ValueKind == JsonValueKind.True;
    }

    private static JsonElement RequireNumber(JsonElement value, string at, bool boolHint = false)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            var hint = boolHint && value.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? " (the boolean form is draft-04; in draft-07 give the limit itself, e.g. \"exclusiveMaximum\": 10)"
                : "";
            throw new JsonSchemaException(at, $"must be a number, found {Describe(value)}{hint}");
        }

        return value;
    }

    private static long RequireCount(JsonElement value, string at)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out var count) && count >= 0)
            {
                return count;
            }

            // Draft-07 accepts 2.0 wherever a non-negative integer is required.
            if (value.TryGetDouble(out var real) && real >= 0 && Math.Floor(real) == real)
            {
                return real >= long.MaxValue ? long.MaxValue : (long)real;
            }
        }

        throw new JsonSchemaException(at, $"must be a non-negative integer, found {Describe(value)}");
    }

    private static List<string> RequireUniqueStrings(JsonElement value, string at)
    {
        RequireKind(value, JsonValueKind.Array, at, "an array of strings");
        var list = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemAt = at + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var text = RequireString(item, itemAt);
            if (list.Contains(text))
            {
                throw new JsonSchemaException(itemAt, $"\"{text}\" is listed twice; the strings must be unique");
            }

            list.Add(text);
            index++;
        }

        return list;
    }

    internal static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Truncate(value.GetRawText())}",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
