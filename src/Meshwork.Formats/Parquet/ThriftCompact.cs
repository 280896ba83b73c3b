using System.Text;

namespace Meshwork.Formats.Parquet;

/// <summary>Thrift compact protocol type ids (apache/thrift doc/specs/thrift-compact-protocol.md).</summary>
internal enum ThriftType : byte
{
    Stop = 0,
    BoolTrue = 1,
    BoolFalse = 2,
    Byte = 3,
    I16 = 4,
    I32 = 5,
    I64 = 6,
    Double = 7,
    Binary = 8,
    List = 9,
    Set = 10,
    Map = 11,
    Struct = 12,
    Uuid = 13,
}

/// <summary>
/// Writes the subset of the Thrift compact protocol that Parquet metadata uses into a growable
/// buffer. Field ids are delta-encoded against the previous field of the same struct, so nested
/// structs push and pop the last id.
/// </summary>
internal sealed class ThriftCompactWriter
{
    private const int MaxShortListSize = 14;
    private const int MaxShortDelta = 15;
    private readonly Stack<short> _lastIds = new();
    private byte[] _buffer;
    private short _lastId;

    public ThriftCompactWriter(int capacity = 256) => _buffer = new byte[capacity];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public void Reset()
    {
        Length = 0;
        _lastId = 0;
        _lastIds.Clear();
    }

    public void BeginStruct()
    {
        _lastIds.Push(_lastId);
        _lastId = 0;
    }

    public void EndStruct()
    {
        WriteByte((byte)ThriftType.Stop);
        _lastId = _lastIds.Pop();
    }

    public void FieldHeader(short id, ThriftType type)
    {
        var delta = id - _lastId;
        if (delta is > 0 and <= MaxShortDelta)
        {
            WriteByte((byte)((delta << 4) | (byte)type));
        }
        else
        {
            WriteByte((byte)type);
            WriteVarint(ZigZag(id));
        }

        _lastId = id;
    }

    public void FieldBool(short id, bool value) => FieldHeader(id, value ? ThriftType.BoolTrue : ThriftType.BoolFalse);

    public void FieldI8(short id, sbyte value)
    {
        FieldHeader(id, ThriftType.Byte);
        WriteByte((byte)value);
    }

    public void FieldI16(short id, short value)
    {
        FieldHeader(id, ThriftType.I16);
        WriteVarint(ZigZag(value));
    }

    public void FieldI32(short id, int value)
    {
        FieldHeader(id, ThriftType.I32);
        WriteVarint(ZigZag(value));
    }

    public void FieldI64(short id, long value)
    {
        FieldHeader(id, ThriftType.I64);
        WriteVarint(ZigZag(value));
    }

    public void FieldBinary(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, ThriftType.Binary);
        WriteBinary(value);
    }

    public void FieldString(short id, string value)
    {
        FieldHeader(id, ThriftType.Binary);
        WriteString(value);
    }

    public void FieldStructBegin(short id)
    {
        FieldHeader(id, ThriftType.Struct);
        BeginStruct();
    }

    public void FieldListBegin(short id, ThriftType elementType, int count)
    {
        FieldHeader(id, ThriftType.List);
        ListBegin(elementType, count);
    }

    public void ListBegin(ThriftType elementType, int count)
    {
        if (count <= MaxShortListSize)
        {
            WriteByte((byte)((count << 4) | (byte)elementType));
        }
        else
        {
            WriteByte((byte)(0xF0 | (byte)elementType));
            WriteVarint((ulong)count);
        }
    }

    public void WriteI32(int value) => WriteVarint(ZigZag(value));

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteVarint((ulong)value.Length);
        value.CopyTo(Grow(value.Length));
    }

    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)count);
        Encoding.UTF8.GetBytes(value, Grow(count));
    }

    public void WriteByte(byte value) => Grow(1)[0] = value;

    public void WriteVarint(ulong value)
    {
        var span = Grow(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        Length -= 10 - n;
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private Span<byte> Grow(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }

        var span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }
}

/// <summary>
/// Reads the Thrift compact protocol from a span with bounds checks on every read and a nesting
/// limit, so a corrupt footer or page header fails with <see cref="ParquetFormatException"/>.
/// </summary>
internal ref struct ThriftCompactReader
{
    private const int MaxDepth = 64;
    private const int MaxShift = 63;
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _what;
    private short _lastId;
    private int _depth;
    private InlineIds _stack;

    public ThriftCompactReader(ReadOnlySpan<byte> data, string what)
    {
        _data = data;
        _what = what;
    }

    /// <summary>The offset of the next unread byte.</summary>
    public int Position { get; private set; }

    public void BeginStruct()
    {
        if (_depth >= MaxDepth)
        {
            Fail($"nesting deeper than {MaxDepth}");
        }

        _stack[_depth++] = _lastId;
        _lastId = 0;
    }

    public void EndStruct() => _lastId = _stack[--_depth];

    /// <summary>Reads the next field header; returns false at the struct's stop byte.</summary>
    public bool NextField(out short id, out ThriftType type)
    {
        var b = ReadByte();
        if (b == 0)
        {
            id = 0;
            type = ThriftType.Stop;
            return false;
        }

        type = (ThriftType)(b & 0x0F);
        var delta = b >> 4;
        if (delta != 0)
        {
            id = (short)(_lastId + delta);
        }
        else
        {
            var raw = ReadZigZag();
            if (raw is < short.MinValue or > short.MaxValue)
            {
                Fail($"field id {raw} out of range");
            }

            id = (short)raw;
        }

        if (type is 0 or > ThriftType.Uuid)
        {
            Fail($"unknown field type {(int)type} for field {id}");
        }

        _lastId = id;
        return true;
    }

    public static bool BoolValue(ThriftType type) => type == ThriftType.BoolTrue;

    public sbyte ReadI8() => (sbyte)ReadByte();

    public int ReadI32()
    {
        var v = ReadZigZag();
        return v is < int.MinValue or > int.MaxValue ? Fail<int>($"i32 value {v} out of range") : (int)v;
    }

    public long ReadI64() => ReadZigZag();

    /// <summary>Reads an integer field of any integer wire type, as writers differ in widths.</summary>
    public long ReadInteger(ThriftType type) => type switch
    {
        ThriftType.Byte => ReadI8(),
        ThriftType.I16 or ThriftType.I32 or ThriftType.I64 => ReadZigZag(),
        _ => Fail<long>($"expected an integer, found wire type {type}"),
    };

    public int ReadInt32Field(ThriftType type)
    {
        var v = ReadInteger(type);
        return v is < int.MinValue or > int.MaxValue ? Fail<int>($"value {v} out of range") : (int)v;
    }

    public ReadOnlySpan<byte> ReadBinary()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - Position))
        {
            Fail($"binary length {length} exceeds the {_data.Length - Position} bytes left");
        }

        var span = _data.Slice(Position, (int)length);
        Position += (int)length;
        return span;
    }

    public string ReadString()
    {
        var bytes = ReadBinary();
        try
        {
            return Encoding.UTF8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ParquetFormatException($"{_what}: invalid UTF-8 string", e);
        }
    }

    /// <summary>Reads a list header; the count is checked against the bytes left (each element takes at least one byte, or none for bools packed in headers).</summary>
    public int ReadListHeader(out ThriftType elementType)
    {
        var b = ReadByte();
        elementType = (ThriftType)(b & 0x0F);
        ulong count = (ulong)(b >> 4);
        if (count == 0x0F)
        {
            count = ReadVarint();
        }

        if (count > (ulong)(_data.Length - Position))
        {
            Fail($"list of {count} elements exceeds the {_data.Length - Position} bytes left");
        }

        return (int)count;
    }

    /// <summary>Skips a value of the given type, including nested structs and containers.</summary>
    public void Skip(ThriftType type)
    {
        switch (type)
        {
            case ThriftType.BoolTrue or ThriftType.BoolFalse:
                break;
            case ThriftType.Byte:
                ReadByte();
                break;
            case ThriftType.I16 or ThriftType.I32 or ThriftType.I64:
                ReadVarint();
                break;
            case ThriftType.Double:
                Take(8);
                break;
            case ThriftType.Uuid:
                Take(16);
                break;
            case ThriftType.Binary:
                ReadBinary();
                break;
            case ThriftType.List or ThriftType.Set:
            {
                var n = ReadListHeader(out var et);
                Enter();
                for (var i = 0; i < n; i++)
                {
                    // Bool list elements are one byte each, unlike bool fields.
                    if (et is ThriftType.BoolTrue or ThriftType.BoolFalse)
                    {
                        ReadByte();
                    }
                    else
                    {
                        Skip(et);
                    }
                }

                _depth--;
                break;
            }

            case ThriftType.Map:
            {
                var count = ReadVarint();
                if (count == 0)
                {
                    break;
                }

                if (count > (ulong)(_data.Length - Position))
                {
                    Fail($"map of {count} entries exceeds the bytes left");
                }

                var kv = ReadByte();
                Enter();
                for (ulong i = 0; i < count; i++)
                {
                    SkipElement((ThriftType)(kv >> 4));
                    SkipElement((ThriftType)(kv & 0x0F));
                }

                _depth--;
                break;
            }

            case ThriftType.Struct:
                BeginStruct();
                while (NextField(out _, out var ft))
                {
                    Skip(ft);
                }

                EndStruct();
                break;
            default:
                Fail($"cannot skip wire type {(int)type}");
                break;
        }
    }

    public byte ReadByte()
    {
        if (Position >= _data.Length)
        {
            Fail("unexpected end of data");
        }

        return _data[Position++];
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > MaxShift)
            {
                Fail("varint longer than 10 bytes");
            }

            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
    }

    private void SkipElement(ThriftType type)
    {
        if (type is ThriftType.BoolTrue or ThriftType.BoolFalse)
        {
            ReadByte();
        }
        else
        {
            Skip(type);
        }
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            Fail($"nesting deeper than {MaxDepth}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - Position)
        {
            Fail("unexpected end of data");
        }

        var span = _data.Slice(Position, count);
        Position += count;
        return span;
    }

    private long ReadZigZag()
    {
        var v = ReadVarint();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public readonly void Fail(string message) => ParquetFormatException.Throw($"{_what}: {message} at byte {Position}");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public readonly T Fail<T>(string message) => ParquetFormatException.Throw<T>($"{_what}: {message} at byte {Position}");

    [System.Runtime.CompilerServices.InlineArray(MaxDepth)]
    private struct InlineIds
    {
        private short _element;
    }
}
