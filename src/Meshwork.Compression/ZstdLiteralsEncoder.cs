using System.Buffers.Binary;

namespace Meshwork.Compression;

/// <summary>
/// Writes a zstd literals section (RFC 8878 §3.1.1.3.1): Huffman-coded with a directly represented tree
/// when that is smaller, otherwise RLE or raw.
/// </summary>
internal static class ZstdLiteralsEncoder
{
    private const int MaxCodeLength = 11;
    private const int MinHuffmanLiterals = 64;
    private const int MaxDirectWeights = 128;
    private const int SingleStreamLimit = 256;
    private const int TypeRaw = 0;
    private const int TypeRle = 1;
    private const int TypeCompressed = 2;

    /// <summary>Writes the literals section into <paramref name="dst"/>; returns bytes written or -1 if it does not fit.</summary>
    public static int Write(ReadOnlySpan<byte> literals, Span<byte> dst)
    {
        var n = literals.Length;
        if (n > 0 && !literals[1..].ContainsAnyExcept(literals[0]))
        {
            var h = WriteRawHeader(dst, n, TypeRle);
            dst[h] = literals[0];
            return h + 1;
        }

        if (n >= MinHuffmanLiterals)
        {
            var huffman = TryHuffman(literals, dst);
            if (huffman > 0)
            {
                return huffman;
            }
        }

        var header = WriteRawHeader(dst, n, TypeRaw);
        if (header + n > dst.Length)
        {
            return -1;
        }

        literals.CopyTo(dst[header..]);
        return header + n;
    }

    private static int WriteRawHeader(Span<byte> dst, int n, int type)
    {
        if (n < 32)
        {
            dst[0] = (byte)(type | (n << 3));
            return 1;
        }

        if (n < 4096)
        {
            dst[0] = (byte)(type | (1 << 2) | (n << 4));
            dst[1] = (byte)(n >> 4);
            return 2;
        }

        dst[0] = (byte)(type | (3 << 2) | (n << 4));
        dst[1] = (byte)(n >> 4);
        dst[2] = (byte)(n >> 12);
        return 3;
    }

    private static int TryHuffman(ReadOnlySpan<byte> literals, Span<byte> dst)
    {
        Span<long> counts = stackalloc long[256];
        foreach (var b in literals)
        {
            counts[b]++;
        }

        var lastSymbol = 255;
        while (counts[lastSymbol] == 0)
        {
            lastSymbol--;
        }

        // Only the direct (4-bit) weight representation is written, which covers up to 128 described symbols.
        if (lastSymbol > MaxDirectWeights)
        {
            return -1;
        }

        Span<byte> lengths = stackalloc byte[256];
        BuildLengths(counts, lengths);
        var maxBits = 0;
        foreach (var l in lengths)
        {
            maxBits = Math.Max(maxBits, l);
        }

        Span<ushort> codes = stackalloc ushort[256];
        AssignCodes(lengths, maxBits, codes);

        var n = literals.Length;
        var streams = n < SingleStreamLimit ? 1 : 4;
        var headerLength = streams == 1 ? 3 : 5;
        if (dst.Length < headerLength + 1 + 64)
        {
            return -1;
        }

        // Tree description: header byte 127 + count, then the weights of symbols 0..last-1, two per byte.
        var op = headerLength;
        dst[op++] = (byte)(127 + lastSymbol);
        for (var s = 0; s < lastSymbol; s += 2)
        {
            var w0 = Weight(lengths[s], maxBits);
            var w1 = s + 1 < lastSymbol ? Weight(lengths[s + 1], maxBits) : 0;
            dst[op++] = (byte)((w0 << 4) | w1);
        }

        if (streams == 1)
        {
            var size = EncodeStream(literals, lengths, codes, dst[op..]);
            if (size < 0)
            {
                return -1;
            }

            op += size;
        }
        else
        {
            var jumpTable = op;
            op += 6;
            if (op > dst.Length)
            {
                return -1;
            }

            var segment = (n + 3) / 4;
            for (var i = 0; i < 4; i++)
            {
                var start = i * segment;
                var part = literals.Slice(start, i < 3 ? segment : n - start);
                var size = EncodeStream(part, lengths, codes, dst[op..]);
                if (size < 0 || size > ushort.MaxValue)
                {
                    return -1;
                }

                if (i < 3)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(dst[(jumpTable + (2 * i))..], (ushort)size);
                }

                op += size;
            }
        }

        var compressedSize = op - headerLength;
        if (op >= n)
        {
            return -1;
        }

        if (streams == 1)
        {
            if (compressedSize > 1023)
            {
                return -1;
            }

            var v = TypeCompressed | (n << 4) | (compressedSize << 14);
            dst[0] = (byte)v;
            dst[1] = (byte)(v >> 8);
            dst[2] = (byte)(v >> 16);
            return op;
        }

        // The 4-stream header is always written in the 5-byte (18-bit sizes) format: it fits every block.
        var v5 = (ulong)TypeCompressed | (3UL << 2) | ((ulong)n << 4) | ((ulong)compressedSize << 22);
        for (var i = 0; i < 5; i++)
        {
            dst[i] = (byte)(v5 >> (8 * i));
        }

        return op;
    }

    private static int Weight(int length, int maxBits) => length == 0 ? 0 : maxBits + 1 - length;

    private static int EncodeStream(ReadOnlySpan<byte> part, ReadOnlySpan<byte> lengths, ReadOnlySpan<ushort> codes, Span<byte> dst)
    {
        var writer = new ForwardBitWriter(dst);
        // The decoder reads from the end, so the first literal is written last.
        for (var i = part.Length - 1; i >= 0; i--)
        {
            var s = part[i];
            writer.Add(codes[s], lengths[s]);
            if (writer.Overflowed)
            {
                return -1;
            }
        }

        return writer.Close();
    }

    /// <summary>Canonical codes in the order the decoder fills its table: by weight, then by symbol.</summary>
    private static void AssignCodes(ReadOnlySpan<byte> lengths, int maxBits, Span<ushort> codes)
    {
        var position = 0;
        for (var w = 1; w <= maxBits; w++)
        {
            var length = maxBits + 1 - w;
            for (var s = 0; s < 256; s++)
            {
                if (lengths[s] == length)
                {
                    codes[s] = (ushort)(position >> (w - 1));
                    position += 1 << (w - 1);
                }
            }
        }
    }

    /// <summary>Huffman code lengths, flattened until no code exceeds 11 bits.</summary>
    private static void BuildLengths(ReadOnlySpan<long> counts, Span<byte> lengths)
    {
        Span<long> freq = stackalloc long[256];
        counts.CopyTo(freq);
        Span<int> parent = stackalloc int[512];
        while (true)
        {
            var queue = new PriorityQueue<int, long>();
            var nodes = 0;
            for (var s = 0; s < 256; s++)
            {
                if (freq[s] > 0)
                {
                    queue.Enqueue(s, freq[s]);
                    nodes++;
                }
            }

            var next = 256;
            while (queue.Count > 1)
            {
                queue.TryDequeue(out var a, out var wa);
                queue.TryDequeue(out var b, out var wb);
                parent[a] = next;
                parent[b] = next;
                queue.Enqueue(next, wa + wb);
                next++;
            }

            var root = next - 1;
            var maxLength = 0;
            for (var s = 0; s < 256; s++)
            {
                if (freq[s] == 0)
                {
                    lengths[s] = 0;
                    continue;
                }

                var depth = 0;
                for (var node = s; node != root; node = parent[node])
                {
                    depth++;
                }

                lengths[s] = (byte)depth;
                maxLength = Math.Max(maxLength, depth);
            }

            if (maxLength <= MaxCodeLength)
            {
                return;
            }

            // Flattening the distribution shortens the deepest codes; rare in practice for 128 KiB blocks.
            for (var s = 0; s < 256; s++)
            {
                if (freq[s] > 0)
                {
                    freq[s] = (freq[s] >> 1) | 1;
                }
            }
        }
    }
}
