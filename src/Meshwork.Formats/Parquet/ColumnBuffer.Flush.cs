using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Meshwork.Formats.Parquet;

internal sealed partial class ColumnBuffer
{
    private const int LevelLengthPrefix = 4;
    private const int InitialDictionarySlots = 1024;

    /// <summary>Values among the first <paramref name="entries"/> level entries.</summary>
    public int CountValues(int entries)
    {
        if (!_hasDef)
        {
            return HasLevels ? entries : Math.Min(entries, ValueCount);
        }

        var maxDef = (byte)MaxDef;
        var span = _def.AsSpan(0, entries);
        return entries - CountNot(span, maxDef);
    }

    private static int CountNot(ReadOnlySpan<byte> span, byte value) => span.Length - System.MemoryExtensions.Count(span, value);

    /// <summary>
    /// Writes the first <paramref name="entries"/> level entries (whole rows) as one column chunk:
    /// an optional dictionary page and data pages v1. Returns the chunk's metadata.
    /// </summary>
    public ColumnChunk Flush(int entries, ChunkSink sink)
    {
        var options = sink.Options;
        var values = CountValues(entries);
        var meta = new ColumnMetaData
        {
            Type = Codec.Physical,
            PathInSchema = [.. Column.Path],
            Codec = options.Compression,
            NumValues = entries,
        };
        if (options.WriteStatistics)
        {
            meta.Statistics = ComputeStatistics(values, HasLevels ? entries - values : 0);
        }

        int[]? indices = null;
        try
        {
            var dictionaryCount = options.DictionaryEnabled ? TryBuildDictionary(values, sink.Dictionary, options.DictionaryPageSizeLimit, out indices) : -1;
            long uncompressed = 0, compressed = 0;
            if (dictionaryCount >= 0)
            {
                meta.DictionaryPageOffset = sink.Position;
                var header = new PageHeader { Type = ParquetPageType.DictionaryPage, NumValues = dictionaryCount, Encoding = ParquetEncoding.Plain };
                var (u, c) = sink.WritePage(header, sink.Dictionary.WrittenSpan);
                uncompressed += u;
                compressed += c;
                meta.Encodings.Add(ParquetEncoding.Plain);
                meta.Encodings.Add(ParquetEncoding.RleDictionary);
            }
            else
            {
                meta.Encodings.Add(ParquetEncoding.Plain);
            }

            if (HasLevels)
            {
                meta.Encodings.Add(ParquetEncoding.Rle);
            }

            meta.DataPageOffset = sink.Position;
            var bitWidth = dictionaryCount > 0 ? RleHybrid.BitWidth(dictionaryCount - 1) : 0;
            int e = 0, v = 0;
            do
            {
                var (pe, pv) = NextPageEnd(e, v, entries, options.PageSize, dictionaryCount >= 0 ? Math.Max(bitWidth, 1) : -1);
                var (u, c) = WriteDataPage(e, pe, v, pv, indices, bitWidth, sink);
                uncompressed += u;
                compressed += c;
                e = pe;
                v = pv;
            }
            while (e < entries);

            meta.TotalUncompressedSize = uncompressed;
            meta.TotalCompressedSize = compressed;
        }
        finally
        {
            if (indices is not null)
            {
                ArrayPool<int>.Shared.Return(indices);
            }
        }

        RemovePrefix(entries, values);
        return new ColumnChunk { MetaData = meta };
    }

    /// <summary>Chooses where the next page ends: about <paramref name="pageSize"/> bytes of values, on a row boundary.</summary>
    private (int Entries, int Values) NextPageEnd(int e, int v, int entries, int pageSize, int dictionaryBits)
    {
        var width = Codec.Width;
        if (!HasLevels && width > 0)
        {
            var bitsPerValue = dictionaryBits > 0 ? dictionaryBits : (width == 1 ? 1 : width * 8);
            var perPage = (int)Math.Max(1, Math.Min(int.MaxValue, (long)pageSize * 8 / bitsPerValue));
            var end = (int)Math.Min(entries, (long)e + perPage);
            return (end, end);
        }

        long bits = 0;
        var limit = (long)pageSize * 8;
        var pe = e;
        var pv = v;
        var maxDef = (byte)MaxDef;
        while (pe < entries)
        {
            if (!_hasDef || _def[pe] == maxDef)
            {
                bits += dictionaryBits > 0 ? dictionaryBits : width switch
                {
                    < 0 => (LevelLengthPrefix + Offset(pv + 1) - Offset(pv)) * 8L,
                    1 => 1,
                    _ => width * 8L,
                };
                pv++;
            }

            bits += 2;
            pe++;
            if (bits >= limit)
            {
                // Pages end between rows so that every page starts a record (repetition level 0).
                while (_hasRep && pe < entries && _rep[pe] != 0)
                {
                    if (!_hasDef || _def[pe] == maxDef)
                    {
                        pv++;
                    }

                    pe++;
                }

                break;
            }
        }

        return (pe, pv);
    }

    private (long, long) WriteDataPage(int e, int pe, int v, int pv, int[]? indices, int bitWidth, ChunkSink sink)
    {
        var page = sink.Page;
        page.Clear();
        var v2 = sink.Options.DataPageV2;
        int repBytes = 0, defBytes = 0;
        if (_hasRep)
        {
            repBytes = WriteLevels(_rep.AsSpan(e, pe - e), RleHybrid.BitWidth(MaxRep), page, prefixed: !v2);
        }

        if (_hasDef)
        {
            defBytes = WriteLevels(_def.AsSpan(e, pe - e), RleHybrid.BitWidth(MaxDef), page, prefixed: !v2);
        }

        var levelBytes = page.Length;
        ParquetEncoding encoding;
        if (indices is not null)
        {
            encoding = ParquetEncoding.RleDictionary;
            page.WriteByte((byte)bitWidth);
            RleHybrid.Encode<int>(indices.AsSpan(v, pv - v), bitWidth, page);
        }
        else
        {
            encoding = ParquetEncoding.Plain;
            WritePlain(v, pv, page);
        }

        if (v2)
        {
            var headerV2 = new PageHeader
            {
                Type = ParquetPageType.DataPageV2,
                NumValues = pe - e,
                NumNulls = (pe - e) - (pv - v),
                NumRows = _hasRep ? System.MemoryExtensions.Count(_rep.AsSpan(e, pe - e), (byte)0) : pe - e,
                Encoding = encoding,
                RepetitionLevelsByteLength = repBytes,
                DefinitionLevelsByteLength = defBytes,
            };
            return sink.WritePageV2(headerV2, page.WrittenSpan, levelBytes);
        }

        var header = new PageHeader
        {
            Type = ParquetPageType.DataPage,
            NumValues = pe - e,
            Encoding = encoding,
            DefinitionLevelEncoding = ParquetEncoding.Rle,
            RepetitionLevelEncoding = ParquetEncoding.Rle,
        };
        return sink.WritePage(header, page.WrittenSpan);
    }

    /// <summary>Appends RLE-hybrid levels (with the v1 length prefix if asked); returns the bytes appended.</summary>
    private static int WriteLevels(ReadOnlySpan<byte> levels, int bitWidth, ByteBuffer page, bool prefixed)
    {
        var start = page.Length;
        if (prefixed)
        {
            page.Append(LevelLengthPrefix);
        }

        RleHybrid.Encode(levels, bitWidth, page);
        if (prefixed)
        {
            BinaryPrimitives.WriteInt32LittleEndian(page.RawArray.AsSpan(start), page.Length - start - LevelLengthPrefix);
        }

        return page.Length - start;
    }

    private void WritePlain(int v, int pv, ByteBuffer page)
    {
        var width = Codec.Width;
        var data = _values.WrittenSpan;
        if (width == 1 && Codec.Kind == LeafKind.Boolean)
        {
            RleHybrid.PackBooleans(data[v..pv], page.Append((pv - v + 7) / 8));
        }
        else if (width > 0)
        {
            page.Write(data[(v * width)..(pv * width)]);
        }
        else
        {
            for (var i = v; i < pv; i++)
            {
                var bytes = data[Offset(i)..Offset(i + 1)];
                page.WriteInt32(bytes.Length);
                page.Write(bytes);
            }
        }
    }

    // ------------------------------------------------------------------ dictionary

    /// <summary>
    /// Builds the PLAIN dictionary page body and one index per value. Returns the dictionary size,
    /// or -1 when the dictionary outgrows <paramref name="limit"/> (the chunk then uses PLAIN).
    /// </summary>
    private int TryBuildDictionary(int values, ByteBuffer dictionary, int limit, out int[]? indices)
    {
        indices = null;
        dictionary.Clear();
        if (values == 0 || Codec.Kind == LeafKind.Boolean)
        {
            return -1;
        }

        var result = ArrayPool<int>.Shared.Rent(values);
        var count = Codec.Width switch
        {
            4 => BuildFixed<int>(values, dictionary, limit, result),
            8 => BuildFixed<long>(values, dictionary, limit, result),
            _ => BuildBytes(values, dictionary, limit, result),
        };
        if (count < 0)
        {
            ArrayPool<int>.Shared.Return(result);
            dictionary.Clear();
            return -1;
        }

        indices = result;
        return count;
    }

    private int BuildFixed<T>(int values, ByteBuffer dictionary, int limit, int[] indices)
        where T : unmanaged, IEquatable<T>
    {
        var data = MemoryMarshal.Cast<byte, T>(_values.WrittenSpan[..(values * Codec.Width)]);
        var map = new Dictionary<T, int>();
        for (var i = 0; i < data.Length; i++)
        {
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(map, data[i], out var exists);
            if (!exists)
            {
                slot = map.Count - 1;
                if (dictionary.Length + Codec.Width > limit)
                {
                    return -1;
                }

                dictionary.Write(MemoryMarshal.AsBytes(data.Slice(i, 1)));
            }

            indices[i] = slot;
        }

        return map.Count;
    }

    private int BuildBytes(int values, ByteBuffer dictionary, int limit, int[] indices)
    {
        // Open addressing over (hash, first occurrence) pairs; keys are compared in place in the value buffer.
        var slots = new int[InitialDictionarySlots];
        var entryIndex = new List<int>();
        var entryHash = new List<int>();
        var fixedWidth = Codec.Width > 0;
        for (var i = 0; i < values; i++)
        {
            var bytes = ValueBytes(i);
            var h = new HashCode();
            h.AddBytes(bytes);
            var hash = h.ToHashCode();
            var mask = slots.Length - 1;
            var s = hash & mask;
            int found;
            while (true)
            {
                var slot = slots[s];
                if (slot == 0)
                {
                    found = -1;
                    break;
                }

                if (entryHash[slot - 1] == hash && ValueBytes(entryIndex[slot - 1]).SequenceEqual(bytes))
                {
                    found = slot - 1;
                    break;
                }

                s = (s + 1) & mask;
            }

            if (found < 0)
            {
                found = entryIndex.Count;
                if (dictionary.Length + bytes.Length + (fixedWidth ? 0 : LevelLengthPrefix) > limit)
                {
                    return -1;
                }

                if (!fixedWidth)
                {
                    dictionary.WriteInt32(bytes.Length);
                }

                dictionary.Write(bytes);
                entryIndex.Add(i);
                entryHash.Add(hash);
                slots[s] = found + 1;
                if (entryIndex.Count * 2 > slots.Length)
                {
                    slots = Rehash(entryHash, slots.Length * 2);
                }
            }

            indices[i] = found;
        }

        return entryIndex.Count;
    }

    private static int[] Rehash(List<int> hashes, int size)
    {
        var slots = new int[size];
        var mask = size - 1;
        for (var k = 0; k < hashes.Count; k++)
        {
            var s = hashes[k] & mask;
            while (slots[s] != 0)
            {
                s = (s + 1) & mask;
            }

            slots[s] = k + 1;
        }

        return slots;
    }

    // ------------------------------------------------------------------ statistics

    private ParquetStatistics ComputeStatistics(int values, long nullCount)
    {
        var stats = new ParquetStatistics { NullCount = nullCount };
        if (values == 0 || Codec.Kind == LeafKind.Int96)
        {
            return stats;
        }

        var data = _values.WrittenSpan;
        int min = -1, max = -1;
        switch (Codec.Width)
        {
            case 1 when Codec.Kind == LeafKind.Boolean:
                var anyTrue = data[..values].Contains((byte)1);
                var anyFalse = data[..values].Contains((byte)0);
                stats.MinValue = [anyFalse ? (byte)0 : (byte)1];
                stats.MaxValue = [anyTrue ? (byte)1 : (byte)0];
                return stats;
            case 4 when Codec.Kind == LeafKind.Float:
                MinMaxFloat(MemoryMarshal.Cast<byte, float>(data[..(values * 4)]), ref min, ref max);
                break;
            case 8 when Codec.Kind == LeafKind.Double:
                MinMaxFloat(MemoryMarshal.Cast<byte, double>(data[..(values * 8)]), ref min, ref max);
                break;
            case 4 when Codec.UnsignedInts:
                MinMax(MemoryMarshal.Cast<byte, uint>(data[..(values * 4)]), ref min, ref max);
                break;
            case 4:
                MinMax(MemoryMarshal.Cast<byte, int>(data[..(values * 4)]), ref min, ref max);
                break;
            case 8 when Codec.UnsignedInts:
                MinMax(MemoryMarshal.Cast<byte, ulong>(data[..(values * 8)]), ref min, ref max);
                break;
            case 8 when Codec.Physical == ParquetPhysicalType.Int64:
                MinMax(MemoryMarshal.Cast<byte, long>(data[..(values * 8)]), ref min, ref max);
                break;
            default:
                MinMaxBytes(values, ref min, ref max);
                break;
        }

        if (min < 0)
        {
            return stats;
        }

        stats.MinValue = ValueBytes(min).ToArray();
        stats.MaxValue = ValueBytes(max).ToArray();

        // LogicalTypes.md: a zero minimum is written as -0.0 and a zero maximum as +0.0.
        if (Codec.Kind == LeafKind.Float)
        {
            FixZero<float>(stats, 0f);
        }
        else if (Codec.Kind == LeafKind.Double)
        {
            FixZero<double>(stats, 0d);
        }

        return stats;
    }

    private static void FixZero<T>(ParquetStatistics stats, T zero)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (MemoryMarshal.Read<T>(stats.MinValue) == zero)
        {
            var negative = T.NegativeZero;
            stats.MinValue = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(ref negative)).ToArray();
        }

        if (MemoryMarshal.Read<T>(stats.MaxValue) == zero)
        {
            stats.MaxValue = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(ref zero)).ToArray();
        }
    }

    private static void MinMax<T>(ReadOnlySpan<T> span, ref int min, ref int max)
        where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        min = 0;
        max = 0;
        var lo = span[0];
        var hi = span[0];
        for (var i = 1; i < span.Length; i++)
        {
            var x = span[i];
            if (x < lo)
            {
                lo = x;
                min = i;
            }
            else if (x > hi)
            {
                hi = x;
                max = i;
            }
        }
    }

    private static void MinMaxFloat<T>(ReadOnlySpan<T> span, ref int min, ref int max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < span.Length; i++)
        {
            var x = span[i];
            if (T.IsNaN(x))
            {
                continue;
            }

            if (min < 0 || x < span[min])
            {
                min = i;
            }

            if (max < 0 || x > span[max])
            {
                max = i;
            }
        }
    }

    private void MinMaxBytes(int values, ref int min, ref int max)
    {
        min = 0;
        max = 0;
        for (var i = 1; i < values; i++)
        {
            var x = ValueBytes(i);
            if (CompareBytes(x, ValueBytes(min)) < 0)
            {
                min = i;
            }
            else if (CompareBytes(x, ValueBytes(max)) > 0)
            {
                max = i;
            }
        }
    }

    private int CompareBytes(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (!Codec.SignedBytes)
        {
            return a.SequenceCompareTo(b);
        }

        if (a.Length != b.Length)
        {
            return Codec.ReadUnscaled(a).CompareTo(Codec.ReadUnscaled(b));
        }

        // Two's-complement big-endian of equal width: flipping the sign bit makes it an unsigned comparison.
        var c = (a[0] ^ 0x80).CompareTo(b[0] ^ 0x80);
        return c != 0 ? c : a[1..].SequenceCompareTo(b[1..]);
    }
}
