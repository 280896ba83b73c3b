using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;

namespace Meshwork.Compression;

/// <summary>Greedy hash-chain LZ77 over the whole input, emitting zstd blocks.</summary>
internal sealed class ZstdBlockEncoder : IDisposable
{
    private const int HashBits = 16;
    private const int MinMatch = 4;
    private const int MaxOffset = (1 << 22) - 1;
    private const int LiteralBitsEstimate = 5;
    private const int MinGain = 12;
    private const int BlockHeaderLength = 3;
    private const int RawBlock = 0;
    private const int RleBlock = 1;
    private const int CompressedBlock = 2;

    private static readonly FseEncodeTable _literalLengths = new(ZstdFrameDecoder.LiteralLengthDefault, 6);
    private static readonly FseEncodeTable _matchLengths = new(ZstdFrameDecoder.MatchLengthDefault, 6);
    private static readonly FseEncodeTable _offsets = new(ZstdFrameDecoder.OffsetDefault, 5);

    private readonly int[] _head = ArrayPool<int>.Shared.Rent(1 << HashBits);
    private readonly int[] _chain;
    private readonly int _chainMask;
    private readonly int _maxAttempts;

    public ZstdBlockEncoder(int sourceLength, int level)
    {
        // The chain is a ring over the match window; stale links only cost a failed comparison.
        // Pooled arrays may hold stale links; a stale candidate is at worst a failed comparison, since
        // offsets outside (0, MaxOffset] are rejected before use.
        var chainLength = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(sourceLength, 1, MaxOffset + 1));
        _chain = ArrayPool<int>.Shared.Rent(chainLength);
        _chainMask = chainLength - 1;
        _head.AsSpan(0, 1 << HashBits).Fill(-1);
        _maxAttempts = level <= 1 ? 1 : level < 10 ? 1 << Math.Min(level, 6) : 128;
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_head);
        ArrayPool<int>.Shared.Return(_chain);
    }

    public void WriteBlock(OutputBuffer output, ReadOnlySpan<byte> src, int start, int length, bool last)
    {
        var block = src.Slice(start, length);
        if (length > 1 && !block[1..].ContainsAnyExcept(block[0]))
        {
            WriteBlockHeader(output, RleBlock, length, last);
            output.WriteByte(block[0]);
            Index(src, start, start + length);
            return;
        }

        var scratch = ArrayPool<byte>.Shared.Rent(length + 1024);
        try
        {
            var compressed = length >= 16 ? CompressBlock(src, start, length, scratch) : -1;
            if (compressed > 0 && compressed < length)
            {
                WriteBlockHeader(output, CompressedBlock, compressed, last);
                output.Write(scratch.AsSpan(0, compressed));
            }
            else
            {
                WriteBlockHeader(output, RawBlock, length, last);
                output.Write(block);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static void WriteBlockHeader(OutputBuffer output, int type, int size, bool last)
    {
        var header = (size << 3) | (type << 1) | (last ? 1 : 0);
        Span<byte> bytes = [(byte)header, (byte)(header >> 8), (byte)(header >> 16)];
        output.Write(bytes);
    }

    // A sequence costs roughly log2(offset) extra bits plus its codes, while a Huffman-coded literal costs about
    // five bits, so short matches far back lose to literals. Estimating that keeps random-looking text small.
    private static int Gain(int matchLength, int offset) => (matchLength * LiteralBitsEstimate) - BitOperations.Log2((uint)offset);

    private static int Hash(uint value) => (int)((value * 2654435761U) >> (32 - HashBits));

    private void Insert(ReadOnlySpan<byte> src, int pos)
    {
        var h = Hash(BinaryPrimitives.ReadUInt32LittleEndian(src[pos..]));
        _chain[pos & _chainMask] = _head[h];
        _head[h] = pos;
    }

    private void Index(ReadOnlySpan<byte> src, int from, int to)
    {
        for (var p = from; p < to && p + MinMatch <= src.Length; p++)
        {
            Insert(src, p);
        }
    }

    /// <summary>Returns the compressed block size, or -1 when it would not fit the scratch buffer.</summary>
    private int CompressBlock(ReadOnlySpan<byte> src, int start, int length, byte[] scratch)
    {
        var end = start + length;
        var sequences = new List<(int LiteralLength, int Offset, int MatchLength)>();
        var literals = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var literalCount = 0;
            var anchor = start;
            var ip = start;
            var matchEnd = end;
            while (ip + MinMatch <= end)
            {
                var bestLength = 0;
                var bestOffset = 0;
                var bestGain = MinGain;
                var sequence = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
                var candidate = _head[Hash(sequence)];
                for (var attempts = _maxAttempts; candidate >= 0 && attempts > 0; attempts--)
                {
                    var offset = ip - candidate;
                    if (offset > MaxOffset || offset <= 0)
                    {
                        break;
                    }

                    if (BinaryPrimitives.ReadUInt32LittleEndian(src[candidate..]) == sequence)
                    {
                        var matchLength = MinMatch + Snappy.MatchLength(src[..matchEnd], candidate + MinMatch, ip + MinMatch);
                        var gain = Gain(matchLength, offset);
                        if (gain > bestGain)
                        {
                            bestGain = gain;
                            bestLength = matchLength;
                            bestOffset = offset;
                        }
                    }

                    candidate = _chain[candidate & _chainMask];
                }

                Insert(src, ip);
                if (bestLength == 0)
                {
                    ip++;
                    continue;
                }

                var literalLength = ip - anchor;
                src.Slice(anchor, literalLength).CopyTo(literals.AsSpan(literalCount));
                literalCount += literalLength;
                sequences.Add((literalLength, bestOffset, bestLength));
                Index(src, ip + 1, ip + bestLength);
                ip += bestLength;
                anchor = ip;
            }

            Index(src, ip, end);
            var tail = end - anchor;
            src.Slice(anchor, tail).CopyTo(literals.AsSpan(literalCount));
            literalCount += tail;
            return EncodeBlock(literals.AsSpan(0, literalCount), sequences, scratch);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(literals);
        }
    }

    private static int EncodeBlock(ReadOnlySpan<byte> literals, List<(int LiteralLength, int Offset, int MatchLength)> sequences, byte[] scratch)
    {
        var dst = scratch.AsSpan();
        var op = ZstdLiteralsEncoder.Write(literals, dst);
        if (op < 0 || op + 3 > dst.Length)
        {
            return -1;
        }

        var count = sequences.Count;
        if (count < 128)
        {
            dst[op++] = (byte)count;
        }
        else if (count < 0x7F00)
        {
            dst[op++] = (byte)((count >> 8) + 128);
            dst[op++] = (byte)count;
        }
        else
        {
            dst[op++] = 255;
            BinaryPrimitives.WriteUInt16LittleEndian(dst[op..], (ushort)(count - 0x7F00));
            op += 2;
        }

        if (count == 0)
        {
            return op;
        }

        // All three symbol types use the predefined distributions, so no table descriptions follow.
        dst[op++] = 0;
        var writer = new ForwardBitWriter(dst[op..]);
        var lastSeq = sequences[count - 1];
        var ll = LiteralLengthCode(lastSeq.LiteralLength);
        var ml = MatchLengthCode(lastSeq.MatchLength - 3);
        var ofBase = (uint)lastSeq.Offset + 3;
        var of = 31 - BitOperations.LeadingZeroCount(ofBase);
        var mlState = _matchLengths.InitState(ml);
        var ofState = _offsets.InitState(of);
        var llState = _literalLengths.InitState(ll);
        WriteExtraBits(ref writer, lastSeq, ll, ml, of, ofBase);
        for (var i = count - 2; i >= 0; i--)
        {
            var s = sequences[i];
            ll = LiteralLengthCode(s.LiteralLength);
            ml = MatchLengthCode(s.MatchLength - 3);
            ofBase = (uint)s.Offset + 3;
            of = 31 - BitOperations.LeadingZeroCount(ofBase);
            _offsets.Encode(ref writer, ref ofState, of);
            _matchLengths.Encode(ref writer, ref mlState, ml);
            _literalLengths.Encode(ref writer, ref llState, ll);
            WriteExtraBits(ref writer, s, ll, ml, of, ofBase);
            if (writer.Overflowed)
            {
                return -1;
            }
        }

        _matchLengths.Flush(ref writer, mlState);
        _offsets.Flush(ref writer, ofState);
        _literalLengths.Flush(ref writer, llState);
        var written = writer.Close();
        return written < 0 ? -1 : op + written;
    }

    private static void WriteExtraBits(ref ForwardBitWriter writer, (int LiteralLength, int Offset, int MatchLength) s, int ll, int ml, int of, uint ofBase)
    {
        writer.Add((uint)(s.LiteralLength - LiteralLengthBase(ll)), LiteralLengthExtraBits(ll));
        writer.Add((uint)(s.MatchLength - 3 - MatchLengthBase(ml)), MatchLengthExtraBits(ml));
        writer.Add(ofBase - (1U << of), of);
    }

    private static int LiteralLengthCode(int literalLength)
    {
        if (literalLength < 16)
        {
            return literalLength;
        }

        if (literalLength >= 64)
        {
            return (31 - BitOperations.LeadingZeroCount((uint)literalLength)) + 19;
        }

        var code = 16;
        while (code < 24 && LiteralLengthBase(code + 1) <= literalLength)
        {
            code++;
        }

        return code;
    }

    // Baselines and extra-bit counts of RFC 8878 §3.1.1.3.2.1.1, computed rather than tabled twice.
    private static int LiteralLengthBase(int code) => code switch
    {
        < 16 => code,
        < 20 => 16 + ((code - 16) * 2),
        < 22 => 24 + ((code - 20) * 4),
        < 24 => 32 + ((code - 22) * 8),
        24 => 48,
        _ => 1 << (code - 19),
    };

    private static int LiteralLengthExtraBits(int code) => code switch
    {
        < 16 => 0,
        < 20 => 1,
        < 22 => 2,
        < 24 => 3,
        24 => 4,
        _ => code - 19,
    };

    private static int MatchLengthCode(int matchBase)
    {
        if (matchBase < 32)
        {
            return matchBase;
        }

        if (matchBase >= 128)
        {
            return (31 - BitOperations.LeadingZeroCount((uint)matchBase)) + 36;
        }

        var code = 32;
        while (code < 42 && MatchLengthBase(code + 1) <= matchBase)
        {
            code++;
        }

        return code;
    }

    // In terms of Match_Length - 3 so that the code arithmetic stays in powers of two.
    private static int MatchLengthBase(int code) => code switch
    {
        < 32 => code,
        < 36 => 32 + ((code - 32) * 2),
        < 38 => 40 + ((code - 36) * 4),
        < 40 => 48 + ((code - 38) * 8),
        < 42 => 64 + ((code - 40) * 16),
        42 => 96,
        _ => 1 << (code - 36),
    };

    private static int MatchLengthExtraBits(int code) => code switch
    {
        < 32 => 0,
        < 36 => 1,
        < 38 => 2,
        < 40 => 3,
        < 42 => 4,
        42 => 5,
        _ => code - 36,
    };
}
