using Meshwork.Broker;
using Meshwork.Registry;

namespace Meshwork.Server;

/// <summary>
/// The broker's schema validation over the registry: the Confluent wire format is a magic byte 0,
/// a big-endian 4-byte schema id, then the encoded value. Lookups hit the registry's in-memory
/// cache, so validating a record costs no database round trip.
/// </summary>
public sealed class RegistryValueValidator(SchemaRegistry registry) : IValueSchemaValidator
{
    /// <inheritdoc/>
    public string? Validate(string topic, ValueSchemaValidation mode, ReadOnlySpan<byte> value)
    {
        if (!WireFormat.TryReadSchemaId(value, out var id))
        {
            return "the value does not start with the schema registry wire format (magic byte 0 and a 4-byte schema id); produce it with a schema-registry serializer.";
        }

        var subject = topic + "-value";
        if (!registry.IsRegisteredUnderSubject(id, subject))
        {
            return $"schema id {id} is not registered under subject '{subject}'.";
        }

        if (mode == ValueSchemaValidation.Full && !registry.TryValidatePayload(id, value[WireFormat.HeaderLength..], out var error))
        {
            return $"the payload does not decode with schema id {id}: {error}";
        }

        return null;
    }
}
