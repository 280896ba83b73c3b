using System.Buffers.Binary;
using System.Numerics;

namespace Meshwork.Compression;

/// <summary>
/// Reads a zstd backward bitstream: the last byte holds a 1-bit end marker, bits are consumed from the
/// end towards the start. Reads past the start yield zeros and leave <see cref="Position"/> negative, so
/// callers detect overflow instead of faulting.
/// </summary>
internal ref struct BackwardBitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private long _pos;

    public BackwardBitReader(ReadOnlySpan<byte> data, string what)
    {
        if (data.IsEmpty)
        {
            CompressionException.Throw($"zstd: empty bitstream for {what}");
        }

        var last = data[^1];
        if (last == 0)
        {
            CompressionException.Throw($"zstd: bitstream for {what} has no end marker (last byte is zero)");
        }

        _data = data;
        _pos = ((data.Length - 1) * 8L) + (31 - BitOperations.LeadingZeroCount(last));
    }

    public readonly long Position => _pos;

    public uint Read(int bits)
    {
        if (bits == 0)
        {
            return 0;
        }

        _pos -= bits;
        return Extract(_pos, bits);
    }

    public readonly uint Peek(int bits) => Extract(_pos - bits, bits);

    public void Skip(int bits) => _pos -= bits;

    private readonly uint Extract(long start, int bits)
    {
        if (start < 0)
        {
            var available = start + bits;
            return available <= 0 ? 0 : Extract(0, (int)available) << (int)-start;
        }

        var byteIndex = (int)(start >> 3);
        var shift = (int)(start & 7);
        ulong word;
        if (byteIndex + 8 <= _data.Length)
        {
            word = BinaryPrimitives.ReadUInt64LittleEndian(_data[byteIndex..]);
        }
        else
        {
            word = 0;
            for (var i = byteIndex; i < _data.Length; i++)
            {
                word |= (ulong)_data[i] << (8 * (i - byteIndex));
            }
        }

        return (uint)((word >> shift) & ((1UL << bits) - 1));
    }
}
