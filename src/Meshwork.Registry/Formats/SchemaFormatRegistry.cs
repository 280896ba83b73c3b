using System.Collections.Concurrent;

namespace Meshwork.Registry.Formats;

/// <summary>
/// The schema formats a registry accepts, by Confluent type name: AVRO and JSON (draft-07) are built in; PROTOBUF is
/// not supported.
/// </summary>
public sealed class SchemaFormatRegistry
{
    private readonly ConcurrentDictionary<string, ISchemaFormat> _formats = new(StringComparer.Ordinal);

    /// <summary>Creates a registry holding <see cref="AvroSchemaFormat"/> and <see cref="JsonSchemaFormat"/>.</summary>
    public SchemaFormatRegistry()
    {
        Register(AvroSchemaFormat.Instance);
        Register(JsonSchemaFormat.Instance);
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
            "PROTOBUF" => SchemaRegistryException.InvalidSchema("schema type PROTOBUF is not supported by this registry; use AVRO or JSON"),
            _ => SchemaRegistryException.InvalidSchema($"unknown schema type '{schemaType}'; expected one of {string.Join(", ", SchemaTypes)}"),
        };
    }
}
