using System.Collections.Concurrent;

namespace Meshwork.Registry.Formats;

/// <summary>
/// The schema formats a registry accepts, by Confluent type name. AVRO is built in; JSON Schema is plugged in by the
/// host once <c>Meshwork.Formats.JsonSchema</c> exists; PROTOBUF is not supported.
/// </summary>
public sealed class SchemaFormatRegistry
{
    private readonly ConcurrentDictionary<string, ISchemaFormat> _formats = new(StringComparer.Ordinal);

    /// <summary>Creates a registry holding only <see cref="AvroSchemaFormat"/>.</summary>
    public SchemaFormatRegistry()
    {
        Register(AvroSchemaFormat.Instance);
    }

    /// <summary>The type names registered, in a stable order.</summary>
    public IReadOnlyList<string> SchemaTypes => [.. _formats.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Adds (or replaces) the format for its <see cref="ISchemaFormat.SchemaType"/>.</summary>
    public void Register(ISchemaFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        _formats[format.SchemaType] = format;
    }

    /// <summary>The format for <paramref name="schemaType"/>, or null when it is not registered.</summary>
    public ISchemaFormat? Find(string schemaType) => _formats.GetValueOrDefault(schemaType);

    /// <summary>The format for <paramref name="schemaType"/>.</summary>
    /// <exception cref="SchemaRegistryException">42201 when the type is unknown or not available.</exception>
    public ISchemaFormat Get(string schemaType)
    {
        if (_formats.TryGetValue(schemaType, out var format))
        {
            return format;
        }

        throw schemaType switch
        {
            "JSON" => SchemaRegistryException.InvalidSchema("schema type JSON is not available yet: JSON Schema support has not been plugged into this registry"),
            "PROTOBUF" => SchemaRegistryException.InvalidSchema("schema type PROTOBUF is not supported by this registry; use AVRO"),
            _ => SchemaRegistryException.InvalidSchema($"unknown schema type '{schemaType}'; expected one of {string.Join(", ", SchemaTypes)}"),
        };
    }
}
