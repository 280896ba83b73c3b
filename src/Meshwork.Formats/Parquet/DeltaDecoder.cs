using System.Buffers.Binary;

namespace Meshwork.Formats.Parquet;

/// <summary>Decoders for the DELTA_* encodings of Encodings.md (read only; our writer emits PLAIN and dictionaries).</summary>
internal static class DeltaDecoder
{
    private const int MaxBlockValues = 1 << 16;

    public static void DecodeIntegers(LeafCodec codec, ReadOnlySpan<byte> data, int count, List<object> output, string what)
    {
        var pos = 0;
        var values = DecodeDelta(data, count, ref pos, what);
        Span<byte> buffer = stackalloc byte[8];
        foreach (var v in values)
        {
            if (codec.Width == 4)
            {
                BinaryPrimitives.WriteInt32LittleEndian(buffer, (int)v);
            }
            else
            {
                BinaryPrimitives.WriteInt64LittleEndian(buffer, v);
            }

            output.Add(codec.Read(buffer[..codec.Width]));
        }
    }

    public static void DecodeLengthByteArray(LeafCodec codec, ReadOnlySpan<byte> data, int count, List<object> output, string what)
    {
        var pos = 0;
        var lengths = DecodeDelta(data, count, ref pos, what);
        foreach (var length in lengths)
        {
            if (length < 0 || length > data.Length - pos)
            {
                ParquetFormatException.Throw($"{what}: DELTA_LENGTH_BYTE_ARRAY length {length} overruns the page");
            }

            output.Add(codec.Read(data.Slice(pos, (int)length)));
            pos += (int)length;
        }
    }

    public static void DecodeByteArray(LeafCodec codec, ReadOnlySpan<byte> data, int count, List<object> output, string what)
    {
        var pos = 0;
        var prefixes = DecodeDelta(data, count, ref pos, what);
        var suffixes = DecodeDelta(data, count, ref pos, what);
        var previous = Array.Empty<byte>();
        for (var i = 0; i < count; i++)
        {
            var prefix = prefixes[i];
            var suffix = suffixes[i];
            if (prefix < 0 || prefix > previous.Length || suffix < 0 || suffix > data.Length - pos)
            {
                ParquetFormatException.Throw($"{what}: DELTA_BYTE_ARRAY prefix {prefix} or suffix {suffix} out of range");
            }

            var value = new byte[prefix + suffix];
            previous.AsSpan(0, (int)prefix).CopyTo(value);
            data.Slice(pos, (int)suffix).CopyTo(value.AsSpan((int)prefix));
            pos += (int)suffix;
            if (codec.Width > 0 && value.Length != codec.Width)
            {
                ParquetFormatException.Throw($"{what}: DELTA_BYTE_ARRAY value of {value.Length} bytes in a {codec.Width}-byte column");
            }

            output.Add(codec.Read(value));
            previous = value;
        }
    }

    /// <summary>Decodes DELTA_BINARY_PACKED; wraps like the two's-complement arithmetic of the writer.</summary>
    private static long[] DecodeDelta(ReadOnlySpan<byte> data, int count, ref int pos, string what)
    {
        var blockSize = ReadVarint(data, ref pos, what);
        var miniBlocks = ReadVarint(data, ref pos, what);
        var total = ReadVarint(data, ref pos, what);
        var first = ZigZag(ReadVarint(data, ref pos, what));
        if (blockSize == 0 || blockSize > MaxBlockValues || blockSize % 128 != 0 || miniBlocks == 0 || blockSize % miniBlocks != 0 || (blockSize / miniBlocks) % 32 != 0)
        {
            ParquetFormatException.Throw($"{what}: DELTA_BINARY_PACKED header (block {blockSize}, miniblocks {miniBlocks}) is invalid");
        }

        if (total < (ulong)count)
        {
            ParquetFormatException.Throw($"{what}: DELTA_BINARY_PACKED holds {total} values, not {count}");
        }

        var values = new long[count];
        if (count == 0)
        {
            // The header's count covers values this page may not use; nothing else to consume.
            return values;
        }

        values[0] = first;
        var perMini = (int)(blockSize / miniBlocks);
        var n = 1;
        var last = first;
        Span<byte> widths = stackalloc byte[(int)Math.Min(miniBlocks, 512)];
        if (miniBlocks > 512)
        {
            ParquetFormatException.Throw($"{what}: too many miniblocks ({miniBlocks})");
        }

        // Consume every block the writer emitted for its whole value count, so following data starts right.
        var remaining = (long)total - 1;
        while (remaining > 0)
        {
            var minDelta = ZigZag(ReadVarint(data, ref pos, what));
            if ((int)miniBlocks > data.Length - pos)
            {
                ParquetFormatException.Throw($"{what}: DELTA_BINARY_PACKED block header truncated");
            }

            data.Slice(pos, (int)miniBlocks).CopyTo(widths);
            pos += (int)miniBlocks;
            for (var m = 0; m < (int)miniBlocks && remaining > 0; m++)
            {
                var width = widths[m];
                if (width > 64)
                {
                    ParquetFormatException.Throw($"{what}: miniblock bit width {width}");
                }

                var bytes = perMini * width / 8;
                if (bytes > data.Length - pos)
                {
                    ParquetFormatException.Throw($"{what}: miniblock overruns the page");
                }

                var mini = data.Slice(pos, bytes);
                pos += bytes;
                var take = (int)Math.Min(perMini, remaining);
                for (var i = 0; i < take; i++)
                {
                    var delta = ReadBits(mini, i * width, width);
                    last = unchecked(last + minDelta + (long)delta);
                    if (n < count)
                    {
                        values[n++] = last;
                    }
                }

                remaining -= take;
            }
        }

        return values;
    }

    private static ulong ReadBits(ReadOnlySpan<byte> data, int bitOffset, int width)
    {
        ulong result = 0;
        for (var b = 0; b < width; b++)
        {
            var bit = bitOffset + b;
            result |= (ulong)((data[bit >> 3] >> (bit & 7)) & 1) << b;
        }

        return result;
    }

    private static long ZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos, string what)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length)
            {
                ParquetFormatException.Throw($"{what}: delta encoding truncated");
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
}
