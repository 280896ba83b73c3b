using System.Text.Json;

namespace Meshwork.Formats.Avro;

/// <summary>
/// A parsed Avro schema. Instances are immutable once <see cref="Parse(string, AvroParseOptions?)"/> returns
/// (records are built in two steps so that recursive types can refer to themselves).
/// </summary>
public abstract class AvroSchema
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoProperties = new Dictionary<string, JsonElement>();

    private protected AvroSchema(AvroType type, IReadOnlyDictionary<string, JsonElement>? properties, AvroLogicalType? logicalType)
    {
        Type = type;
        Properties = properties ?? NoProperties;
        LogicalType = logicalType;
    }

    /// <summary>The kind of schema.</summary>
    public AvroType Type { get; }

    /// <summary>
    /// Attributes that are not part of the Avro grammar for this schema, in document order: <c>logicalType</c>,
    /// <c>precision</c>, <c>scale</c>, Iceberg's <c>field-id</c>/<c>element-id</c>/<c>key-id</c>/<c>value-id</c>, and
    /// anything else. They are kept so that schemas round-trip.
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement> Properties { get; }

    /// <summary>The logical type when it is known and valid for this schema; otherwise null.</summary>
    public AvroLogicalType? LogicalType { get; }

    /// <summary>Parses a schema from its JSON text.</summary>
    /// <exception cref="AvroSchemaException">The text is not valid JSON or not a valid schema.</exception>
    public static AvroSchema Parse(string json, AvroParseOptions? options = null) => AvroSchemaParser.Parse(json, options ?? AvroParseOptions.Default);

    /// <summary>Parses a schema from a JSON element.</summary>
    /// <exception cref="AvroSchemaException">The element is not a valid schema.</exception>
    public static AvroSchema Parse(JsonElement json, AvroParseOptions? options = null) => AvroSchemaParser.Parse(json, options ?? AvroParseOptions.Default);

    /// <summary>Returns a primitive schema without properties.</summary>
    public static AvroSchema Primitive(AvroType type) => PrimitiveSchema.Of(type);

    /// <summary>The Parsing Canonical Form of this schema, as defined by the specification.</summary>
    public string ToCanonicalForm() => AvroCanonicalForm.Write(this);

    /// <summary>The full JSON form of this schema, keeping docs, aliases, defaults and extra properties.</summary>
    public string ToJson(bool indented = false) => AvroSchemaJsonWriter.Write(this, indented);

    /// <summary>The full JSON form.</summary>
    public override string ToString() => ToJson();

    private int _minEncodedSize = -1;

    /// <summary>The fewest bytes any value of this schema encodes to; bounds hostile block counts.</summary>
    internal int MinEncodedSize
    {
        get
        {
            if (_minEncodedSize < 0)
            {
                _minEncodedSize = ComputeMinSize(this, []);
            }

            return _minEncodedSize;
        }
    }

    private static int ComputeMinSize(AvroSchema schema, HashSet<AvroSchema> visiting) => schema switch
    {
        PrimitiveSchema { Type: AvroType.Null } => 0,
        PrimitiveSchema { Type: AvroType.Float } => 4,
        PrimitiveSchema { Type: AvroType.Double } => 8,
        PrimitiveSchema => 1,
        FixedSchema f => f.Size,
        // A record that refers back to itself counts the recursive reference as zero: a safe lower bound.
        RecordSchema r => visiting.Add(r) ? (int)Math.Min(int.MaxValue / 2, r.Fields.Sum(f => (long)ComputeMinSize(f.Schema, visiting))) : 0,
        _ => 1,
    };
}

/// <summary>Options for <see cref="AvroSchema.Parse(string, AvroParseOptions?)"/>.</summary>
public sealed record AvroParseOptions
{
    /// <summary>The defaults: validate field defaults and enum defaults.</summary>
    public static AvroParseOptions Default { get; } = new();

    /// <summary>
    /// Whether field defaults must match their field type. True by default; turn off only to read legacy schemas
    /// (some test vectors in the Avro repository carry defaults such as <c>"true"</c> for a boolean).
    /// </summary>
    public bool ValidateDefaults { get; init; } = true;

    /// <summary>
    /// Whether a union field's default may match any branch (Avro 1.12, AVRO-3649) rather than only the first branch
    /// (the Avro 1.11 rule, and the default here).
    /// </summary>
    public bool AllowUnionDefaultOfAnyBranch { get; init; }
}

/// <summary>A primitive schema: null, boolean, int, long, float, double, bytes or string.</summary>
public sealed class PrimitiveSchema : AvroSchema
{
    private static readonly PrimitiveSchema[] Plain =
    [
        new(AvroType.Null, null, null), new(AvroType.Boolean, null, null), new(AvroType.Int, null, null),
        new(AvroType.Long, null, null), new(AvroType.Float, null, null), new(AvroType.Double, null, null),
        new(AvroType.Bytes, null, null), new(AvroType.String, null, null),
    ];

    internal PrimitiveSchema(AvroType type, IReadOnlyDictionary<string, JsonElement>? properties, AvroLogicalType? logicalType)
        : base(type, properties, logicalType)
    {
    }

    internal static PrimitiveSchema Of(AvroType type) =>
        type <= AvroType.String ? Plain[(int)type] : throw new ArgumentOutOfRangeException(nameof(type), type, "not a primitive type");

    internal static string NameOf(AvroType type) => type switch
    {
        AvroType.Null => "null",
        AvroType.Boolean => "boolean",
        AvroType.Int => "int",
        AvroType.Long => "long",
        AvroType.Float => "float",
        AvroType.Double => "double",
        AvroType.Bytes => "bytes",
        AvroType.String => "string",
        AvroType.Record => "record",
        AvroType.Enum => "enum",
        AvroType.Array => "array",
        AvroType.Map => "map",
        AvroType.Union => "union",
        AvroType.Fixed => "fixed",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    internal static AvroType? FromName(string name) => name switch
    {
        "null" => AvroType.Null,
        "boolean" => AvroType.Boolean,
        "int" => AvroType.Int,
        "long" => AvroType.Long,
        "float" => AvroType.Float,
        "double" => AvroType.Double,
        "bytes" => AvroType.Bytes,
        "string" => AvroType.String,
        _ => null,
    };
}

/// <summary>A named schema: record, error, enum or fixed.</summary>
public abstract class NamedSchema : AvroSchema
{
    private protected NamedSchema(AvroType type, string name, string? ns, IReadOnlyList<string> aliases, string? doc,
        IReadOnlyDictionary<string, JsonElement>? properties, AvroLogicalType? logicalType)
        : base(type, properties, logicalType)
    {
        Name = name;
        Namespace = string.IsNullOrEmpty(ns) ? null : ns;
        FullName = Namespace is null ? name : $"{Namespace}.{name}";
        Aliases = aliases;
        Doc = doc;
    }

    /// <summary>The simple (unqualified) name.</summary>
    public string Name { get; }

    /// <summary>The namespace, or null for the null namespace.</summary>
    public string? Namespace { get; }

    /// <summary>The namespace-qualified name.</summary>
    public string FullName { get; }

    /// <summary>Alternative fullnames, already qualified with this schema's namespace where they had no dot.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>The documentation string, if any.</summary>
    public string? Doc { get; }

    internal bool NameMatches(NamedSchema writer)
    {
        // The specification matches named types by unqualified name; aliases of the reader also match.
        if (Name == writer.Name || FullName == writer.FullName)
        {
            return true;
        }

        foreach (var alias in Aliases)
        {
            if (alias == writer.FullName || SimpleName(alias) == writer.Name)
            {
                return true;
            }
        }

        return false;
    }

    internal static string SimpleName(string fullName)
    {
        var dot = fullName.LastIndexOf('.');
        return dot < 0 ? fullName : fullName[(dot + 1)..];
    }
}

/// <summary>A record (or error) schema.</summary>
public sealed class RecordSchema : NamedSchema
{
    private IReadOnlyList<AvroField> _fields = [];
    private Dictionary<string, AvroField> _byName = [];

    internal RecordSchema(string name, string? ns, IReadOnlyList<string> aliases, string? doc, bool isError,
        IReadOnlyDictionary<string, JsonElement>? properties)
        : base(AvroType.Record, name, ns, aliases, doc, properties, null)
    {
        IsError = isError;
    }

    /// <summary>True when declared with <c>"type": "error"</c>.</summary>
    public bool IsError { get; }

    /// <summary>The fields in declaration (and encoding) order.</summary>
    public IReadOnlyList<AvroField> Fields => _fields;

    /// <summary>Finds a field by name; null when there is none.</summary>
    public AvroField? GetField(string name) => _byName.GetValueOrDefault(name);

    internal void SetFields(List<AvroField> fields)
    {
        _fields = fields;
        _byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }
}

/// <summary>A field of a record.</summary>
public sealed class AvroField
{
    internal AvroField(string name, int position, AvroSchema schema, string? doc, JsonElement? defaultValue,
        AvroSortOrder order, bool orderDeclared, IReadOnlyList<string> aliases, IReadOnlyDictionary<string, JsonElement> properties)
    {
        Name = name;
        Position = position;
        Schema = schema;
        Doc = doc;
        Default = defaultValue;
        Order = order;
        OrderDeclared = orderDeclared;
        Aliases = aliases;
        Properties = properties;
    }

    /// <summary>The field name.</summary>
    public string Name { get; }

    /// <summary>Zero-based position in the record.</summary>
    public int Position { get; }

    /// <summary>The field's type.</summary>
    public AvroSchema Schema { get; }

    /// <summary>The documentation string, if any.</summary>
    public string? Doc { get; }

    /// <summary>The default value as JSON (union defaults are for the first branch), or null when absent.</summary>
    public JsonElement? Default { get; }

    /// <summary>True when the field declares a default (which may be JSON null).</summary>
    public bool HasDefault => Default.HasValue;

    /// <summary>The sort order.</summary>
    public AvroSortOrder Order { get; }

    /// <summary>Whether <c>order</c> was written in the schema (kept so that the full form round-trips).</summary>
    public bool OrderDeclared { get; }

    /// <summary>Alternative names for the field, used by schema resolution.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>Extra attributes of the field (for example Iceberg's <c>field-id</c>), in document order.</summary>
    public IReadOnlyDictionary<string, JsonElement> Properties { get; }
}

/// <summary>An enum schema.</summary>
public sealed class EnumSchema : NamedSchema
{
    private readonly Dictionary<string, int> _indexes;

    internal EnumSchema(string name, string? ns, IReadOnlyList<string> aliases, string? doc, IReadOnlyList<string> symbols,
        string? defaultSymbol, IReadOnlyDictionary<string, JsonElement>? properties)
        : base(AvroType.Enum, name, ns, aliases, doc, properties, null)
    {
        Symbols = symbols;
        Default = defaultSymbol;
        _indexes = new Dictionary<string, int>(symbols.Count, StringComparer.Ordinal);
        for (var i = 0; i < symbols.Count; i++)
        {
            _indexes[symbols[i]] = i;
        }
    }

    /// <summary>The symbols in declaration order; the binary encoding is the index.</summary>
    public IReadOnlyList<string> Symbols { get; }

    /// <summary>The symbol a reader uses for writer symbols it does not know, or null.</summary>
    public string? Default { get; }

    /// <summary>The index of <paramref name="symbol"/>, or -1.</summary>
    public int IndexOf(string symbol) => _indexes.TryGetValue(symbol, out var i) ? i : -1;
}

/// <summary>A fixed schema.</summary>
public sealed class FixedSchema : NamedSchema
{
    internal FixedSchema(string name, string? ns, IReadOnlyList<string> aliases, string? doc, int size,
        IReadOnlyDictionary<string, JsonElement>? properties, AvroLogicalType? logicalType)
        : base(AvroType.Fixed, name, ns, aliases, doc, properties, logicalType)
    {
        Size = size;
    }

    /// <summary>The number of bytes.</summary>
    public int Size { get; }
}

/// <summary>An array schema.</summary>
public sealed class ArraySchema : AvroSchema
{
    internal ArraySchema(AvroSchema items, IReadOnlyDictionary<string, JsonElement>? properties)
        : base(AvroType.Array, properties, null)
    {
        Items = items;
    }

    /// <summary>The item type.</summary>
    public AvroSchema Items { get; }
}

/// <summary>A map schema; keys are strings.</summary>
public sealed class MapSchema : AvroSchema
{
    internal MapSchema(AvroSchema values, IReadOnlyDictionary<string, JsonElement>? properties)
        : base(AvroType.Map, properties, null)
    {
        Values = values;
    }

    /// <summary>The value type.</summary>
    public AvroSchema Values { get; }
}

/// <summary>A union schema.</summary>
public sealed class UnionSchema : AvroSchema
{
    internal UnionSchema(IReadOnlyList<AvroSchema> branches)
        : base(AvroType.Union, null, null)
    {
        Branches = branches;
    }

    /// <summary>The branches; the binary encoding starts with the branch index.</summary>
    public IReadOnlyList<AvroSchema> Branches { get; }
}
