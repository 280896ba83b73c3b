using System.Buffers.Binary;
using System.Numerics;

namespace Meshwork.Formats.Parquet;

/// <summary>
/// The RLE/bit-packing hybrid of Encodings.md, used for definition and repetition levels and for
/// dictionary indices.
/// </summary>
internal static class RleHybrid
{
    private const int GroupSize = 8;
    private const int MinRleRun = 8;

    // Keeps every bit-packed run header in one varint byte: (63 << 1) | 1 < 128.
    private const int MaxGroupsPerRun = 63;

    /// <summary>Bits needed for values 0..<paramref name="maxValue"/>.</summary>
    public static int BitWidth(int maxValue) => maxValue == 0 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)maxValue);

    /// <summary>Encodes <paramref name="values"/> (all &lt; 2^bitWidth) and appends them to <paramref name="output"/>.</summary>
    public static void Encode<T>(ReadOnlySpan<T> values, int bitWidth, ByteBuffer output)
        where T : unmanaged, IBinaryInteger<T>
    {
        var byteWidth = (bitWidth + 7) / 8;
        var i = 0;
        var n = values.Length;
        while (i < n)
        {
            var run = RunLength(values, i, int.MaxValue);
            if (run >= MinRleRun)
            {
                output.WriteVarint((uint)run << 1);
                var v = uint.CreateTruncating(values[i]);
                var span = output.Append(byteWidth);
                for (var b = 0; b < byteWidth; b++)
                {
                    span[b] = (byte)(v >> (8 * b));
                }

                i += run;
                continue;
            }

            var start = i;
            var groups = 0;
            while (i < n && groups < MaxGroupsPerRun)
            {
                i += Math.Min(GroupSize, n - i);
                groups++;
                if (i < n && RunLength(values, i, MinRleRun) >= MinRleRun)
                {
                    break;
                }
            }

            output.WriteVarint(((uint)groups << 1) | 1);
            BitPack(values[start..i], bitWidth, output.Append(groups * bitWidth));
        }
    }

    private static int RunLength<T>(ReadOnlySpan<T> values, int start, int limit)
        where T : unmanaged, IBinaryInteger<T>
    {
        var first = values[start];
        var j = start + 1;
        var end = (int)Math.Min(values.Length, (long)start + limit);
        while (j < end && values[j] == first)
        {
            j++;
        }

        return j - start;
    }

    /// <summary>Packs values LSB-first into <paramref name="destination"/> (sized for whole groups of 8; the tail is zero-padded).</summary>
    private static void BitPack<T>(ReadOnlySpan<T> values, int bitWidth, Span<byte> destination)
        where T : unmanaged, IBinaryInteger<T>
    {
        destination.Clear();
        ulong acc = 0;
        var bits = 0;
        var o = 0;
        foreach (var value in values)
        {
            acc |= (ulong)uint.CreateTruncating(value) << bits;
            bits += bitWidth;
            while (bits >= 8)
            {
                destination[o++] = (byte)acc;
                acc >>= 8;
                bits -= 8;
            }
        }

        if (bits > 0)
        {
            destination[o] = (byte)acc;
        }
    }

    /// <summary>Packs booleans (one per byte, 0 or 1) LSB-first: PLAIN for BOOLEAN.</summary>
    public static void PackBooleans(ReadOnlySpan<byte> values, Span<byte> destination)
    {
        destination[..((values.Length + 7) / 8)].Clear();
        for (var i = 0; i < values.Length; i++)
        {
            destination[i >> 3] |= (byte)(values[i] << (i & 7));
        }
    }

    /// <summary>
    /// Decodes exactly <paramref name="output"/>.Length values from <paramref name="data"/>; returns
    /// the number of bytes consumed. Values are checked against <paramref name="maxValue"/>.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> output, int maxValue, string what)
    {
        if (bitWidth is < 0 or > 32)
        {
            ParquetFormatException.Throw($"{what}: bit width {bitWidth} out of range");
        }

        var pos = 0;
        var o = 0;
        var byteWidth = (bitWidth + 7) / 8;
        while (o < output.Length)
        {
            var header = ReadVarint(data, ref pos, what);
            if ((header & 1) == 0)
            {
                var count = header >> 1;
                if (count == 0 || byteWidth > data.Length - pos)
                {
                    ParquetFormatException.Throw($"{what}: bad RLE run at byte {pos}");
                }

                uint value = 0;
                for (var b = 0; b < byteWidth; b++)
                {
                    value |= (uint)data[pos + b] << (8 * b);
                }

                pos += byteWidth;
                if (value > (uint)maxValue)
                {
                    ParquetFormatException.Throw($"{what}: value {value} exceeds the maximum {maxValue}");
                }

                var take = (int)Math.Min(count, (ulong)(output.Length - o));
                output.Slice(o, take).Fill((int)value);
                o += take;
            }
            else
            {
                var groups = header >> 1;
                var bytes = groups * (ulong)bitWidth;
                if (groups == 0 || bytes > (ulong)(data.Length - pos))
                {
                    // Some writers end the last bit-packed run early when the page's values end; accept a short final run.
                    if (groups != 0 && (ulong)(data.Length - pos) * 8 >= (ulong)(output.Length - o) * (ulong)bitWidth)
                    {
                        bytes = (ulong)(data.Length - pos);
                    }
                    else
                    {
                        ParquetFormatException.Throw($"{what}: bit-packed run of {groups} groups overruns the data at byte {pos}");
                    }
                }

                var available = (int)Math.Min(groups * GroupSize, (ulong)(output.Length - o));
                if (bitWidth == 0)
                {
                    output.Slice(o, available).Clear();
                }
                else
                {
                    Unpack(data.Slice(pos, (int)bytes), bitWidth, output.Slice(o, available), maxValue, what);
                }

                o += available;
                pos += (int)bytes;
            }
        }

        return pos;
    }

    private static void Unpack(ReadOnlySpan<byte> data, int bitWidth, Span<int> output, int maxValue, string what)
    {
        ulong acc = 0;
        var bits = 0;
        var p = 0;
        var mask = bitWidth == 32 ? uint.MaxValue : (1u << bitWidth) - 1;
        for (var i = 0; i < output.Length; i++)
        {
            while (bits < bitWidth)
            {
                if (p >= data.Length)
                {
                    ParquetFormatException.Throw($"{what}: bit-packed run ends early");
                }

                acc |= (ulong)data[p++] << bits;
                bits += 8;
            }

            var v = (uint)acc & mask;
            acc >>= bitWidth;
            bits -= bitWidth;
            if (v > (uint)maxValue)
            {
                ParquetFormatException.Throw($"{what}: value {v} exceeds the maximum {maxValue}");
            }

            output[i] = (int)v;
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos, string what)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length)
            {
                ParquetFormatException.Throw($"{what}: levels or indices end early");
            }

            var b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        return ParquetFormatException.Throw<ulong>($"{what}: varint too long");
    }

    /// <summary>Reads the 4-byte little-endian length that prefixes levels in data page v1.</summary>
    public static ReadOnlySpan<byte> ReadPrefixed(ReadOnlySpan<byte> data, ref int pos, string what)
    {
        if (data.Length - pos < 4)
        {
            ParquetFormatException.Throw($"{what}: page ends before the level length");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(data[pos..]);
        pos += 4;
        if (length < 0 || length > data.Length - pos)
        {
            ParquetFormatException.Throw($"{what}: level length {length} exceeds the {data.Length - pos} bytes left in the page");
        }

        var slice = data.Slice(pos, length);
        pos += length;
        return slice;
    }
}
