using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Meshwork.Formats.Avro;

/// <summary>
/// Reads Avro binary primitives from a span without allocating, except for the strings and byte arrays callers ask for.
/// Lengths are checked against the remaining input before anything is allocated, so a hostile length cannot
/// exhaust memory.
/// </summary>
public ref struct AvroBinaryReader
{
    private const int MaxVarLongBytes = 10;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    /// <summary>Creates a reader over <paramref name="buffer"/>.</summary>
    public AvroBinaryReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>The number of bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>The number of bytes not yet consumed.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>Whether all input has been consumed.</summary>
    public readonly bool End => _position >= _buffer.Length;

    /// <summary>Reads a boolean (one byte, 0 or 1).</summary>
    public bool ReadBoolean()
    {
        if (_position >= _buffer.Length)
        {
            ThrowTruncated("boolean");
        }

        var b = _buffer[_position++];
        if (b > 1)
        {
            ThrowInvalid($"boolean byte {b} at offset {_position - 1} (must be 0 or 1)");
        }

        return b == 1;
    }

    /// <summary>Reads a zig-zag varint that must fit in 32 bits.</summary>
    public int ReadInt()
    {
        var start = _position;
        var value = ReadLong();
        if (value is < int.MinValue or > int.MaxValue)
        {
            ThrowInvalid($"int varint at offset {start} is out of 32-bit range ({value})");
        }

        return (int)value;
    }

    /// <summary>Reads a zig-zag varint long.</summary>
    public long ReadLong()
    {
        ulong raw = 0;
        var shift = 0;
        for (var i = 0; i < MaxVarLongBytes; i++)
        {
            if (_position >= _buffer.Length)
            {
                ThrowTruncated("varint");
            }

            var b = _buffer[_position++];
            if (i == MaxVarLongBytes - 1 && b > 1)
            {
                ThrowInvalid($"varint at offset {_position - 1 - i} overflows 64 bits");
            }

            raw |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return (long)(raw >> 1) ^ -(long)(raw & 1);
            }

            shift += 7;
        }

        ThrowInvalid($"varint at offset {_position - MaxVarLongBytes} is longer than {MaxVarLongBytes} bytes");
        return 0;
    }

    /// <summary>Reads a little-endian IEEE 754 float.</summary>
    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(sizeof(float), "float"));

    /// <summary>Reads a little-endian IEEE 754 double.</summary>
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(sizeof(double), "double"));

    /// <summary>Reads length-prefixed bytes as a slice of the input (no copy).</summary>
    public ReadOnlySpan<byte> ReadBytesSpan() => Take(ReadLength("bytes"), "bytes");

    /// <summary>Reads length-prefixed bytes into a new array.</summary>
    public byte[] ReadBytes() => ReadBytesSpan().ToArray();

    /// <summary>Reads a length-prefixed UTF-8 string; invalid UTF-8 is an error.</summary>
    public string ReadString()
    {
        var bytes = Take(ReadLength("string"), "string");
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new AvroDataException($"string before offset {_position} is not valid UTF-8", e);
        }
    }

    /// <summary>Reads <paramref name="size"/> raw bytes as a slice of the input.</summary>
    public ReadOnlySpan<byte> ReadFixed(int size) => Take(size, "fixed");

    /// <summary>Skips a length-prefixed bytes or string value.</summary>
    public void SkipBytes() => Take(ReadLength("bytes"), "bytes");

    /// <summary>Skips <paramref name="count"/> raw bytes.</summary>
    public void Skip(int count) => Take(count, "fixed");

    /// <summary>
    /// Reads an array or map block header. Returns the item count (0 ends the collection); a negative count on the
    /// wire is followed by the block's byte size, which is read and returned in <paramref name="byteSize"/>
    /// (otherwise -1).
    /// </summary>
    public long ReadBlockCount(out long byteSize)
    {
        var count = ReadLong();
        byteSize = -1;
        if (count < 0)
        {
            if (count == long.MinValue)
            {
                ThrowInvalid("block count out of range");
            }

            count = -count;
            byteSize = ReadLong();
            if (byteSize < 0 || byteSize > Remaining)
            {
                ThrowInvalid($"block byte size {byteSize} exceeds the {Remaining} bytes remaining");
            }
        }

        return count;
    }

    private int ReadLength(string what)
    {
        var start = _position;
        var length = ReadLong();
        if (length < 0)
        {
            ThrowInvalid($"negative {what} length {length} at offset {start}");
        }

        if (length > Remaining)
        {
            ThrowInvalid($"{what} length {length} at offset {start} exceeds the {Remaining} bytes remaining");
        }

        return (int)length;
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > _buffer.Length - _position)
        {
            ThrowTruncated(what);
        }

        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    [DoesNotReturn]
    private readonly void ThrowTruncated(string what) =>
        throw new AvroDataException($"truncated input: {what} at offset {_position} needs more than the {Remaining} bytes remaining");

    [DoesNotReturn]
    private static void ThrowInvalid(string message) => throw new AvroDataException(message);
}
