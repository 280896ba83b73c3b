using System.Buffers;

namespace Meshwork.Compression;

/// <summary>
/// A pooled, growable output that refuses to grow past the caller's limit, so every decoder gets
/// bomb protection from one place.
/// </summary>
internal sealed class OutputBuffer : IDisposable
{
    private const int MinCapacity = 256;

    private readonly string _codec;
    private readonly int _max;
    private byte[] _buffer;

    public OutputBuffer(string codec, long initialCapacity, int maxOutputLength)
    {
        _codec = codec;
        _max = maxOutputLength;
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(initialCapacity, MinCapacity, Math.Max(MinCapacity, maxOutputLength)));
    }

    public int Length { get; set; }

    public byte[] Buffer => _buffer;

    public Span<byte> Written => _buffer.AsSpan(0, Length);

    /// <summary>Ensures room for <paramref name="count"/> more bytes and returns the free span.</summary>
    public Span<byte> Reserve(long count)
    {
        var needed = Length + count;
        if (count < 0 || needed > _max)
        {
            CompressionException.Throw($"{_codec}: decompressed output exceeds the limit of {_max} bytes");
        }

        if (needed > _buffer.Length)
        {
            var newSize = (int)Math.Min(Math.Max(needed, (long)_buffer.Length * 2), Array.MaxLength);
            var bigger = ArrayPool<byte>.Shared.Rent(newSize);
            _buffer.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        return _buffer.AsSpan(Length, (int)count);
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        data.CopyTo(Reserve(data.Length));
        Length += data.Length;
    }

    public void WriteByte(byte value)
    {
        Reserve(1)[0] = value;
        Length++;
    }

    public void Fill(byte value, int count)
    {
        Reserve(count).Fill(value);
        Length += count;
    }

    /// <summary>Appends <paramref name="count"/> bytes copied from <paramref name="offset"/> bytes back; the ranges may overlap.</summary>
    public void CopyMatch(int offset, int count)
    {
        Reserve(count);
        var buf = _buffer;
        var dst = Length;
        var src = dst - offset;
        if (offset >= count)
        {
            buf.AsSpan(src, count).CopyTo(buf.AsSpan(dst, count));
        }
        else if (offset == 1)
        {
            buf.AsSpan(dst, count).Fill(buf[src]);
        }
        else
        {
            // Overlapping copy: each chunk of `offset` bytes repeats the pattern already written.
            var remaining = count;
            while (remaining > 0)
            {
                var chunk = Math.Min(offset, remaining);
                buf.AsSpan(src, chunk).CopyTo(buf.AsSpan(dst, chunk));
                src += chunk;
                dst += chunk;
                remaining -= chunk;
            }
        }

        Length += count;
    }

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
