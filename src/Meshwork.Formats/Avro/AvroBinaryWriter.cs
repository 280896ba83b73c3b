using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Meshwork.Formats.Avro;

/// <summary>Writes Avro binary primitives into an <see cref="IBufferWriter{T}"/>.</summary>
public readonly ref struct AvroBinaryWriter
{
    private const int MaxVarLongBytes = 10;

    /// <summary>Strings whose UTF-8 form may exceed this are counted first, so no huge buffer is asked for.</summary>
    private const int MaxSinglePassBytes = 64 * 1024;

    private readonly IBufferWriter<byte> _output;

    /// <summary>Creates a writer that appends to <paramref name="output"/>.</summary>
    public AvroBinaryWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Writes a boolean as one byte.</summary>
    public void WriteBoolean(bool value)
    {
        _output.GetSpan(1)[0] = value ? (byte)1 : (byte)0;
        _output.Advance(1);
    }

    /// <summary>Writes an int as a zig-zag varint.</summary>
    public void WriteInt(int value) => WriteLong(value);

    /// <summary>Writes a long as a zig-zag varint.</summary>
    public void WriteLong(long value)
    {
        var span = _output.GetSpan(MaxVarLongBytes);
        _output.Advance(WriteVarLong(span, value));
    }

    /// <summary>Writes a zig-zag varint into <paramref name="destination"/> (at least 10 bytes) and returns its length.</summary>
    public static int WriteVarLong(Span<byte> destination, long value)
    {
        var n = (ulong)((value << 1) ^ (value >> 63));
        var i = 0;
        while (n >= 0x80)
        {
            destination[i++] = (byte)(n | 0x80);
            n >>= 7;
        }

        destination[i++] = (byte)n;
        return i;
    }

    /// <summary>Writes a little-endian float.</summary>
    public void WriteFloat(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(_output.GetSpan(sizeof(float)), value);
        _output.Advance(sizeof(float));
    }

    /// <summary>Writes a little-endian double.</summary>
    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_output.GetSpan(sizeof(double)), value);
        _output.Advance(sizeof(double));
    }

    /// <summary>Writes length-prefixed bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteLong(value.Length);
        WriteFixed(value);
    }

    /// <summary>Writes a length-prefixed UTF-8 string.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (maxBytes > MaxSinglePassBytes)
        {
            var length = Encoding.UTF8.GetByteCount(value);
            WriteLong(length);
            var span = _output.GetSpan(length);
            Encoding.UTF8.GetBytes(value, span);
            _output.Advance(length);
            return;
        }

        // One UTF-8 pass instead of counting first: encode after room for the longest possible length prefix, then
        // close the gap if the real length needs a shorter prefix (for strings under 22 characters it never does).
        var buffer = _output.GetSpan(MaxVarLongBytes + maxBytes);
        var reserved = VarLongSize(maxBytes);
        var written = Encoding.UTF8.GetBytes(value, buffer[reserved..]);
        var prefix = VarLongSize(written);
        if (prefix < reserved)
        {
            buffer.Slice(reserved, written).CopyTo(buffer[prefix..]);
        }

        WriteVarLong(buffer, written);
        _output.Advance(prefix + written);
    }

    /// <summary>The number of bytes the zig-zag varint of <paramref name="value"/> takes.</summary>
    private static int VarLongSize(long value)
    {
        var n = (ulong)((value << 1) ^ (value >> 63));
        var size = 1;
        while (n >= 0x80)
        {
            n >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>Writes raw bytes with no length prefix.</summary>
    public void WriteFixed(ReadOnlySpan<byte> value)
    {
        if (value.Length == 0)
        {
            return;
        }

        value.CopyTo(_output.GetSpan(value.Length));
        _output.Advance(value.Length);
    }
}
