using System.Buffers.Binary;
using System.Numerics;

namespace Meshwork.Compression;

/// <summary>
/// Raw snappy block format (google/snappy format_description.txt): a varint uncompressed length
/// followed by literal and copy elements. Used by Parquet, Avro and (wrapped) by Kafka.
/// </summary>
public static class Snappy
{
    private const int BlockSize = 1 << 16;
    private const int HashBits = 14;
    private const int InputMargin = 15;
    private const int MaxVarintBytes = 5;
    private const int TagLiteral = 0;
    private const int TagCopy1 = 1;
    private const int TagCopy2 = 2;
    private const int TagCopy4 = 3;

    /// <summary>Worst-case compressed size for <paramref name="sourceLength"/> input bytes.</summary>
    public static int MaxCompressedLength(int sourceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceLength);
        var max = 32L + sourceLength + (sourceLength / 6);
        return max > Array.MaxLength ? throw new ArgumentOutOfRangeException(nameof(sourceLength), "input too large for snappy") : (int)max;
    }

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/>, which must hold <see cref="MaxCompressedLength"/> bytes.</summary>
    /// <returns>The number of bytes written.</returns>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < MaxCompressedLength(source.Length))
        {
            throw new ArgumentException($"destination must hold at least MaxCompressedLength({source.Length}) bytes", nameof(destination));
        }

        var op = WriteVarint(destination, (uint)source.Length);
        Span<ushort> table = stackalloc ushort[1 << HashBits];
        for (var start = 0; start < source.Length; start += BlockSize)
        {
            var block = source.Slice(start, Math.Min(BlockSize, source.Length - start));
            op = CompressBlock(block, destination, op, table);
        }

        return op;
    }

    /// <summary>Compresses <paramref name="source"/> into a new array.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(MaxCompressedLength(source.Length));
        try
        {
            var n = Compress(source, buffer);
            return buffer.AsSpan(0, n).ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the uncompressed length from the varint preamble of a snappy block.</summary>
    public static int GetUncompressedLength(ReadOnlySpan<byte> compressed) => ReadPreamble(compressed, out _);

    /// <summary>Decompresses a raw snappy block into <paramref name="destination"/>.</summary>
    /// <returns>The number of bytes written (equal to <see cref="GetUncompressedLength"/>).</returns>
    public static int Decompress(ReadOnlySpan<byte> compressed, Span<byte> destination)
    {
        var length = ReadPreamble(compressed, out var ip);
        if (length > destination.Length)
        {
            CompressionException.Throw($"snappy: uncompressed length {length} exceeds destination size {destination.Length}");
        }

        DecodeElements(compressed[ip..], destination[..length]);
        return length;
    }

    /// <summary>As <see cref="Decompress(ReadOnlySpan{byte}, int)"/> with the default output limit (<see cref="CompressionLimits.DefaultMaxOutputLength"/>).</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed) => Decompress(compressed, CompressionLimits.DefaultMaxOutputLength);

    /// <summary>Decompresses a raw snappy block into a new array.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed, int maxOutputLength)
    {
        CompressionLimits.CheckMax(maxOutputLength);
        var length = ReadPreamble(compressed, out var ip);
        if (length > maxOutputLength)
        {
            CompressionException.Throw($"snappy: uncompressed length {length} exceeds the limit of {maxOutputLength} bytes");
        }

        CheckPlausible(length, compressed.Length - ip);

        var result = GC.AllocateUninitializedArray<byte>(length);
        DecodeElements(compressed[ip..], result);
        return result;
    }

    /// <summary>As <see cref="DecompressKafka(ReadOnlySpan{byte}, int)"/> with the default output limit (<see cref="CompressionLimits.DefaultMaxOutputLength"/>).</summary>
    public static byte[] DecompressKafka(ReadOnlySpan<byte> compressed) => DecompressKafka(compressed, CompressionLimits.DefaultMaxOutputLength);

    /// <summary>
    /// Decompresses a Kafka snappy payload, which is either xerial-framed (the Java client) or a raw
    /// snappy block (librdkafka and most other clients).
    /// </summary>
    public static byte[] DecompressKafka(ReadOnlySpan<byte> compressed, int maxOutputLength) =>
        XerialSnappy.IsXerial(compressed)
            ? XerialSnappy.Decompress(compressed, maxOutputLength)
            : Decompress(compressed, maxOutputLength);

    internal static void DecompressAppend(ReadOnlySpan<byte> compressed, OutputBuffer output)
    {
        var length = ReadPreamble(compressed, out var ip);
        CheckPlausible(length, compressed.Length - ip);
        var dst = output.Reserve(length);
        DecodeElements(compressed[ip..], dst);
        output.Length += length;
    }

    private static void CheckPlausible(int length, int elementBytes)
    {
        // A snappy element expands at most 64 bytes per compressed byte, so a tiny input declaring a
        // huge length is refused before allocating.
        if (length > ((long)elementBytes * 64) + 64)
        {
            CompressionException.Throw($"snappy: declared length {length} is impossible for {elementBytes} compressed bytes");
        }
    }

    private static int ReadPreamble(ReadOnlySpan<byte> compressed, out int consumed)
    {
        uint result = 0;
        for (var i = 0; i < MaxVarintBytes; i++)
        {
            if (i >= compressed.Length)
            {
                CompressionException.Throw("snappy: truncated length preamble");
            }

            var b = compressed[i];
            if (i == MaxVarintBytes - 1 && b > 0x0F)
            {
                CompressionException.Throw("snappy: length preamble overflows 32 bits");
            }

            result |= (uint)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                consumed = i + 1;
                if (result > Array.MaxLength)
                {
                    CompressionException.Throw($"snappy: uncompressed length {result} is larger than any array");
                }

                return (int)result;
            }
        }

        CompressionException.Throw("snappy: length preamble longer than 5 bytes");
        consumed = 0;
        return 0;
    }

    private static void DecodeElements(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        var ip = 0;
        var op = 0;
        while (ip < src.Length)
        {
            int tag = src[ip++];
            long length;
            long offset;
            switch (tag & 3)
            {
                case TagLiteral:
                    length = tag >> 2;
                    if (length >= 60)
                    {
                        var extra = (int)length - 59;
                        if (ip + extra > src.Length)
                        {
                            CompressionException.Throw("snappy: truncated literal length");
                        }

                        length = 0;
                        for (var i = 0; i < extra; i++)
                        {
                            length |= (long)src[ip + i] << (8 * i);
                        }

                        ip += extra;
                    }

                    length++;
                    if (length > src.Length - ip)
                    {
                        CompressionException.Throw($"snappy: literal of {length} bytes runs past the end of the input");
                    }

                    if (length > dst.Length - op)
                    {
                        CompressionException.Throw("snappy: literal runs past the declared uncompressed length");
                    }

                    src.Slice(ip, (int)length).CopyTo(dst[op..]);
                    ip += (int)length;
                    op += (int)length;
                    continue;
                case TagCopy1:
                    if (ip + 1 > src.Length)
                    {
                        CompressionException.Throw("snappy: truncated 1-byte-offset copy");
                    }

                    length = 4 + ((tag >> 2) & 7);
                    offset = ((tag & 0xE0) << 3) | src[ip];
                    ip += 1;
                    break;
                case TagCopy2:
                    if (ip + 2 > src.Length)
                    {
                        CompressionException.Throw("snappy: truncated 2-byte-offset copy");
                    }

                    length = 1 + (tag >> 2);
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(src[ip..]);
                    ip += 2;
                    break;
                default:
                    if (ip + 4 > src.Length)
                    {
                        CompressionException.Throw("snappy: truncated 4-byte-offset copy");
                    }

                    length = 1 + (tag >> 2);
                    offset = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
                    ip += 4;
                    break;
            }

            if (offset == 0 || offset > op)
            {
                CompressionException.Throw($"snappy: copy offset {offset} at output position {op} points outside the output");
            }

            if (length > dst.Length - op)
            {
                CompressionException.Throw("snappy: copy runs past the declared uncompressed length");
            }

            CopyWithin(dst, op, (int)offset, (int)length);
            op += (int)length;
        }

        if (op != dst.Length)
        {
            CompressionException.Throw($"snappy: decoded {op} bytes but the preamble declared {dst.Length}");
        }
    }

    private static void CopyWithin(Span<byte> buf, int op, int offset, int length)
    {
        var src = op - offset;
        if (offset >= length)
        {
            buf.Slice(src, length).CopyTo(buf.Slice(op, length));
            return;
        }

        for (var i = 0; i < length; i++)
        {
            buf[op + i] = buf[src + i];
        }
    }

    private static int WriteVarint(Span<byte> dst, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            dst[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        dst[i++] = (byte)value;
        return i;
    }

    private static uint Hash(uint value) => (value * 0x1E35A7BDU) >> (32 - HashBits);

    private static int CompressBlock(ReadOnlySpan<byte> src, Span<byte> dst, int op, Span<ushort> table)
    {
        var nextEmit = 0;
        if (src.Length >= InputMargin)
        {
            table.Clear();
            var ipLimit = src.Length - InputMargin;
            var ip = 1;
            while (true)
            {
                // Skip faster through incompressible data: the step grows by one every 32 misses.
                var skip = 32;
                var nextIp = ip;
                int candidate;
                do
                {
                    ip = nextIp;
                    nextIp = ip + (skip++ >> 5);
                    if (nextIp > ipLimit)
                    {
                        goto EmitRemainder;
                    }

                    var h = Hash(BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]));
                    candidate = table[(int)h];
                    table[(int)h] = (ushort)ip;
                }
                while (BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]) != BinaryPrimitives.ReadUInt32LittleEndian(src[candidate..]));

                op = EmitLiteral(src[nextEmit..ip], dst, op);
                do
                {
                    var matched = 4 + MatchLength(src, candidate + 4, ip + 4);
                    op = EmitCopy(dst, op, ip - candidate, matched);
                    ip += matched;
                    nextEmit = ip;
                    if (ip >= ipLimit)
                    {
                        goto EmitRemainder;
                    }

                    table[(int)Hash(BinaryPrimitives.ReadUInt32LittleEndian(src[(ip - 1)..]))] = (ushort)(ip - 1);
                    var h = Hash(BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]));
                    candidate = table[(int)h];
                    table[(int)h] = (ushort)ip;
                }
                while (BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]) == BinaryPrimitives.ReadUInt32LittleEndian(src[candidate..]));

                ip++;
            }
        }

    EmitRemainder:
        if (nextEmit < src.Length)
        {
            op = EmitLiteral(src[nextEmit..], dst, op);
        }

        return op;
    }

    internal static int MatchLength(ReadOnlySpan<byte> src, int a, int b)
    {
        var start = b;
        while (b + 8 <= src.Length)
        {
            var x = BinaryPrimitives.ReadUInt64LittleEndian(src[a..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(src[b..]);
            if (x != 0)
            {
                return b - start + (BitOperations.TrailingZeroCount(x) >> 3);
            }

            a += 8;
            b += 8;
        }

        while (b < src.Length && src[a] == src[b])
        {
            a++;
            b++;
        }

        return b - start;
    }

    private static int EmitLiteral(ReadOnlySpan<byte> literal, Span<byte> dst, int op)
    {
        var n = literal.Length - 1;
        if (n < 60)
        {
            dst[op++] = (byte)(n << 2);
        }
        else
        {
            var bytes = n < 1 << 8 ? 1 : n < 1 << 16 ? 2 : n < 1 << 24 ? 3 : 4;
            dst[op++] = (byte)((59 + bytes) << 2);
            for (var i = 0; i < bytes; i++)
            {
                dst[op++] = (byte)(n >> (8 * i));
            }
        }

        literal.CopyTo(dst[op..]);
        return op + literal.Length;
    }

    private static int EmitCopy(Span<byte> dst, int op, int offset, int length)
    {
        // Long matches are split so that the tail is at least 4 bytes and fits a copy element.
        while (length >= 68)
        {
            op = EmitCopy2(dst, op, offset, 64);
            length -= 64;
        }

        if (length > 64)
        {
            op = EmitCopy2(dst, op, offset, 60);
            length -= 60;
        }

        if (length < 12 && offset < 2048)
        {
            dst[op++] = (byte)(TagCopy1 | ((length - 4) << 2) | ((offset >> 8) << 5));
            dst[op++] = (byte)offset;
            return op;
        }

        return EmitCopy2(dst, op, offset, length);
    }

    private static int EmitCopy2(Span<byte> dst, int op, int offset, int length)
    {
        dst[op] = (byte)(TagCopy2 | ((length - 1) << 2));
        BinaryPrimitives.WriteUInt16LittleEndian(dst[(op + 1)..], (ushort)offset);
        return op + 3;
    }
}
