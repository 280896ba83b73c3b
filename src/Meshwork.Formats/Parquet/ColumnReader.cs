using System.Buffers.Binary;
using Meshwork.Compression;

namespace Meshwork.Formats.Parquet;

/// <summary>The decoded levels and values of one column chunk.</summary>
internal sealed class ColumnData
{
    public ColumnData(ParquetColumn column)
    {
        Column = column;
        MaxDef = column.MaxDefinitionLevel;
    }

    public ParquetColumn Column { get; }

    public int MaxDef { get; }

    public List<int> Def { get; } = [];

    public List<int> Rep { get; } = [];

    public List<object> Values { get; } = [];

    /// <summary>Level entries (values including nulls).</summary>
    public int EntryCount { get; set; }

    // Assembly cursors.
    public int EntryPos { get; set; }

    public int ValuePos { get; set; }
}

/// <summary>Decodes the pages of one column chunk: dictionary page, data pages v1 and v2, every codec we support.</summary>
internal static class ColumnReader
{
    // Far above what writers produce (parquet-mr caps pages at 20,000 rows), low enough that a
    // corrupt count cannot make the reader allocate gigabytes.
    private const int MaxPageValues = 1 << 24;
    private const int MaxPageBytes = 1 << 30;

    public static ColumnData Read(ParquetColumn column, ColumnMetaData meta, ReadOnlySpan<byte> chunk, long rowGroupRows)
    {
        var codec = new LeafCodec(column.Field);
        var data = new ColumnData(column);
        object[]? dictionary = null;
        var pos = 0;
        var what = $"column '{column}'";
        while (pos < chunk.Length && data.EntryCount < meta.NumValues)
        {
            var reader = new ThriftCompactReader(chunk[pos..], $"{what}: page header");
            var header = PageHeader.Read(ref reader);
            pos += reader.Position;
            if (header.CompressedPageSize > chunk.Length - pos)
            {
                ParquetFormatException.Throw($"{what}: page of {header.CompressedPageSize} bytes overruns the column chunk ({chunk.Length - pos} bytes left)");
            }

            if (header.UncompressedPageSize > MaxPageBytes)
            {
                ParquetFormatException.Throw($"{what}: page claims {header.UncompressedPageSize} uncompressed bytes");
            }

            var body = chunk.Slice(pos, header.CompressedPageSize);
            pos += header.CompressedPageSize;
            switch (header.Type)
            {
                case ParquetPageType.DictionaryPage:
                    if (header.Encoding is not (ParquetEncoding.Plain or ParquetEncoding.PlainDictionary))
                    {
                        ParquetFormatException.Throw($"{what}: dictionary page encoding {header.Encoding} is not supported");
                    }

                    CheckCount(header.NumValues, what);
                    var raw = Decompress(meta.Codec, body, header.UncompressedPageSize, what);
                    var list = new List<object>();
                    DecodePlain(codec, raw, header.NumValues, list, what);
                    dictionary = [.. list];
                    break;
                case ParquetPageType.DataPage:
                    CheckCount(header.NumValues, what);
                    ReadDataPageV1(codec, data, header, Decompress(meta.Codec, body, header.UncompressedPageSize, what), dictionary, what);
                    break;
                case ParquetPageType.DataPageV2:
                    CheckCount(header.NumValues, what);
                    ReadDataPageV2(codec, data, header, meta.Codec, body, dictionary, what);
                    break;
                default:
                    break;
            }
        }

        if (data.EntryCount != meta.NumValues)
        {
            ParquetFormatException.Throw($"{what}: the chunk holds {data.EntryCount} values but its metadata says {meta.NumValues}");
        }

        if (column.MaxRepetitionLevel == 0 && data.EntryCount != rowGroupRows)
        {
            ParquetFormatException.Throw($"{what}: {data.EntryCount} values for {rowGroupRows} rows");
        }

        return data;
    }

    private static void CheckCount(int count, string what)
    {
        if (count > MaxPageValues)
        {
            ParquetFormatException.Throw($"{what}: page claims {count} values (more than {MaxPageValues})");
        }
    }

    private static void ReadDataPageV1(LeafCodec codec, ColumnData data, PageHeader header, ReadOnlySpan<byte> page, object[]? dictionary, string what)
    {
        var pos = 0;
        var n = header.NumValues;
        var column = data.Column;
        if (column.MaxRepetitionLevel > 0)
        {
            var levels = ReadLevelsV1(page, ref pos, header.RepetitionLevelEncoding, column.MaxRepetitionLevel, n, what + ": repetition levels");
            data.Rep.AddRange(levels);
        }

        var present = n;
        if (column.MaxDefinitionLevel > 0)
        {
            var levels = ReadLevelsV1(page, ref pos, header.DefinitionLevelEncoding, column.MaxDefinitionLevel, n, what + ": definition levels");
            data.Def.AddRange(levels);
            present = Count(levels, column.MaxDefinitionLevel);
        }

        DecodeValues(codec, header.Encoding, page[pos..], present, dictionary, data.Values, what);
        data.EntryCount += n;
    }

    private static void ReadDataPageV2(LeafCodec codec, ColumnData data, PageHeader header, ParquetCompression compression, ReadOnlySpan<byte> body, object[]? dictionary, string what)
    {
        var n = header.NumValues;
        var column = data.Column;
        var repLength = header.RepetitionLevelsByteLength;
        var defLength = header.DefinitionLevelsByteLength;
        if ((long)repLength + defLength > body.Length)
        {
            ParquetFormatException.Throw($"{what}: v2 level lengths exceed the page");
        }

        if (column.MaxRepetitionLevel > 0)
        {
            var levels = new int[n];
            RleHybrid.Decode(body[..repLength], RleHybrid.BitWidth(column.MaxRepetitionLevel), levels, column.MaxRepetitionLevel, what + ": repetition levels");
            data.Rep.AddRange(levels);
        }

        var present = n;
        if (column.MaxDefinitionLevel > 0)
        {
            var levels = new int[n];
            RleHybrid.Decode(body.Slice(repLength, defLength), RleHybrid.BitWidth(column.MaxDefinitionLevel), levels, column.MaxDefinitionLevel, what + ": definition levels");
            data.Def.AddRange(levels);
            present = Count(levels, column.MaxDefinitionLevel);
        }

        var valuesSection = body[(repLength + defLength)..];
        var uncompressedValues = header.UncompressedPageSize - repLength - defLength;
        if (uncompressedValues < 0)
        {
            ParquetFormatException.Throw($"{what}: v2 level lengths exceed the uncompressed page size");
        }

        var values = header.IsCompressed ? Decompress(compression, valuesSection, uncompressedValues, what) : valuesSection;
        DecodeValues(codec, header.Encoding, values, present, dictionary, data.Values, what);
        data.EntryCount += n;
    }

    private static int[] ReadLevelsV1(ReadOnlySpan<byte> page, ref int pos, ParquetEncoding encoding, int maxLevel, int count, string what)
    {
        var levels = new int[count];
        var bitWidth = RleHybrid.BitWidth(maxLevel);
        if (encoding == ParquetEncoding.Rle)
        {
            var section = RleHybrid.ReadPrefixed(page, ref pos, what);
            RleHybrid.Decode(section, bitWidth, levels, maxLevel, what);
        }
        else if (encoding == ParquetEncoding.BitPacked)
        {
            // Deprecated BIT_PACKED levels: MSB-first, no header.
            var bytes = (int)(((long)count * bitWidth + 7) / 8);
            if (bytes > page.Length - pos)
            {
                ParquetFormatException.Throw($"{what}: bit-packed levels overrun the page");
            }

            for (var i = 0; i < count; i++)
            {
                var v = 0;
                for (var b = 0; b < bitWidth; b++)
                {
                    var bit = (long)i * bitWidth + b;
                    v = (v << 1) | ((page[pos + (int)(bit >> 3)] >> (7 - (int)(bit & 7))) & 1);
                }

                levels[i] = v <= maxLevel ? v : ParquetFormatException.Throw<int>($"{what}: level {v} exceeds {maxLevel}");
            }

            pos += bytes;
        }
        else
        {
            ParquetFormatException.Throw($"{what}: level encoding {encoding} is not supported");
        }

        return levels;
    }

    private static int Count(int[] levels, int max)
    {
        var c = 0;
        foreach (var l in levels)
        {
            if (l == max)
            {
                c++;
            }
        }

        return c;
    }

    private static void DecodeValues(LeafCodec codec, ParquetEncoding encoding, ReadOnlySpan<byte> data, int count, object[]? dictionary, List<object> output, string what)
    {
        switch (encoding)
        {
            case ParquetEncoding.Plain:
                DecodePlain(codec, data, count, output, what);
                break;
            case ParquetEncoding.RleDictionary or ParquetEncoding.PlainDictionary:
                if (dictionary is null)
                {
                    ParquetFormatException.Throw($"{what}: dictionary-encoded page without a dictionary page");
                }

                if (count == 0)
                {
                    break;
                }

                if (data.Length < 1)
                {
                    ParquetFormatException.Throw($"{what}: dictionary page data is empty");
                }

                var indices = new int[count];
                RleHybrid.Decode(data[1..], data[0], indices, Math.Max(0, dictionary.Length - 1), what + ": dictionary indices");
                if (dictionary.Length == 0)
                {
                    ParquetFormatException.Throw($"{what}: dictionary indices into an empty dictionary");
                }

                foreach (var i in indices)
                {
                    output.Add(dictionary[i]);
                }

                break;
            case ParquetEncoding.Rle when codec.Kind == LeafKind.Boolean:
                var pos = 0;
                var section = RleHybrid.ReadPrefixed(data, ref pos, what);
                var bits = new int[count];
                RleHybrid.Decode(section, 1, bits, 1, what);
                foreach (var b in bits)
                {
                    output.Add(b != 0);
                }

                break;
            case ParquetEncoding.ByteStreamSplit when codec.Width > 0:
                var width = codec.Width;
                if ((long)count * width > data.Length)
                {
                    ParquetFormatException.Throw($"{what}: BYTE_STREAM_SPLIT data is shorter than {count} values");
                }

                Span<byte> value = stackalloc byte[Math.Min(width, 256)];
                if (width > 256)
                {
                    ParquetFormatException.Throw($"{what}: BYTE_STREAM_SPLIT width {width} too large");
                }

                for (var i = 0; i < count; i++)
                {
                    for (var k = 0; k < width; k++)
                    {
                        value[k] = data[(k * count) + i];
                    }

                    output.Add(codec.Read(value));
                }

                break;
            case ParquetEncoding.DeltaBinaryPacked when codec.Width is 4 or 8:
                DeltaDecoder.DecodeIntegers(codec, data, count, output, what);
                break;
            case ParquetEncoding.DeltaLengthByteArray when codec.Width < 0:
                DeltaDecoder.DecodeLengthByteArray(codec, data, count, output, what);
                break;
            case ParquetEncoding.DeltaByteArray:
                DeltaDecoder.DecodeByteArray(codec, data, count, output, what);
                break;
            default:
                ParquetFormatException.Throw($"{what}: encoding {encoding} is not supported for {codec.Physical}");
                break;
        }
    }

    public static void DecodePlain(LeafCodec codec, ReadOnlySpan<byte> data, int count, List<object> output, string what)
    {
        var width = codec.Width;
        if (codec.Kind == LeafKind.Boolean)
        {
            if ((count + 7) / 8 > data.Length)
            {
                ParquetFormatException.Throw($"{what}: PLAIN booleans shorter than {count} values");
            }

            for (var i = 0; i < count; i++)
            {
                output.Add(((data[i >> 3] >> (i & 7)) & 1) != 0);
            }

            return;
        }

        if (width > 0)
        {
            if ((long)count * width > data.Length)
            {
                ParquetFormatException.Throw($"{what}: PLAIN data holds {data.Length / width} values, not {count}");
            }

            for (var i = 0; i < count; i++)
            {
                output.Add(codec.Read(data.Slice(i * width, width)));
            }

            return;
        }

        var pos = 0;
        for (var i = 0; i < count; i++)
        {
            if (data.Length - pos < 4)
            {
                ParquetFormatException.Throw($"{what}: PLAIN byte array {i} of {count} is truncated");
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(data[pos..]);
            pos += 4;
            if (length < 0 || length > data.Length - pos)
            {
                ParquetFormatException.Throw($"{what}: byte array length {length} exceeds the {data.Length - pos} bytes left");
            }

            output.Add(codec.Read(data.Slice(pos, length)));
            pos += length;
        }
    }

    private static ReadOnlySpan<byte> Decompress(ParquetCompression codec, ReadOnlySpan<byte> data, int uncompressedSize, string what)
    {
        byte[] result;
        try
        {
            switch (codec)
            {
                case ParquetCompression.Uncompressed:
                    return data.Length >= uncompressedSize ? data[..uncompressedSize] : ParquetFormatException.Throw<byte[]>($"{what}: page is shorter than its uncompressed size");
                case ParquetCompression.Snappy:
                    result = Snappy.Decompress(data, uncompressedSize);
                    break;
                case ParquetCompression.Gzip:
                    result = Gzip.Decompress(data, uncompressedSize);
                    break;
                case ParquetCompression.Zstd:
                    result = Zstd.Decompress(data, uncompressedSize);
                    break;
                case ParquetCompression.Brotli:
                    result = DecompressBrotli(data, uncompressedSize, what);
                    break;
                default:
                    return ParquetFormatException.Throw<byte[]>($"{what}: compression codec {codec} is not supported (use UNCOMPRESSED, SNAPPY, GZIP, ZSTD or BROTLI)");
            }
        }
        catch (CompressionException e)
        {
            throw new ParquetFormatException($"{what}: {codec} page does not decompress: {e.Message}", e);
        }

        if (result.Length != uncompressedSize)
        {
            ParquetFormatException.Throw($"{what}: page decompressed to {result.Length} bytes, not the {uncompressedSize} its header says");
        }

        return result;
    }

    private static byte[] DecompressBrotli(ReadOnlySpan<byte> data, int size, string what)
    {
        var output = new byte[size];
        if (!System.IO.Compression.BrotliDecoder.TryDecompress(data, output, out var written) || written != size)
        {
            ParquetFormatException.Throw($"{what}: BROTLI page does not decompress to {size} bytes");
        }

        return output;
    }
}
