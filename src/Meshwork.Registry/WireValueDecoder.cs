using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Meshwork.Formats.Avro;
using Meshwork.Registry.Formats;

namespace Meshwork.Registry;

/// <summary>A value in the wire format, decoded with the schema its id names.</summary>
/// <param name="SchemaId">The writer schema's global id.</param>
/// <param name="Schema">The writer schema as the registry parsed it.</param>
/// <param name="Value">
/// For Avro the generic value (<see cref="AvroRecord"/>, ...) with logical types converted (decimal → <see cref="AvroDecimal"/>,
/// date → DateOnly, timestamp-* → DateTimeOffset, uuid → Guid); for JSON Schema the document's root <see cref="JsonElement"/>.
/// </param>
public sealed record WireValue(int SchemaId, ParsedSchema Schema, object? Value)
{
    /// <summary>The top-level fields of a record (Avro) or object (JSON) value by name, unions unwrapped; null for any other value.</summary>
    public IReadOnlyDictionary<string, object?>? Fields() => Value switch
    {
        AvroRecord record => record.Schema.Fields.ToDictionary(f => f.Name, f => Unwrap(record[f.Position]), StringComparer.Ordinal),
        JsonElement { ValueKind: JsonValueKind.Object } json => json.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value, StringComparer.Ordinal),
        _ => null,
    };

    private static object? Unwrap(object? value) => value is AvroUnion union ? Unwrap(union.Value) : value;
}

/// <summary>A value that cannot be decoded: not in the wire format, an unknown schema id, or a payload its schema does not read.</summary>
public sealed class WireFormatException : Exception
{
    /// <summary>Creates the exception with a message that says what was wrong.</summary>
    public WireFormatException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Decodes values in the schema registry wire format (see <see cref="WireFormat"/>) with the schema their id names,
/// as a deserializer would: schemas come from the registry's in-memory cache; Avro values can be resolved to a reader
/// schema (fields matched by name, defaults filled). What the embedded monitors and processors read records with.
/// </summary>
public sealed class WireValueDecoder
{
    private static readonly AvroDecodeOptions Options = new() { ConvertLogicalTypes = true };
    private readonly SchemaRegistry _registry;
    private readonly ConditionalWeakTable<AvroSchema, ConcurrentDictionary<int, AvroResolvingDecoder>> _resolvers = [];

    /// <summary>Creates a decoder over <paramref name="registry"/>.</summary>
    public WireValueDecoder(SchemaRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
    }

    /// <summary>The writer schema of a framed value, from the registry.</summary>
    /// <exception cref="WireFormatException">The value is not framed or its id is not registered.</exception>
    public async ValueTask<(int Id, ParsedSchema Schema)> WriterSchemaAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        if (!WireFormat.TryReadSchemaId(value.Span, out var id))
        {
            throw new WireFormatException($"the value ({value.Length} bytes) does not start with the wire format header (magic byte 0 and a 4-byte schema id)");
        }

        var schema = await _registry.GetParsedSchemaAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new WireFormatException($"schema id {id} is not registered");
        return (id, schema);
    }

    /// <summary>
    /// Decodes a framed value with its writer schema; for Avro, resolved to <paramref name="reader"/> when one is given
    /// (what a consumer reading with a newer or older version of the subject sees).
    /// </summary>
    /// <exception cref="WireFormatException">The value is not framed, its id is unknown, or the payload does not decode.</exception>
    public async ValueTask<WireValue> DecodeAsync(ReadOnlyMemory<byte> value, AvroSchema? reader = null, CancellationToken cancellationToken = default)
    {
        var (id, schema) = await WriterSchemaAsync(value, cancellationToken).ConfigureAwait(false);
        var payload = value[WireFormat.HeaderLength..];
        try
        {
            switch (schema.SchemaType)
            {
                case AvroSchemaFormat.TypeName:
                    var writer = AvroSchemaFormat.AvroSchemaOf(schema);
                    var decoded = reader is null || ReferenceEquals(reader, writer)
                        ? AvroBinary.Decode(writer, payload.Span, Options)
                        : _resolvers.GetOrCreateValue(reader).GetOrAdd(id, _ => new AvroResolvingDecoder(writer, reader, Options)).Decode(payload.Span);
                    return new WireValue(id, schema, decoded);
                case JsonSchemaFormat.TypeName:
                    using (var document = JsonDocument.Parse(payload))
                    {
                        return new WireValue(id, schema, document.RootElement.Clone());
                    }

                default:
                    throw new WireFormatException($"schema id {id} is a {schema.SchemaType} schema, which cannot be decoded here (AVRO and JSON can)");
            }
        }
        catch (Exception e) when (e is AvroDataException or JsonException)
        {
            throw new WireFormatException($"the payload does not decode with schema id {id}: {e.Message}", e);
        }
    }
}
