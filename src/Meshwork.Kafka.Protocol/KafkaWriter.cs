using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Meshwork.Kafka.Protocol;

/// <summary>Big-endian writer of Kafka primitives into an <see cref="IBufferWriter{T}"/>.</summary>
public sealed class KafkaWriter
{
    private const int MaxVarInt64Bytes = 10;
    private const int UuidLength = 16;
    private const int NullLength = -1;

    private readonly IBufferWriter<byte> _output;

    /// <summary>Creates a writer appending to <paramref name="output"/>.</summary>
    public KafkaWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Total bytes written through this writer.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Writes an int8.</summary>
    public void WriteInt8(sbyte value)
    {
        _output.GetSpan(1)[0] = (byte)value;
        Advance(1);
    }

    /// <summary>Writes a boolean as one byte.</summary>
    public void WriteBoolean(bool value)
    {
        _output.GetSpan(1)[0] = value ? (byte)1 : (byte)0;
        Advance(1);
    }

    /// <summary>Writes a big-endian int16.</summary>
    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_output.GetSpan(sizeof(short)), value);
        Advance(sizeof(short));
    }

    /// <summary>Writes a big-endian uint16.</summary>
    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_output.GetSpan(sizeof(ushort)), value);
        Advance(sizeof(ushort));
    }

    /// <summary>Writes a big-endian int32.</summary>
    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_output.GetSpan(sizeof(int)), value);
        Advance(sizeof(int));
    }

    /// <summary>Writes a big-endian uint32.</summary>
    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_output.GetSpan(sizeof(uint)), value);
        Advance(sizeof(uint));
    }

    /// <summary>Writes a big-endian int64.</summary>
    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_output.GetSpan(sizeof(long)), value);
        Advance(sizeof(long));
    }

    /// <summary>Writes a big-endian float64.</summary>
    public void WriteFloat64(double value)
    {
        BinaryPrimitives.WriteDoubleBigEndian(_output.GetSpan(sizeof(double)), value);
        Advance(sizeof(double));
    }

    /// <summary>Writes a UUID as 16 bytes, most significant first.</summary>
    public void WriteUuid(Guid value)
    {
        if (!value.TryWriteBytes(_output.GetSpan(UuidLength), bigEndian: true, out _))
        {
            throw new InvalidOperationException("Could not encode the UUID.");
        }

        Advance(UuidLength);
    }

    /// <summary>Writes an unsigned LEB128 varint.</summary>
    public void WriteUnsignedVarInt(uint value) => WriteUnsignedVarLong(value);

    /// <summary>Writes an unsigned LEB128 varlong.</summary>
    public void WriteUnsignedVarLong(ulong value)
    {
        var span = _output.GetSpan(MaxVarInt64Bytes);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        Advance(i);
    }

    /// <summary>Writes a zigzag-encoded signed varint.</summary>
    public void WriteVarInt(int value) => WriteUnsignedVarInt((uint)((value << 1) ^ (value >> 31)));

    /// <summary>Writes a zigzag-encoded signed varlong.</summary>
    public void WriteVarLong(long value) => WriteUnsignedVarLong((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Writes a non-nullable int16-length string.</summary>
    public void WriteString(string value) => WriteString(value, compact: false, nullable: false, "string");

    /// <summary>Writes an int16-length string, -1 for null.</summary>
    public void WriteNullableString(string? value) => WriteString(value, compact: false, nullable: true, "string");

    /// <summary>Writes a compact string.</summary>
    public void WriteCompactString(string value) => WriteString(value, compact: true, nullable: false, "string");

    /// <summary>Writes a compact nullable string (0 for null).</summary>
    public void WriteCompactNullableString(string? value) => WriteString(value, compact: true, nullable: true, "string");

    /// <summary>Writes a string in the encoding selected by the message version.</summary>
    public void WriteString(string? value, bool compact, bool nullable, string field)
    {
        if (value is null)
        {
            if (!nullable)
            {
                throw new InvalidOperationException($"Field '{field}' is null but is not nullable in this version.");
            }

            // Strings use an int16 length, unlike bytes and arrays.
            if (compact)
            {
                WriteUnsignedVarInt(0);
            }
            else
            {
                WriteInt16(NullLength);
            }

            return;
        }

        var byteCount = Encoding.UTF8.GetByteCount(value);
        if (!compact && byteCount > short.MaxValue)
        {
            throw new InvalidOperationException($"Field '{field}' is {byteCount} UTF-8 bytes; the int16-length limit is {short.MaxValue}.");
        }

        if (compact)
        {
            WriteUnsignedVarInt((uint)byteCount + 1);
        }
        else
        {
            WriteInt16((short)byteCount);
        }

        var written = Encoding.UTF8.GetBytes(value, _output.GetSpan(byteCount));
        Advance(written);
    }

    /// <summary>Writes a non-nullable int32-length byte array.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value) => WriteBytes(value, compact: false);

    /// <summary>Writes a non-nullable compact byte array.</summary>
    public void WriteCompactBytes(ReadOnlySpan<byte> value) => WriteBytes(value, compact: true);

    /// <summary>Writes a byte array in the encoding selected by the message version.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value, bool compact)
    {
        WriteLength(value.Length, compact);
        WriteRaw(value);
    }

    /// <summary>Writes a nullable byte array in the encoding selected by the message version.</summary>
    public void WriteBytes(ReadOnlyMemory<byte>? value, bool compact, bool nullable, string field)
    {
        if (value is null)
        {
            if (!nullable)
            {
                throw new InvalidOperationException($"Field '{field}' is null but is not nullable in this version.");
            }

            WriteLength(NullLength, compact);
            return;
        }

        WriteBytes(value.Value.Span, compact);
    }

    /// <summary>
    /// Writes a byte field made of several segments (for example file slices of stored batches) as one
    /// length-prefixed value without first concatenating them.
    /// </summary>
    public void WriteBytes(IReadOnlyList<ReadOnlyMemory<byte>> segments, bool compact)
    {
        ArgumentNullException.ThrowIfNull(segments);
        long total = 0;
        foreach (var segment in segments)
        {
            total += segment.Length;
        }

        if (total > int.MaxValue - 1)
        {
            throw new InvalidOperationException($"Byte field of {total} bytes exceeds the Kafka limit.");
        }

        WriteLength((int)total, compact);
        foreach (var segment in segments)
        {
            WriteRaw(segment.Span);
        }
    }

    /// <summary>Writes an array length: int32 (-1 = null) or compact unsigned varint (count + 1, 0 = null).</summary>
    public void WriteArrayLength(int count, bool compact) => WriteLength(count, compact);

    /// <summary>Writes an empty tagged-field section (a single zero varint).</summary>
    public void WriteEmptyTaggedFields() => WriteUnsignedVarInt(0);

    /// <summary>Copies raw bytes.</summary>
    public void WriteRaw(ReadOnlySpan<byte> value)
    {
        while (!value.IsEmpty)
        {
            var span = _output.GetSpan(1);
            var n = Math.Min(span.Length, value.Length);
            value[..n].CopyTo(span);
            Advance(n);
            value = value[n..];
        }
    }

    /// <summary>
    /// Writes one tagged field: its tag, its size and the value produced by <paramref name="write"/>
    /// (always in flexible encoding). The value is staged in a pooled buffer because its size comes first.
    /// </summary>
    public void WriteTaggedField(uint tag, short version, Action<KafkaWriter, short> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var staging = new PooledBufferWriter();
        write(new KafkaWriter(staging), version);
        WriteUnsignedVarInt(tag);
        WriteUnsignedVarInt((uint)staging.WrittenCount);
        WriteRaw(staging.WrittenSpan);
    }

    /// <summary>Rejects a null value for a field that is not nullable in the version being written.</summary>
    internal static void EnsureNullable(bool nullable, string field, short version)
    {
        if (!nullable)
        {
            ThrowHelper.NullOnWrite(field, version);
        }
    }

    private void WriteLength(int length, bool compact)
    {
        if (compact)
        {
            WriteUnsignedVarInt((uint)(length + 1));
        }
        else
        {
            WriteInt32(length);
        }
    }

    private void Advance(int count)
    {
        _output.Advance(count);
        BytesWritten += count;
    }
}
