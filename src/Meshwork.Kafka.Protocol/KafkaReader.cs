using System.Buffers.Binary;
using System.Text;

namespace Meshwork.Kafka.Protocol;

/// <summary>
/// Big-endian reader over one Kafka frame. Every read is bounds-checked and reports truncation or absurd
/// lengths as <see cref="KafkaProtocolException"/> naming the field, never as an index exception.
/// </summary>
/// <remarks>
/// Constructed over a <see cref="ReadOnlyMemory{T}"/>, byte fields such as Produce records are returned as
/// zero-copy slices of that memory (valid only while the caller keeps the buffer); constructed over a span
/// they are copied.
/// </remarks>
public ref struct KafkaReader
{
    /// <summary>Longest unsigned varint for a 32-bit value (7 payload bits per byte).</summary>
    private const int MaxVarInt32Bytes = 5;

    /// <summary>Longest unsigned varint for a 64-bit value.</summary>
    private const int MaxVarInt64Bytes = 10;

    private const int UuidLength = 16;
    private const int NullLength = -1;

    private readonly ReadOnlySpan<byte> _span;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly bool _hasMemory;
    private int _position;

    /// <summary>Creates a reader over a span; byte fields are copied out.</summary>
    public KafkaReader(ReadOnlySpan<byte> buffer)
    {
        _span = buffer;
        _memory = default;
        _hasMemory = false;
        _position = 0;
    }

    /// <summary>Creates a reader over memory; record fields are returned as slices of it without copying.</summary>
    public KafkaReader(ReadOnlyMemory<byte> buffer)
    {
        _span = buffer.Span;
        _memory = buffer;
        _hasMemory = true;
        _position = 0;
    }

    /// <summary>
    /// Slices one complete frame off <paramref name="buffer"/>; see <see cref="KafkaFraming.TryReadFrame"/>.
    /// </summary>
    public static bool TryReadFrame(ref System.Buffers.ReadOnlySequence<byte> buffer, int maxFrameSize, out System.Buffers.ReadOnlySequence<byte> frame) =>
        KafkaFraming.TryReadFrame(ref buffer, maxFrameSize, out frame);

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes not yet consumed.</summary>
    public readonly int Remaining => _span.Length - _position;

    /// <summary>True when every byte has been consumed.</summary>
    public readonly bool End => _position == _span.Length;

    /// <summary>Reads an int8.</summary>
    public sbyte ReadInt8(string field = "int8") => (sbyte)Take(1, field)[0];

    /// <summary>Reads a boolean (one byte, non-zero is true).</summary>
    public bool ReadBoolean(string field = "bool") => Take(1, field)[0] != 0;

    /// <summary>Reads a big-endian int16.</summary>
    public short ReadInt16(string field = "int16") => BinaryPrimitives.ReadInt16BigEndian(Take(sizeof(short), field));

    /// <summary>Reads a big-endian uint16.</summary>
    public ushort ReadUInt16(string field = "uint16") => BinaryPrimitives.ReadUInt16BigEndian(Take(sizeof(ushort), field));

    /// <summary>Reads a big-endian int32.</summary>
    public int ReadInt32(string field = "int32") => BinaryPrimitives.ReadInt32BigEndian(Take(sizeof(int), field));

    /// <summary>Reads a big-endian uint32.</summary>
    public uint ReadUInt32(string field = "uint32") => BinaryPrimitives.ReadUInt32BigEndian(Take(sizeof(uint), field));

    /// <summary>Reads a big-endian int64.</summary>
    public long ReadInt64(string field = "int64") => BinaryPrimitives.ReadInt64BigEndian(Take(sizeof(long), field));

    /// <summary>Reads a big-endian IEEE 754 float64.</summary>
    public double ReadFloat64(string field = "float64") => BinaryPrimitives.ReadDoubleBigEndian(Take(sizeof(double), field));

    /// <summary>Reads a 16-byte UUID (Kafka writes the most significant long first, i.e. RFC 4122 big-endian order).</summary>
    public Guid ReadUuid(string field = "uuid") => new(Take(UuidLength, field), bigEndian: true);

    /// <summary>Reads an unsigned LEB128 varint that must fit in 32 bits.</summary>
    public uint ReadUnsignedVarInt(string field = "uvarint")
    {
        uint result = 0;
        for (var i = 0; i < MaxVarInt32Bytes; i++)
        {
            var b = Take(1, field)[0];
            // The fifth byte may only carry the top 4 bits of a 32-bit value.
            if (i == MaxVarInt32Bytes - 1 && b > 0x0F)
            {
                ThrowHelper.Malformed($"Varint for field '{field}' does not fit in 32 bits.");
            }

            result |= (uint)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        ThrowHelper.Malformed($"Varint for field '{field}' is longer than {MaxVarInt32Bytes} bytes.");
        return 0;
    }

    /// <summary>Reads an unsigned LEB128 varint that must fit in 64 bits.</summary>
    public ulong ReadUnsignedVarLong(string field = "uvarlong")
    {
        ulong result = 0;
        for (var i = 0; i < MaxVarInt64Bytes; i++)
        {
            var b = Take(1, field)[0];
            if (i == MaxVarInt64Bytes - 1 && b > 0x01)
            {
                ThrowHelper.Malformed($"Varlong for field '{field}' does not fit in 64 bits.");
            }

            result |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        ThrowHelper.Malformed($"Varlong for field '{field}' is longer than {MaxVarInt64Bytes} bytes.");
        return 0;
    }

    /// <summary>Reads a zigzag-encoded signed varint (record fields).</summary>
    public int ReadVarInt(string field = "varint")
    {
        var raw = ReadUnsignedVarInt(field);
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    /// <summary>Reads a zigzag-encoded signed varlong (record fields).</summary>
    public long ReadVarLong(string field = "varlong")
    {
        var raw = ReadUnsignedVarLong(field);
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>Reads a non-nullable int16-length string.</summary>
    public string ReadString(string field = "string") => ReadString(compact: false, nullable: false, field)!;

    /// <summary>Reads an int16-length string where -1 means null.</summary>
    public string? ReadNullableString(string field = "string") => ReadString(compact: false, nullable: true, field);

    /// <summary>Reads a non-nullable compact (unsigned varint length + 1) string.</summary>
    public string ReadCompactString(string field = "string") => ReadString(compact: true, nullable: false, field)!;

    /// <summary>Reads a compact string where a length of 0 means null.</summary>
    public string? ReadCompactNullableString(string field = "string") => ReadString(compact: true, nullable: true, field);

    /// <summary>Reads a string in the encoding selected by the message version.</summary>
    public string? ReadString(bool compact, bool nullable, string field)
    {
        var length = compact ? (long)ReadUnsignedVarInt(field) - 1 : ReadInt16(field);
        if (length == NullLength)
        {
            if (!nullable)
            {
                ThrowHelper.NullNotAllowed(field);
            }

            return null;
        }

        if (length < 0 || length > Remaining)
        {
            ThrowHelper.InvalidLength(field, length, Remaining);
        }

        // Like the Java broker, invalid UTF-8 is replaced rather than rejected.
        return Encoding.UTF8.GetString(Take((int)length, field));
    }

    /// <summary>Reads a non-nullable int32-length byte array (copied).</summary>
    public byte[] ReadBytes(string field = "bytes") => ReadBytesMemory(compact: false, nullable: false, field)!.Value.ToArray();

    /// <summary>Reads an int32-length byte array where -1 means null (copied).</summary>
    public byte[]? ReadNullableBytes(string field = "bytes") => ReadBytesMemory(compact: false, nullable: true, field)?.ToArray();

    /// <summary>Reads a non-nullable compact byte array (copied).</summary>
    public byte[] ReadCompactBytes(string field = "bytes") => ReadBytesMemory(compact: true, nullable: false, field)!.Value.ToArray();

    /// <summary>Reads a compact byte array where 0 means null (copied).</summary>
    public byte[]? ReadCompactNullableBytes(string field = "bytes") => ReadBytesMemory(compact: true, nullable: true, field)?.ToArray();

    /// <summary>
    /// Reads a byte field; when the reader was built over memory the result is a slice of that memory
    /// (no copy), otherwise a copy.
    /// </summary>
    public ReadOnlyMemory<byte>? ReadBytesMemory(bool compact, bool nullable, string field)
    {
        var length = compact ? (long)ReadUnsignedVarInt(field) - 1 : ReadInt32(field);
        if (length == NullLength)
        {
            if (!nullable)
            {
                ThrowHelper.NullNotAllowed(field);
            }

            return null;
        }

        if (length < 0 || length > Remaining)
        {
            ThrowHelper.InvalidLength(field, length, Remaining);
        }

        var start = _position;
        Take((int)length, field);
        return _hasMemory ? _memory.Slice(start, (int)length) : _span.Slice(start, (int)length).ToArray();
    }

    /// <summary>
    /// Reads an array length: int32 (-1 = null) or compact unsigned varint (0 = null). Returns -1 for null.
    /// Rejects counts that could not possibly fit in the remaining bytes, so a hostile count never drives
    /// a huge allocation.
    /// </summary>
    public int ReadArrayLength(bool compact, bool nullable, string field, int minElementSize = 1)
    {
        var count = compact ? (long)ReadUnsignedVarInt(field) - 1 : ReadInt32(field);
        if (count == NullLength)
        {
            if (!nullable)
            {
                ThrowHelper.NullNotAllowed(field);
            }

            return NullLength;
        }

        if (count < 0 || count * Math.Max(minElementSize, 1) > Remaining)
        {
            ThrowHelper.InvalidLength(field, count, Remaining);
        }

        return (int)count;
    }

    /// <summary>Returns the next <paramref name="length"/> bytes without copying.</summary>
    public ReadOnlySpan<byte> ReadRaw(int length, string field = "raw")
    {
        if (length < 0)
        {
            ThrowHelper.InvalidLength(field, length, Remaining);
        }

        return Take(length, field);
    }

    /// <summary>Skips <paramref name="length"/> bytes.</summary>
    public void Skip(int length, string field = "skip") => ReadRaw(length, field);

    /// <summary>Reads the tag and size of one tagged field; the caller reads or skips exactly <paramref name="size"/> bytes.</summary>
    public void ReadTaggedFieldHeader(out uint tag, out int size)
    {
        tag = ReadUnsignedVarInt("tag");
        var length = ReadUnsignedVarInt("tag size");
        if (length > (uint)Remaining)
        {
            ThrowHelper.InvalidLength($"tagged field {tag}", length, Remaining);
        }

        size = (int)length;
    }

    /// <summary>Reads a tagged-field section and skips every field (all tags are unknown to the caller).</summary>
    public void SkipTaggedFields()
    {
        var count = ReadUnsignedVarInt("tagged field count");
        for (uint i = 0; i < count; i++)
        {
            ReadTaggedFieldHeader(out var tag, out var size);
            Skip(size, $"tagged field {tag}");
        }
    }

    /// <summary>Verifies that a tagged field consumed exactly its declared size.</summary>
    public readonly void EnsureConsumed(int start, int size, string field)
    {
        if (_position - start != size)
        {
            ThrowHelper.Malformed($"Tagged field '{field}' declared {size} byte(s) but {_position - start} were read.");
        }
    }

    /// <summary>Throws unless every byte of the message was consumed; trailing garbage means a version mismatch.</summary>
    public readonly void EnsureEnd(string message)
    {
        if (!End)
        {
            ThrowHelper.Malformed($"{message} has {Remaining} unexpected trailing byte(s); the version is probably wrong.");
        }
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if ((uint)count > (uint)Remaining)
        {
            ThrowHelper.Truncated(field, count, Remaining);
        }

        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }
}
