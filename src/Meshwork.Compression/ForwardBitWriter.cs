using System.Buffers.Binary;

namespace Meshwork.Compression;

/// <summary>Writes bits least-significant first, as the zstd backward bitstream expects when read from the end.</summary>
internal ref struct ForwardBitWriter
{
    private readonly Span<byte> _dst;
    private ulong _acc;
    private int _bits;
    private int _pos;

    public ForwardBitWriter(Span<byte> dst) => _dst = dst;

    public readonly bool Overflowed => _pos > _dst.Length - 8;

    public void Add(uint value, int bits)
    {
        if (bits == 0)
        {
            return;
        }

        _acc |= (ulong)(value & (uint)((1UL << bits) - 1)) << _bits;
        _bits += bits;
        if (_bits >= 32)
        {
            if (_pos + 4 <= _dst.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(_dst[_pos..], (uint)_acc);
            }

            _pos += 4;
            _acc >>= 32;
            _bits -= 32;
        }
    }

    /// <summary>Writes the end marker and the final partial bytes; returns the byte count or -1 on overflow.</summary>
    public int Close()
    {
        Add(1, 1);
        while (_bits > 0)
        {
            if (_pos >= _dst.Length)
            {
                return -1;
            }

            _dst[_pos++] = (byte)_acc;
            _acc >>= 8;
            _bits -= 8;
        }

        return _pos > _dst.Length ? -1 : _pos;
    }
}
