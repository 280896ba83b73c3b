namespace Meshwork.Governance.Schemas;

/// <summary>One top-level field of a product schema, as governance sees it.</summary>
/// <param name="Name">Field name.</param>
/// <param name="Doc">Field documentation, searched by classification patterns.</param>
/// <param name="Type">Short type description (<c>string</c>, <c>long/timestamp-millis</c>, <c>["null","string"]</c>).</param>
/// <param name="Required">False when the field may be null (a union with null) or has a default.</param>
/// <param name="DeclaredLabels">Labels the schema author declared on the field (Avro field property <c>classification</c>).</param>
public sealed record SchemaField(string Name, string? Doc, string Type, bool Required, IReadOnlyList<string> DeclaredLabels);

/// <summary>A product's schema: its text, a canonical form for change detection, and its fields.</summary>
/// <param name="Format">Schema registry schema type: <c>AVRO</c> or <c>JSON</c>.</param>
/// <param name="Text">The schema file's text as registered.</param>
/// <param name="Canonical">A normalized form: equal canonical forms mean "no schema change".</param>
/// <param name="Fields">Top-level fields.</param>
public sealed record ProductSchema(string Format, string Text, string Canonical, IReadOnlyList<SchemaField> Fields)
{
    /// <summary>The field named <paramref name="name"/>, or null.</summary>
    public SchemaField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
}

/// <summary>A schema that could not be read; <see cref="Path"/> locates the problem inside the schema (e.g. <c>$.fields[2].type</c>).</summary>
public sealed class SchemaReadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SchemaReadException(string path, string reason, Exception? inner = null)
        : base($"{path}: {reason}", inner)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>Where in the schema the problem is.</summary>
    public string Path { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }
}

/// <summary>
/// Extracts governance-relevant fields from one schema language: <see cref="AvroFieldReader"/> for
/// <c>.avsc</c>, <see cref="JsonSchemaFieldReader"/> for <c>.json</c>.
/// </summary>
public interface ISchemaFieldReader
{
    /// <summary>Registry schema type (<c>AVRO</c>, <c>JSON</c>).</summary>
    string Format { get; }

    /// <summary>True when this reader handles files with this name (by extension).</summary>
    bool Handles(string fileName);

    /// <summary>Parses <paramref name="text"/>; throws <see cref="SchemaReadException"/> when it is invalid.</summary>
    ProductSchema Read(string text);

    /// <summary>
    /// Why a consumer on <paramref name="previous"/> could not read data written with <paramref name="next"/>
    /// under BACKWARD compatibility (empty when compatible).
    /// </summary>
    IReadOnlyList<string> BackwardIncompatibilities(ProductSchema previous, ProductSchema next);
}

/// <summary>The schema readers a mesh load uses, chosen by file extension.</summary>
public sealed class SchemaReaders
{
    private readonly IReadOnlyList<ISchemaFieldReader> _readers;

    /// <summary>Creates a set of readers.</summary>
    public SchemaReaders(IEnumerable<ISchemaFieldReader> readers)
    {
        _readers = readers.ToList();
    }

    /// <summary>Avro (<c>.avsc</c>) and JSON Schema (<c>.json</c>).</summary>
    public static SchemaReaders Default { get; } = new([new AvroFieldReader(), new JsonSchemaFieldReader()]);

    /// <summary>The reader for <paramref name="fileName"/>, or null when no reader handles it.</summary>
    public ISchemaFieldReader? For(string fileName) => _readers.FirstOrDefault(r => r.Handles(fileName));

    /// <summary>The reader for a registry schema type, or null.</summary>
    public ISchemaFieldReader? ForFormat(string format) => _readers.FirstOrDefault(r => string.Equals(r.Format, format, StringComparison.OrdinalIgnoreCase));

    /// <summary>The extensions handled, for error messages.</summary>
    public string Describe() => string.Join(", ", _readers.Select(r => r.Format));
}
