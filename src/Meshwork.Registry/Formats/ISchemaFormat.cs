namespace Meshwork.Registry.Formats;

/// <summary>
/// One schema language the registry understands (Confluent's <c>schemaType</c>). Implementations are stateless and
/// thread-safe; the registry registers them in a <see cref="SchemaFormatRegistry"/>.
/// </summary>
public interface ISchemaFormat
{
    /// <summary>The Confluent type name: <c>AVRO</c>, <c>JSON</c> or <c>PROTOBUF</c>.</summary>
    string SchemaType { get; }

    /// <summary>
    /// Parses and validates <paramref name="schemaText"/> with its references already resolved (dependencies first).
    /// </summary>
    /// <exception cref="SchemaParseException">The text is not a valid schema; the message says where and why.</exception>
    ParsedSchema Parse(string schemaText, IReadOnlyList<ResolvedReference> references);

    /// <summary>
    /// Lists why <paramref name="newer"/> is not compatible with <paramref name="older"/> in <paramref name="direction"/>;
    /// empty when it is. Both schemas were produced by this format's <see cref="Parse"/>.
    /// </summary>
    IReadOnlyList<string> CheckCompatibility(ParsedSchema older, ParsedSchema newer, CompatibilityDirection direction);

    /// <summary>Whether <paramref name="payload"/> (the record bytes after the 5-byte wire prefix) is one valid value.</summary>
    bool ValidatePayload(ParsedSchema schema, ReadOnlySpan<byte> payload, out string? error);
}

/// <summary>Which way data must flow between two schema versions.</summary>
public enum CompatibilityDirection
{
    /// <summary>The newer schema reads data written with the older one.</summary>
    Backward,

    /// <summary>The older schema reads data written with the newer one.</summary>
    Forward,

    /// <summary>Both.</summary>
    Full,
}

/// <summary>A reference of a schema to another registered schema, with the referenced schema's text.</summary>
/// <param name="Name">What the referrer calls it (for Avro the referenced type's full name).</param>
/// <param name="Subject">The subject the referenced schema is registered under.</param>
/// <param name="Version">Its version in that subject.</param>
/// <param name="SchemaText">The referenced schema as stored.</param>
public sealed record ResolvedReference(string Name, string Subject, int Version, string SchemaText);

/// <summary>A schema a format has parsed and validated.</summary>
public abstract class ParsedSchema
{
    /// <summary>The Confluent type name of the format that parsed it.</summary>
    public abstract string SchemaType { get; }

    /// <summary>The form the registry stores and returns (for Avro the compact full JSON, as Confluent returns it).</summary>
    public abstract string CanonicalString { get; }

    /// <summary>
    /// A form in which cosmetic differences (attribute order, whitespace, relative names) are gone; stored and compared
    /// instead of <see cref="CanonicalString"/> when a request says <c>normalize=true</c>.
    /// </summary>
    public abstract string NormalizedString { get; }
}

/// <summary>A schema text is not valid in its format.</summary>
public sealed class SchemaParseException : Exception
{
    /// <summary>Creates the exception with a message that names the problem and where it is.</summary>
    public SchemaParseException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
