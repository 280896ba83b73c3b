using System.Buffers.Binary;

namespace Meshwork.Compression;

/// <summary>The LZ4 block format: sequences of [token][literals][offset][match length].</summary>
internal static class Lz4Block
{
    private const int MinMatch = 4;
    private const int LastLiterals = 5;
    private const int MatchFindLimit = 12;
    private const int HashBits = 12;
    private const int MaxOffset = 65535;

    public static int MaxCompressedLength(int length) => length + (length / 255) + 16;

    /// <summary>Compresses one independent block; returns the compressed size.</summary>
    public static int Compress(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        var op = 0;
        var anchor = 0;
        if (src.Length >= MatchFindLimit + 1)
        {
            Span<int> table = stackalloc int[1 << HashBits];
            table.Fill(-1);
            var matchLimit = src.Length - LastLiterals;
            var findLimit = src.Length - MatchFindLimit;
            var ip = 0;
            while (ip <= findLimit)
            {
                var sequence = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
                var h = (int)((sequence * 2654435761U) >> (32 - HashBits));
                var candidate = table[h];
                table[h] = ip;
                if (candidate < 0 || ip - candidate > MaxOffset
                    || BinaryPrimitives.ReadUInt32LittleEndian(src[candidate..]) != sequence)
                {
                    // Step faster through data that keeps missing, like the reference's acceleration.
                    ip += 1 + ((ip - anchor) >> 6);
                    continue;
                }

                while (ip > anchor && candidate > 0 && src[ip - 1] == src[candidate - 1])
                {
                    ip--;
                    candidate--;
                }

                var matchLength = MinMatch + Snappy.MatchLength(src[..matchLimit], candidate + MinMatch, ip + MinMatch);
                op = WriteSequence(src[anchor..ip], ip - candidate, matchLength, dst, op);
                ip += matchLength;
                anchor = ip;
                if (ip - 2 >= 0 && ip - 2 <= findLimit)
                {
                    table[(int)((BinaryPrimitives.ReadUInt32LittleEndian(src[(ip - 2)..]) * 2654435761U) >> (32 - HashBits))] = ip - 2;
                }
            }
        }

        var literals = src[anchor..];
        op = WriteLength(dst, op, literals.Length, tokenShift: 4);
        literals.CopyTo(dst[op..]);
        return op + literals.Length;
    }

    private static int WriteSequence(ReadOnlySpan<byte> literals, int offset, int matchLength, Span<byte> dst, int op)
    {
        var tokenPos = op;
        op = WriteLength(dst, op, literals.Length, tokenShift: 4);
        literals.CopyTo(dst[op..]);
        op += literals.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(dst[op..], (ushort)offset);
        op += 2;
        var ml = matchLength - MinMatch;
        if (ml >= 15)
        {
            dst[tokenPos] |= 15;
            ml -= 15;
            while (ml >= 255)
            {
                dst[op++] = 255;
                ml -= 255;
            }

            dst[op++] = (byte)ml;
        }
        else
        {
            dst[tokenPos] |= (byte)ml;
        }

        return op;
    }

    private static int WriteLength(Span<byte> dst, int op, int length, int tokenShift)
    {
        if (length < 15)
        {
            dst[op++] = (byte)(length << tokenShift);
            return op;
        }

        dst[op++] = (byte)(15 << tokenShift);
        length -= 15;
        while (length >= 255)
        {
            dst[op++] = 255;
            length -= 255;
        }

        dst[op++] = (byte)length;
        return op;
    }

    /// <summary>
    /// Decodes one block, appending to <paramref name="output"/>. Matches may reach back to
    /// <paramref name="windowStart"/> (the frame start for linked blocks, the block start for independent ones).
    /// </summary>
    public static void Decompress(ReadOnlySpan<byte> src, OutputBuffer output, int windowStart, int maxBlockSize)
    {
        var blockStart = output.Length;
        var ip = 0;
        while (true)
        {
            if (ip >= src.Length)
            {
                CompressionException.Throw("lz4: truncated block (missing token)");
            }

            int token = src[ip++];
            long literalLength = token >> 4;
            if (literalLength == 15)
            {
                literalLength += ReadExtendedLength(src, ref ip);
            }

            if (literalLength > src.Length - ip)
            {
                CompressionException.Throw($"lz4: literal run of {literalLength} bytes runs past the end of the block");
            }

            if (output.Length - blockStart + literalLength > maxBlockSize)
            {
                CompressionException.Throw($"lz4: block decodes to more than the maximum block size {maxBlockSize}");
            }

            output.Write(src.Slice(ip, (int)literalLength));
            ip += (int)literalLength;
            if (ip == src.Length)
            {
                return;
            }

            if (src.Length - ip < 2)
            {
                CompressionException.Throw("lz4: truncated match offset");
            }

            int offset = BinaryPrimitives.ReadUInt16LittleEndian(src[ip..]);
            ip += 2;
            if (offset == 0 || offset > output.Length - windowStart)
            {
                CompressionException.Throw($"lz4: match offset {offset} points before the start of the data");
            }

            long matchLength = token & 15;
            if (matchLength == 15)
            {
                matchLength += ReadExtendedLength(src, ref ip);
            }

            matchLength += MinMatch;
            if (output.Length - blockStart + matchLength > maxBlockSize)
            {
                CompressionException.Throw($"lz4: block decodes to more than the maximum block size {maxBlockSize}");
            }

            output.CopyMatch(offset, (int)matchLength);
        }
    }

    private static long ReadExtendedLength(ReadOnlySpan<byte> src, ref int ip)
    {
        long total = 0;
        while (true)
        {
            if (ip >= src.Length)
            {
                CompressionException.Throw("lz4: truncated length extension");
            }

            var b = src[ip++];
            total += b;
            if (b != 255)
            {
                return total;
            }
        }
    }
}
