using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Meshwork.Formats.Avro;

/// <summary>
/// Avro single-object encoding: the marker <c>C3 01</c>, the schema's CRC-64-AVRO fingerprint as 8 little-endian bytes,
/// then the binary datum.
/// </summary>
public static class AvroSingleObject
{
    /// <summary>Marker plus fingerprint.</summary>
    public const int HeaderSize = 10;

    private const byte Marker0 = 0xC3;
    private const byte Marker1 = 0x01;

    private static readonly ConditionalWeakTable<AvroSchema, object> Fingerprints = [];

    /// <summary>Encodes <paramref name="value"/> with its header into <paramref name="output"/>.</summary>
    /// <exception cref="AvroDataException">The value does not match the schema.</exception>
    public static void Encode(AvroSchema schema, object? value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var header = output.GetSpan(HeaderSize);
        header[0] = Marker0;
        header[1] = Marker1;
        BinaryPrimitives.WriteUInt64LittleEndian(header[2..], FingerprintOf(schema));
        output.Advance(HeaderSize);
        AvroBinary.Encode(schema, value, output);
    }

    /// <summary>Encodes <paramref name="value"/> with its header into a new array.</summary>
    /// <exception cref="AvroDataException">The value does not match the schema.</exception>
    public static byte[] Encode(AvroSchema schema, object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Encode(schema, value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads the fingerprint from a message header; false when the message does not start with the marker.</summary>
    public static bool TryReadFingerprint(ReadOnlySpan<byte> message, out ulong fingerprint)
    {
        if (message.Length < HeaderSize || message[0] != Marker0 || message[1] != Marker1)
        {
            fingerprint = 0;
            return false;
        }

        fingerprint = BinaryPrimitives.ReadUInt64LittleEndian(message[2..]);
        return true;
    }

    /// <summary>Decodes a message written with <paramref name="schema"/>.</summary>
    /// <exception cref="AvroDataException">Bad header, a fingerprint of another schema, or a malformed datum.</exception>
    public static object? Decode(AvroSchema schema, ReadOnlySpan<byte> message, AvroDecodeOptions? options = null) =>
        Decode(fp => fp == FingerprintOf(schema) ? schema : null, message, options);

    /// <summary>Decodes a message, looking its writer schema up by fingerprint.</summary>
    /// <exception cref="AvroDataException">Bad header, an unknown fingerprint, or a malformed datum.</exception>
    public static object? Decode(Func<ulong, AvroSchema?> schemaByFingerprint, ReadOnlySpan<byte> message, AvroDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schemaByFingerprint);
        if (!TryReadFingerprint(message, out var fingerprint))
        {
            throw new AvroDataException("not an Avro single-object message: it must start with C3 01 and an 8-byte fingerprint");
        }

        var schema = schemaByFingerprint(fingerprint)
            ?? throw new AvroDataException($"no schema known for fingerprint 0x{fingerprint:x16}");
        return AvroBinary.Decode(schema, message[HeaderSize..], options);
    }

    /// <summary>The CRC-64-AVRO fingerprint of <paramref name="schema"/>, computed once per schema instance.</summary>
    public static ulong FingerprintOf(AvroSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return (ulong)Fingerprints.GetValue(schema, s => AvroFingerprint.Crc64(s));
    }
}
