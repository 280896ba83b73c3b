using System.Text.Json;

namespace Meshwork.Formats.Avro;

/// <summary>Parses the JSON form of a schema per the specification's "Schema Declaration" section.</summary>
internal sealed class AvroSchemaParser
{
    private const int MaxDepth = 256;

    private static readonly HashSet<string> RecordAttributes = ["type", "name", "namespace", "doc", "aliases", "fields"];
    private static readonly HashSet<string> EnumAttributes = ["type", "name", "namespace", "doc", "aliases", "symbols", "default"];
    private static readonly HashSet<string> FixedAttributes = ["type", "name", "namespace", "doc", "aliases", "size"];
    private static readonly HashSet<string> FieldAttributes = ["name", "type", "doc", "default", "order", "aliases"];

    private readonly AvroParseOptions _options;
    private readonly Dictionary<string, NamedSchema> _names = new(StringComparer.Ordinal);
    private readonly List<(AvroField Field, string Path)> _pendingDefaults = [];

    private AvroSchemaParser(AvroParseOptions options)
    {
        _options = options;
    }

    public static AvroSchema Parse(string json, AvroParseOptions options)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth * 2 });
        }
        catch (JsonException e)
        {
            throw new AvroSchemaException("", $"not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            return Parse(doc.RootElement, options);
        }
    }

    public static AvroSchema Parse(JsonElement json, AvroParseOptions options)
    {
        var parser = new AvroSchemaParser(options);
        var schema = parser.ParseSchema(json, null, "", 0);
        parser.ValidateDefaults();
        return schema;
    }

    private void ValidateDefaults()
    {
        // Defaults are checked after the whole document is parsed: a recursive record's fields are only complete then.
        if (!_options.ValidateDefaults)
        {
            return;
        }

        foreach (var (field, path) in _pendingDefaults)
        {
            try
            {
                AvroJson.CheckDefault(field.Schema, field.Default!.Value, firstBranchOnly: !_options.AllowUnionDefaultOfAnyBranch);
            }
            catch (AvroDataException e)
            {
                throw new AvroSchemaException(path, $"default value does not match the field type: {e.Message}", e);
            }
        }
    }

    private AvroSchema ParseSchema(JsonElement json, string? ns, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new AvroSchemaException(path, $"schema nested deeper than {MaxDepth} levels");
        }

        switch (json.ValueKind)
        {
            case JsonValueKind.String:
                return ResolveName(json.GetString()!, ns, path);
            case JsonValueKind.Array:
                return ParseUnion(json, ns, path, depth);
            case JsonValueKind.Object:
                return ParseObject(json, ns, path, depth);
            default:
                throw new AvroSchemaException(path, $"a schema must be a string, an object or an array, not {Describe(json)}");
        }
    }

    private AvroSchema ResolveName(string name, string? ns, string path)
    {
        if (PrimitiveSchema.FromName(name) is { } primitive)
        {
            return PrimitiveSchema.Of(primitive);
        }

        if (!name.Contains('.') && !string.IsNullOrEmpty(ns) && _names.TryGetValue($"{ns}.{name}", out var inNamespace))
        {
            return inNamespace;
        }

        if (_names.TryGetValue(name, out var named))
        {
            return named;
        }

        throw new AvroSchemaException(path, $"unknown type '{name}'");
    }

    private UnionSchema ParseUnion(JsonElement json, string? ns, string path, int depth)
    {
        var branches = new List<AvroSchema>(json.GetArrayLength());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in json.EnumerateArray())
        {
            var branchPath = $"{path}[{i}]";
            var branch = ParseSchema(item, ns, branchPath, depth + 1);
            if (branch.Type == AvroType.Union)
            {
                throw new AvroSchemaException(branchPath, "a union may not immediately contain another union");
            }

            var key = branch is NamedSchema n ? n.FullName : PrimitiveSchema.NameOf(branch.Type);
            if (!seen.Add(key))
            {
                throw new AvroSchemaException(branchPath, $"duplicate '{key}' in union");
            }

            branches.Add(branch);
            i++;
        }

        return new UnionSchema(branches);
    }

    private AvroSchema ParseObject(JsonElement json, string? ns, string path, int depth)
    {
        if (!json.TryGetProperty("type", out var typeElement))
        {
            throw new AvroSchemaException(path, "missing 'type'");
        }

        var typePath = Join(path, "type");
        if (typeElement.ValueKind != JsonValueKind.String)
        {
            // {"type": {...}} and {"type": [...]} are accepted by the reference implementations as a wrapped schema.
            if (typeElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                return ParseSchema(typeElement, ns, typePath, depth + 1);
            }

            throw new AvroSchemaException(typePath, $"'type' must be a string, an object or an array, not {Describe(typeElement)}");
        }

        var type = typeElement.GetString()!;
        if (PrimitiveSchema.FromName(type) is { } primitive)
        {
            var props = ExtraProperties(json, ["type"]);
            if (props is null)
            {
                return PrimitiveSchema.Of(primitive);
            }

            return new PrimitiveSchema(primitive, props, LogicalTypeOf(json, primitive, 0, path));
        }

        switch (type)
        {
            case "record":
            case "error":
                return ParseRecord(json, ns, path, depth, isError: type == "error");
            case "enum":
                return ParseEnum(json, ns, path);
            case "fixed":
                return ParseFixed(json, ns, path);
            case "array":
                {
                    var items = ParseSchema(Required(json, "items", path), ns, Join(path, "items"), depth + 1);
                    return new ArraySchema(items, ExtraProperties(json, ["type", "items"]));
                }

            case "map":
                {
                    var values = ParseSchema(Required(json, "values", path), ns, Join(path, "values"), depth + 1);
                    return new MapSchema(values, ExtraProperties(json, ["type", "values"]));
                }

            default:
                // {"type": "com.example.Name"} refers to a previously defined named type.
                return ResolveName(type, ns, typePath);
        }
    }

    private RecordSchema ParseRecord(JsonElement json, string? ns, string path, int depth, bool isError)
    {
        var (name, recordNs) = ParseName(json, ns, path);
        var record = new RecordSchema(name, recordNs, ParseAliases(json, recordNs, path), OptionalString(json, "doc", path), isError,
            ExtraProperties(json, RecordAttributes));
        Register(record, path);

        var fieldsElement = Required(json, "fields", path);
        var fieldsPath = Join(path, "fields");
        if (fieldsElement.ValueKind != JsonValueKind.Array)
        {
            throw new AvroSchemaException(fieldsPath, $"'fields' must be an array, not {Describe(fieldsElement)}");
        }

        var fields = new List<AvroField>(fieldsElement.GetArrayLength());
        var fieldNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in fieldsElement.EnumerateArray())
        {
            var fieldPath = $"{fieldsPath}[{fields.Count}]";
            if (f.ValueKind != JsonValueKind.Object)
            {
                throw new AvroSchemaException(fieldPath, $"a field must be an object, not {Describe(f)}");
            }

            var fieldName = RequiredString(f, "name", fieldPath);
            if (!IsValidName(fieldName))
            {
                throw new AvroSchemaException(Join(fieldPath, "name"), $"invalid field name '{fieldName}': names match [A-Za-z_][A-Za-z0-9_]*");
            }

            if (!fieldNames.Add(fieldName))
            {
                throw new AvroSchemaException(Join(fieldPath, "name"), $"duplicate field name '{fieldName}'");
            }

            var fieldType = ParseSchema(Required(f, "type", fieldPath), record.Namespace, Join(fieldPath, "type"), depth + 1);
            var order = AvroSortOrder.Ascending;
            var orderDeclared = false;
            if (f.TryGetProperty("order", out var orderElement))
            {
                orderDeclared = true;
                order = orderElement.ValueKind == JsonValueKind.String ? orderElement.GetString() switch
                {
                    "ascending" => AvroSortOrder.Ascending,
                    "descending" => AvroSortOrder.Descending,
                    "ignore" => AvroSortOrder.Ignore,
                    _ => throw new AvroSchemaException(Join(fieldPath, "order"), $"order must be 'ascending', 'descending' or 'ignore', not {Describe(orderElement)}"),
                }
                : throw new AvroSchemaException(Join(fieldPath, "order"), $"order must be 'ascending', 'descending' or 'ignore', not {Describe(orderElement)}");
            }

            JsonElement? defaultValue = f.TryGetProperty("default", out var d) ? d.Clone() : null;
            var field = new AvroField(fieldName, fields.Count, fieldType, OptionalString(f, "doc", fieldPath), defaultValue, order, orderDeclared,
                ParseFieldAliases(f, fieldPath), ExtraProperties(f, FieldAttributes) ?? new Dictionary<string, JsonElement>());
            if (defaultValue.HasValue)
            {
                _pendingDefaults.Add((field, Join(fieldPath, "default")));
            }

            fields.Add(field);
        }

        record.SetFields(fields);
        return record;
    }

    private EnumSchema ParseEnum(JsonElement json, string? ns, string path)
    {
        var (name, enumNs) = ParseName(json, ns, path);
        var symbolsElement = Required(json, "symbols", path);
        var symbolsPath = Join(path, "symbols");
        if (symbolsElement.ValueKind != JsonValueKind.Array)
        {
            throw new AvroSchemaException(symbolsPath, $"'symbols' must be an array, not {Describe(symbolsElement)}");
        }

        var symbols = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in symbolsElement.EnumerateArray())
        {
            var symbolPath = $"{symbolsPath}[{symbols.Count}]";
            if (s.ValueKind != JsonValueKind.String || !IsValidName(s.GetString()!))
            {
                throw new AvroSchemaException(symbolPath, $"invalid symbol {Describe(s)}: symbols match [A-Za-z_][A-Za-z0-9_]*");
            }

            var symbol = s.GetString()!;
            if (!seen.Add(symbol))
            {
                throw new AvroSchemaException(symbolPath, $"duplicate symbol '{symbol}'");
            }

            symbols.Add(symbol);
        }

        string? defaultSymbol = null;
        if (json.TryGetProperty("default", out var d))
        {
            if (d.ValueKind != JsonValueKind.String || !seen.Contains(d.GetString()!))
            {
                throw new AvroSchemaException(Join(path, "default"), $"enum default {Describe(d)} is not one of the symbols");
            }

            defaultSymbol = d.GetString();
        }

        var schema = new EnumSchema(name, enumNs, ParseAliases(json, enumNs, path), OptionalString(json, "doc", path), symbols, defaultSymbol,
            ExtraProperties(json, EnumAttributes));
        Register(schema, path);
        return schema;
    }

    private FixedSchema ParseFixed(JsonElement json, string? ns, string path)
    {
        var (name, fixedNs) = ParseName(json, ns, path);
        var sizeElement = Required(json, "size", path);
        if (sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt32(out var size) || size < 0)
        {
            throw new AvroSchemaException(Join(path, "size"), $"'size' must be a non-negative integer, not {Describe(sizeElement)}");
        }

        var schema = new FixedSchema(name, fixedNs, ParseAliases(json, fixedNs, path), OptionalString(json, "doc", path), size,
            ExtraProperties(json, FixedAttributes), LogicalTypeOf(json, AvroType.Fixed, size, path));
        Register(schema, path);
        return schema;
    }

    private void Register(NamedSchema schema, string path)
    {
        // The specification: primitive type names have no namespace and may not be defined in any namespace.
        if (PrimitiveSchema.FromName(schema.Name) is not null)
        {
            throw new AvroSchemaException(Join(path, "name"), $"'{schema.Name}' is a primitive type name and cannot be redefined");
        }

        if (!_names.TryAdd(schema.FullName, schema))
        {
            throw new AvroSchemaException(Join(path, "name"), $"'{schema.FullName}' is already defined");
        }
    }

    private static (string Name, string? Namespace) ParseName(JsonElement json, string? enclosing, string path)
    {
        var name = RequiredString(json, "name", path);
        string? ns;
        string simple;
        var dot = name.LastIndexOf('.');
        if (dot >= 0)
        {
            // A dotted name is a fullname: its namespace attribute is ignored.
            ns = name[..dot];
            simple = name[(dot + 1)..];
        }
        else
        {
            ns = json.TryGetProperty("namespace", out var nsElement)
                ? nsElement.ValueKind switch
                {
                    JsonValueKind.String => nsElement.GetString(),
                    JsonValueKind.Null => "",
                    _ => throw new AvroSchemaException(Join(path, "namespace"), $"'namespace' must be a string, not {Describe(nsElement)}"),
                }
                : enclosing;
            simple = name;
        }

        if (!IsValidName(simple))
        {
            throw new AvroSchemaException(Join(path, "name"), $"invalid name '{name}': names match [A-Za-z_][A-Za-z0-9_]*");
        }

        if (!string.IsNullOrEmpty(ns) && !IsValidNamespace(ns))
        {
            throw new AvroSchemaException(Join(path, dot >= 0 ? "name" : "namespace"), $"invalid namespace '{ns}': dot-separated names matching [A-Za-z_][A-Za-z0-9_]*");
        }

        return (simple, string.IsNullOrEmpty(ns) ? null : ns);
    }

    private static List<string> ParseAliases(JsonElement json, string? ns, string path)
    {
        var aliases = new List<string>();
        if (!json.TryGetProperty("aliases", out var a))
        {
            return aliases;
        }

        var aliasesPath = Join(path, "aliases");
        if (a.ValueKind != JsonValueKind.Array)
        {
            throw new AvroSchemaException(aliasesPath, $"'aliases' must be an array of names, not {Describe(a)}");
        }

        foreach (var alias in a.EnumerateArray())
        {
            var s = alias.ValueKind == JsonValueKind.String ? alias.GetString()! : null;
            if (s is null || !IsValidNamespace(s))
            {
                throw new AvroSchemaException($"{aliasesPath}[{aliases.Count}]", $"invalid alias {Describe(alias)}");
            }

            aliases.Add(s.Contains('.') || string.IsNullOrEmpty(ns) ? s : $"{ns}.{s}");
        }

        return aliases;
    }

    private static List<string> ParseFieldAliases(JsonElement json, string path)
    {
        var aliases = new List<string>();
        if (!json.TryGetProperty("aliases", out var a))
        {
            return aliases;
        }

        var aliasesPath = Join(path, "aliases");
        if (a.ValueKind != JsonValueKind.Array)
        {
            throw new AvroSchemaException(aliasesPath, $"'aliases' must be an array of names, not {Describe(a)}");
        }

        foreach (var alias in a.EnumerateArray())
        {
            if (alias.ValueKind != JsonValueKind.String || !IsValidName(alias.GetString()!))
            {
                throw new AvroSchemaException($"{aliasesPath}[{aliases.Count}]", $"invalid field alias {Describe(alias)}");
            }

            aliases.Add(alias.GetString()!);
        }

        return aliases;
    }

    private static AvroLogicalType? LogicalTypeOf(JsonElement json, AvroType underlying, int fixedSize, string path)
    {
        if (!json.TryGetProperty("logicalType", out var lt) || lt.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var name = lt.GetString()!;
        if (AvroLogicalType.KindOf(name) is not { } kind)
        {
            return null;
        }

        // The specification: an invalid logical type is ignored and the underlying type is used.
        var valid = kind switch
        {
            AvroLogicalKind.Decimal => underlying is AvroType.Bytes or AvroType.Fixed,
            AvroLogicalKind.Uuid => underlying == AvroType.String || (underlying == AvroType.Fixed && fixedSize == 16),
            AvroLogicalKind.Date or AvroLogicalKind.TimeMillis => underlying == AvroType.Int,
            AvroLogicalKind.Duration => underlying == AvroType.Fixed && fixedSize == 12,
            _ => underlying == AvroType.Long,
        };
        if (!valid)
        {
            return null;
        }

        if (kind != AvroLogicalKind.Decimal)
        {
            return new AvroLogicalType(kind, name);
        }

        if (!json.TryGetProperty("precision", out var p) || p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out var precision) || precision <= 0)
        {
            return null;
        }

        var scale = 0;
        if (json.TryGetProperty("scale", out var s) && (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out scale) || scale < 0))
        {
            return null;
        }

        if (scale > precision)
        {
            return null;
        }

        if (underlying == AvroType.Fixed && precision > MaxDecimalPrecision(fixedSize))
        {
            return null;
        }

        return new AvroLogicalType(kind, name, precision, scale);
    }

    /// <summary>floor(log10(2^(8n-1) - 1)): the most decimal digits a two's-complement fixed(n) can hold.</summary>
    internal static int MaxDecimalPrecision(int size) =>
        size <= 0 ? 0 : (int)Math.Floor(Math.Log10(Math.Pow(2, (8.0 * size) - 1) - 1));

    private static Dictionary<string, JsonElement>? ExtraProperties(JsonElement json, HashSet<string> known)
    {
        Dictionary<string, JsonElement>? props = null;
        foreach (var p in json.EnumerateObject())
        {
            if (!known.Contains(p.Name))
            {
                props ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                props[p.Name] = p.Value.Clone();
            }
        }

        return props;
    }

    private static JsonElement Required(JsonElement json, string name, string path) =>
        json.TryGetProperty(name, out var value) ? value : throw new AvroSchemaException(path, $"missing '{name}'");

    private static string RequiredString(JsonElement json, string name, string path)
    {
        var value = Required(json, name, path);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new AvroSchemaException(Join(path, name), $"'{name}' must be a string, not {Describe(value)}");
    }

    private static string? OptionalString(JsonElement json, string name, string path)
    {
        if (!json.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new AvroSchemaException(Join(path, name), $"'{name}' must be a string, not {Describe(value)}");
    }

    internal static bool IsValidName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name.AsSpan(1))
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidNamespace(string ns)
    {
        foreach (var part in ns.Split('.'))
        {
            if (!IsValidName(part))
            {
                return false;
            }
        }

        return true;
    }

    private static string Join(string path, string member) => path.Length == 0 ? member : $"{path}.{member}";

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"'{e.GetString()}'",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => e.GetRawText(),
    };
}
