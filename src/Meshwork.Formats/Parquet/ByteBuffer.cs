using System.Buffers;
using System.Buffers.Binary;

namespace Meshwork.Formats.Parquet;

/// <summary>A growable byte buffer on pooled arrays, reused across pages and row groups.</summary>
internal sealed class ByteBuffer : IDisposable
{
    private byte[] _array;

    public ByteBuffer(int capacity = 1024) => _array = ArrayPool<byte>.Shared.Rent(capacity);

    public int Length { get; private set; }

    public Span<byte> WrittenSpan => _array.AsSpan(0, Length);

    public byte[] RawArray => _array;

    public void Clear() => Length = 0;

    /// <summary>Returns a span of <paramref name="count"/> bytes at the end and counts it as written.</summary>
    public Span<byte> Append(int count)
    {
        Ensure(count);
        var span = _array.AsSpan(Length, count);
        Length += count;
        return span;
    }

    /// <summary>Returns at least <paramref name="count"/> free bytes without counting them as written.</summary>
    public Span<byte> GetSpan(int count)
    {
        Ensure(count);
        return _array.AsSpan(Length);
    }

    public void Advance(int count) => Length += count;

    public void Write(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Append(bytes.Length));

    public void WriteByte(byte value)
    {
        Ensure(1);
        _array[Length++] = value;
    }

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Append(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Append(8), value);

    public void WriteVarint(uint value)
    {
        Ensure(5);
        while (value >= 0x80)
        {
            _array[Length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _array[Length++] = (byte)value;
    }

    /// <summary>Drops the first <paramref name="count"/> bytes.</summary>
    public void RemovePrefix(int count)
    {
        _array.AsSpan(count, Length - count).CopyTo(_array);
        Length -= count;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_array);
        _array = [];
        Length = 0;
    }

    private void Ensure(int count)
    {
        if ((long)Length + count > _array.Length)
        {
            var needed = (long)Length + count;
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException("a Parquet column buffer exceeded 2 GiB; use a smaller RowGroupSize");
            }

            var next = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_array.Length * 2)));
            _array.AsSpan(0, Length).CopyTo(next);
            ArrayPool<byte>.Shared.Return(_array);
            _array = next;
        }
    }
}
