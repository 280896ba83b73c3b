using System.Buffers.Binary;

namespace Meshwork.Registry;

/// <summary>
/// The Confluent schema registry wire format of a Kafka record's value (or key): a magic byte 0, the schema's global id
/// as a big-endian 4-byte integer, then the payload (Avro binary, or JSON text for JSON Schema).
/// </summary>
public static class WireFormat
{
    /// <summary>The first byte of every framed value.</summary>
    public const byte MagicByte = 0;

    /// <summary>Bytes before the payload: the magic byte and the schema id.</summary>
    public const int HeaderLength = 5;

    /// <summary>Reads the schema id of a framed value; false when <paramref name="value"/> does not start with the header.</summary>
    public static bool TryReadSchemaId(ReadOnlySpan<byte> value, out int schemaId)
    {
        if (value.Length < HeaderLength || value[0] != MagicByte)
        {
            schemaId = 0;
            return false;
        }

        schemaId = BinaryPrimitives.ReadInt32BigEndian(value[1..HeaderLength]);
        return true;
    }

    /// <summary>Frames <paramref name="payload"/> with the header for <paramref name="schemaId"/>.</summary>
    public static byte[] Frame(int schemaId, ReadOnlySpan<byte> payload)
    {
        var value = new byte[HeaderLength + payload.Length];
        value[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(1), schemaId);
        payload.CopyTo(value.AsSpan(HeaderLength));
        return value;
    }
}
