namespace Meshwork.Formats.Parquet;

/// <summary>One node of the flattened schema (<c>SchemaElement</c> in parquet.thrift), depth-first with the root first.</summary>
public sealed class SchemaElement
{
    /// <summary>Physical type; null for groups.</summary>
    public ParquetPhysicalType? Type { get; set; }

    /// <summary>Byte length of FIXED_LEN_BYTE_ARRAY values.</summary>
    public int? TypeLength { get; set; }

    /// <summary>Repetition; null only for the root.</summary>
    public ParquetRepetition? RepetitionType { get; set; }

    /// <summary>Field name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Number of children, for groups.</summary>
    public int? NumChildren { get; set; }

    /// <summary>Legacy annotation.</summary>
    public ParquetConvertedType? ConvertedType { get; set; }

    /// <summary>Decimal scale (legacy).</summary>
    public int? Scale { get; set; }

    /// <summary>Decimal precision (legacy).</summary>
    public int? Precision { get; set; }

    /// <summary>Field id (Iceberg column id).</summary>
    public int? FieldId { get; set; }

    /// <summary>Logical type annotation.</summary>
    public ParquetLogicalType? LogicalType { get; set; }

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        if (Type is { } t)
        {
            w.FieldI32(1, (int)t);
        }

        if (TypeLength is { } tl)
        {
            w.FieldI32(2, tl);
        }

        if (RepetitionType is { } rt)
        {
            w.FieldI32(3, (int)rt);
        }

        w.FieldString(4, Name);
        if (NumChildren is { } nc)
        {
            w.FieldI32(5, nc);
        }

        if (ConvertedType is { } ct)
        {
            w.FieldI32(6, (int)ct);
        }

        if (Scale is { } s)
        {
            w.FieldI32(7, s);
        }

        if (Precision is { } p)
        {
            w.FieldI32(8, p);
        }

        if (FieldId is { } f)
        {
            w.FieldI32(9, f);
        }

        if (LogicalType is { } lt)
        {
            w.FieldHeader(10, ThriftType.Struct);
            lt.Write(w);
        }

        w.EndStruct();
    }

    internal static SchemaElement Read(ref ThriftCompactReader r)
    {
        var e = new SchemaElement();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1:
                    var physical = r.ReadInt32Field(type);
                    e.Type = physical is >= 0 and <= 7 ? (ParquetPhysicalType)physical : r.Fail<ParquetPhysicalType>($"unknown physical type {physical}");
                    break;
                case 2:
                    e.TypeLength = r.ReadInt32Field(type);
                    break;
                case 3:
                    var rep = r.ReadInt32Field(type);
                    e.RepetitionType = rep is >= 0 and <= 2 ? (ParquetRepetition)rep : r.Fail<ParquetRepetition>($"unknown repetition type {rep}");
                    break;
                case 4 when type == ThriftType.Binary:
                    e.Name = r.ReadString();
                    break;
                case 5:
                    e.NumChildren = r.ReadInt32Field(type);
                    break;
                case 6:
                    e.ConvertedType = (ParquetConvertedType)r.ReadInt32Field(type);
                    break;
                case 7:
                    e.Scale = r.ReadInt32Field(type);
                    break;
                case 8:
                    e.Precision = r.ReadInt32Field(type);
                    break;
                case 9:
                    e.FieldId = r.ReadInt32Field(type);
                    break;
                case 10 when type == ThriftType.Struct:
                    e.LogicalType = ParquetLogicalType.Read(ref r);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        return e;
    }
}

/// <summary>Column or page statistics (<c>Statistics</c> in parquet.thrift).</summary>
public sealed class ParquetStatistics
{
    /// <summary>Minimum, PLAIN-encoded without a length prefix, ordered by the column's logical type.</summary>
    public byte[]? MinValue { get; set; }

    /// <summary>Maximum, PLAIN-encoded without a length prefix, ordered by the column's logical type.</summary>
    public byte[]? MaxValue { get; set; }

    /// <summary>Number of nulls.</summary>
    public long? NullCount { get; set; }

    /// <summary>Number of distinct values, when known.</summary>
    public long? DistinctCount { get; set; }

    /// <summary>Deprecated signed-order minimum (field 2), as read from older writers.</summary>
    public byte[]? LegacyMin { get; set; }

    /// <summary>Deprecated signed-order maximum (field 1), as read from older writers.</summary>
    public byte[]? LegacyMax { get; set; }

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        if (NullCount is { } n)
        {
            w.FieldI64(3, n);
        }

        if (DistinctCount is { } d)
        {
            w.FieldI64(4, d);
        }

        if (MaxValue is { } max)
        {
            w.FieldBinary(5, max);
        }

        if (MinValue is { } min)
        {
            w.FieldBinary(6, min);
        }

        w.EndStruct();
    }

    internal static ParquetStatistics Read(ref ThriftCompactReader r)
    {
        var s = new ParquetStatistics();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == ThriftType.Binary:
                    s.LegacyMax = r.ReadBinary().ToArray();
                    break;
                case 2 when type == ThriftType.Binary:
                    s.LegacyMin = r.ReadBinary().ToArray();
                    break;
                case 3:
                    s.NullCount = r.ReadInteger(type);
                    break;
                case 4:
                    s.DistinctCount = r.ReadInteger(type);
                    break;
                case 5 when type == ThriftType.Binary:
                    s.MaxValue = r.ReadBinary().ToArray();
                    break;
                case 6 when type == ThriftType.Binary:
                    s.MinValue = r.ReadBinary().ToArray();
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        return s;
    }
}

/// <summary>A key/value metadata entry.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value, if any.</param>
public sealed record ParquetKeyValue(string Key, string? Value)
{
    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.FieldString(1, Key);
        if (Value is not null)
        {
            w.FieldString(2, Value);
        }

        w.EndStruct();
    }

    internal static ParquetKeyValue Read(ref ThriftCompactReader r)
    {
        string key = "";
        string? value = null;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            if (id == 1 && type == ThriftType.Binary)
            {
                key = r.ReadString();
            }
            else if (id == 2 && type == ThriftType.Binary)
            {
                value = r.ReadString();
            }
            else
            {
                r.Skip(type);
            }
        }

        r.EndStruct();
        return new ParquetKeyValue(key, value);
    }
}

/// <summary>Metadata of one column chunk (<c>ColumnMetaData</c> in parquet.thrift).</summary>
public sealed class ColumnMetaData
{
    /// <summary>Physical type.</summary>
    public ParquetPhysicalType Type { get; set; }

    /// <summary>Every encoding used in the chunk (values and levels).</summary>
    public List<ParquetEncoding> Encodings { get; set; } = [];

    /// <summary>Path from the root to this leaf.</summary>
    public List<string> PathInSchema { get; set; } = [];

    /// <summary>Compression codec of the pages.</summary>
    public ParquetCompression Codec { get; set; }

    /// <summary>Number of values including nulls (level entries).</summary>
    public long NumValues { get; set; }

    /// <summary>Uncompressed size of all pages including their headers.</summary>
    public long TotalUncompressedSize { get; set; }

    /// <summary>Compressed size of all pages including their headers.</summary>
    public long TotalCompressedSize { get; set; }

    /// <summary>Offset of the first data page.</summary>
    public long DataPageOffset { get; set; }

    /// <summary>Offset of the dictionary page, if any.</summary>
    public long? DictionaryPageOffset { get; set; }

    /// <summary>Chunk statistics.</summary>
    public ParquetStatistics? Statistics { get; set; }

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.FieldI32(1, (int)Type);
        w.FieldListBegin(2, ThriftType.I32, Encodings.Count);
        foreach (var e in Encodings)
        {
            w.WriteI32((int)e);
        }

        w.FieldListBegin(3, ThriftType.Binary, PathInSchema.Count);
        foreach (var p in PathInSchema)
        {
            w.WriteString(p);
        }

        w.FieldI32(4, (int)Codec);
        w.FieldI64(5, NumValues);
        w.FieldI64(6, TotalUncompressedSize);
        w.FieldI64(7, TotalCompressedSize);
        w.FieldI64(9, DataPageOffset);
        if (DictionaryPageOffset is { } d)
        {
            w.FieldI64(11, d);
        }

        if (Statistics is { } s)
        {
            w.FieldHeader(12, ThriftType.Struct);
            s.Write(w);
        }

        w.EndStruct();
    }

    internal static ColumnMetaData Read(ref ThriftCompactReader r)
    {
        var m = new ColumnMetaData();
        var seen = 0;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1:
                    var t = r.ReadInt32Field(type);
                    m.Type = t is >= 0 and <= 7 ? (ParquetPhysicalType)t : r.Fail<ParquetPhysicalType>($"unknown physical type {t}");
                    seen |= 1;
                    break;
                case 2 when type == ThriftType.List:
                    var n = r.ReadListHeader(out _);
                    for (var i = 0; i < n; i++)
                    {
                        m.Encodings.Add((ParquetEncoding)r.ReadI32());
                    }

                    break;
                case 3 when type == ThriftType.List:
                    var pn = r.ReadListHeader(out _);
                    for (var i = 0; i < pn; i++)
                    {
                        m.PathInSchema.Add(r.ReadString());
                    }

                    break;
                case 4:
                    m.Codec = (ParquetCompression)r.ReadInt32Field(type);
                    break;
                case 5:
                    m.NumValues = r.ReadInteger(type);
                    break;
                case 6:
                    m.TotalUncompressedSize = r.ReadInteger(type);
                    break;
                case 7:
                    m.TotalCompressedSize = r.ReadInteger(type);
                    break;
                case 9:
                    m.DataPageOffset = r.ReadInteger(type);
                    seen |= 2;
                    break;
                case 11:
                    m.DictionaryPageOffset = r.ReadInteger(type);
                    break;
                case 12 when type == ThriftType.Struct:
                    m.Statistics = ParquetStatistics.Read(ref r);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        if (seen != 3)
        {
            r.Fail("ColumnMetaData lacks its type or data_page_offset");
        }

        return m;
    }
}

/// <summary>One column chunk of a row group (<c>ColumnChunk</c> in parquet.thrift).</summary>
public sealed class ColumnChunk
{
    /// <summary>Deprecated file offset (written as 0).</summary>
    public long FileOffset { get; set; }

    /// <summary>The chunk's metadata.</summary>
    public ColumnMetaData MetaData { get; set; } = new();

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.FieldI64(2, FileOffset);
        w.FieldHeader(3, ThriftType.Struct);
        MetaData.Write(w);
        w.EndStruct();
    }

    internal static ColumnChunk Read(ref ThriftCompactReader r)
    {
        var c = new ColumnChunk();
        ColumnMetaData? meta = null;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1:
                    r.Fail("column chunks in external files (file_path) are not supported");
                    break;
                case 2:
                    c.FileOffset = r.ReadInteger(type);
                    break;
                case 3 when type == ThriftType.Struct:
                    meta = ColumnMetaData.Read(ref r);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        c.MetaData = meta ?? r.Fail<ColumnMetaData>("ColumnChunk without meta_data");
        return c;
    }
}

/// <summary>A row group (<c>RowGroup</c> in parquet.thrift).</summary>
public sealed class RowGroup
{
    /// <summary>One chunk per leaf column, in schema order.</summary>
    public List<ColumnChunk> Columns { get; set; } = [];

    /// <summary>Total uncompressed size of the column data.</summary>
    public long TotalByteSize { get; set; }

    /// <summary>Number of rows.</summary>
    public long NumRows { get; set; }

    /// <summary>Offset of the first page of the first column.</summary>
    public long? FileOffset { get; set; }

    /// <summary>Total compressed size of the column data.</summary>
    public long? TotalCompressedSize { get; set; }

    /// <summary>Ordinal of this row group in the file.</summary>
    public short? Ordinal { get; set; }

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.FieldListBegin(1, ThriftType.Struct, Columns.Count);
        foreach (var c in Columns)
        {
            c.Write(w);
        }

        w.FieldI64(2, TotalByteSize);
        w.FieldI64(3, NumRows);
        if (FileOffset is { } fo)
        {
            w.FieldI64(5, fo);
        }

        if (TotalCompressedSize is { } tc)
        {
            w.FieldI64(6, tc);
        }

        if (Ordinal is { } o)
        {
            w.FieldI16(7, o);
        }

        w.EndStruct();
    }

    internal static RowGroup Read(ref ThriftCompactReader r)
    {
        var g = new RowGroup();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 when type == ThriftType.List:
                    var n = r.ReadListHeader(out _);
                    for (var i = 0; i < n; i++)
                    {
                        g.Columns.Add(ColumnChunk.Read(ref r));
                    }

                    break;
                case 2:
                    g.TotalByteSize = r.ReadInteger(type);
                    break;
                case 3:
                    g.NumRows = r.ReadInteger(type);
                    break;
                case 5:
                    g.FileOffset = r.ReadInteger(type);
                    break;
                case 6:
                    g.TotalCompressedSize = r.ReadInteger(type);
                    break;
                case 7:
                    g.Ordinal = (short)r.ReadInteger(type);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        return g;
    }
}

/// <summary>The file footer (<c>FileMetaData</c> in parquet.thrift).</summary>
public sealed class FileMetaData
{
    /// <summary>Format version (1).</summary>
    public int Version { get; set; } = 1;

    /// <summary>The flattened schema, root first.</summary>
    public List<SchemaElement> Schema { get; set; } = [];

    /// <summary>Total number of rows.</summary>
    public long NumRows { get; set; }

    /// <summary>Row groups in file order.</summary>
    public List<RowGroup> RowGroups { get; set; } = [];

    /// <summary>Application key/value metadata.</summary>
    public List<ParquetKeyValue> KeyValueMetadata { get; set; } = [];

    /// <summary>The writing application, e.g. "meshwork version 0.1.0".</summary>
    public string? CreatedBy { get; set; }

    /// <summary>Number of leaf columns for which a TYPE_ORDER column order is declared (0 if none).</summary>
    public int ColumnOrderCount { get; set; }

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.FieldI32(1, Version);
        w.FieldListBegin(2, ThriftType.Struct, Schema.Count);
        foreach (var e in Schema)
        {
            e.Write(w);
        }

        w.FieldI64(3, NumRows);
        w.FieldListBegin(4, ThriftType.Struct, RowGroups.Count);
        foreach (var g in RowGroups)
        {
            g.Write(w);
        }

        if (KeyValueMetadata.Count > 0)
        {
            w.FieldListBegin(5, ThriftType.Struct, KeyValueMetadata.Count);
            foreach (var kv in KeyValueMetadata)
            {
                kv.Write(w);
            }
        }

        if (CreatedBy is not null)
        {
            w.FieldString(6, CreatedBy);
        }

        if (ColumnOrderCount > 0)
        {
            // Without column_orders readers must treat min_value/max_value as undefined for
            // types whose order is not signed, e.g. strings.
            w.FieldListBegin(7, ThriftType.Struct, ColumnOrderCount);
            for (var i = 0; i < ColumnOrderCount; i++)
            {
                w.BeginStruct();
                w.FieldStructBegin(1);
                w.EndStruct();
                w.EndStruct();
            }
        }

        w.EndStruct();
    }

    internal static FileMetaData Read(ref ThriftCompactReader r)
    {
        var f = new FileMetaData();
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1:
                    f.Version = r.ReadInt32Field(type);
                    break;
                case 2 when type == ThriftType.List:
                    var n = r.ReadListHeader(out _);
                    for (var i = 0; i < n; i++)
                    {
                        f.Schema.Add(SchemaElement.Read(ref r));
                    }

                    break;
                case 3:
                    f.NumRows = r.ReadInteger(type);
                    break;
                case 4 when type == ThriftType.List:
                    var g = r.ReadListHeader(out _);
                    for (var i = 0; i < g; i++)
                    {
                        f.RowGroups.Add(RowGroup.Read(ref r));
                    }

                    break;
                case 5 when type == ThriftType.List:
                    var k = r.ReadListHeader(out _);
                    for (var i = 0; i < k; i++)
                    {
                        f.KeyValueMetadata.Add(ParquetKeyValue.Read(ref r));
                    }

                    break;
                case 6 when type == ThriftType.Binary:
                    f.CreatedBy = r.ReadString();
                    break;
                case 7 when type == ThriftType.List:
                    var c = r.ReadListHeader(out var et);
                    for (var i = 0; i < c; i++)
                    {
                        r.Skip(et);
                    }

                    f.ColumnOrderCount = c;
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        return f;
    }
}

/// <summary>A page header (<c>PageHeader</c> in parquet.thrift) with the sub-header for its type.</summary>
internal sealed class PageHeader
{
    public ParquetPageType Type { get; set; }

    public int UncompressedPageSize { get; set; }

    public int CompressedPageSize { get; set; }

    // DataPageHeader (v1) and DataPageHeaderV2 share these.
    public int NumValues { get; set; }

    public ParquetEncoding Encoding { get; set; }

    public ParquetEncoding DefinitionLevelEncoding { get; set; } = ParquetEncoding.Rle;

    public ParquetEncoding RepetitionLevelEncoding { get; set; } = ParquetEncoding.Rle;

    // DataPageHeaderV2 only.
    public int NumNulls { get; set; }

    public int NumRows { get; set; }

    public int DefinitionLevelsByteLength { get; set; }

    public int RepetitionLevelsByteLength { get; set; }

    public bool IsCompressed { get; set; } = true;

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.FieldI32(1, (int)Type);
        w.FieldI32(2, UncompressedPageSize);
        w.FieldI32(3, CompressedPageSize);
        switch (Type)
        {
            case ParquetPageType.DataPage:
                w.FieldStructBegin(5);
                w.FieldI32(1, NumValues);
                w.FieldI32(2, (int)Encoding);
                w.FieldI32(3, (int)DefinitionLevelEncoding);
                w.FieldI32(4, (int)RepetitionLevelEncoding);
                w.EndStruct();
                break;
            case ParquetPageType.DictionaryPage:
                w.FieldStructBegin(7);
                w.FieldI32(1, NumValues);
                w.FieldI32(2, (int)Encoding);
                w.EndStruct();
                break;
            case ParquetPageType.DataPageV2:
                w.FieldStructBegin(8);
                w.FieldI32(1, NumValues);
                w.FieldI32(2, NumNulls);
                w.FieldI32(3, NumRows);
                w.FieldI32(4, (int)Encoding);
                w.FieldI32(5, DefinitionLevelsByteLength);
                w.FieldI32(6, RepetitionLevelsByteLength);
                w.FieldBool(7, IsCompressed);
                w.EndStruct();
                break;
        }

        w.EndStruct();
    }

    internal static PageHeader Read(ref ThriftCompactReader r)
    {
        var h = new PageHeader();
        var seen = 0;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1:
                    h.Type = (ParquetPageType)r.ReadInt32Field(type);
                    seen |= 1;
                    break;
                case 2:
                    h.UncompressedPageSize = r.ReadInt32Field(type);
                    seen |= 2;
                    break;
                case 3:
                    h.CompressedPageSize = r.ReadInt32Field(type);
                    seen |= 4;
                    break;
                case 5 or 7 or 8 when type == ThriftType.Struct:
                    ReadSubHeader(ref r, h, id);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
        if (seen != 7)
        {
            r.Fail("page header lacks its type or sizes");
        }

        if (h.UncompressedPageSize < 0 || h.CompressedPageSize < 0 || h.NumValues < 0 || h.NumNulls < 0 || h.NumRows < 0
            || h.DefinitionLevelsByteLength < 0 || h.RepetitionLevelsByteLength < 0)
        {
            r.Fail("negative size or count in page header");
        }

        return h;
    }

    private static void ReadSubHeader(ref ThriftCompactReader r, PageHeader h, short which)
    {
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            switch (which, id)
            {
                case (_, 1):
                    h.NumValues = r.ReadInt32Field(type);
                    break;
                case (5 or 7, 2) or (8, 4):
                    h.Encoding = (ParquetEncoding)r.ReadInt32Field(type);
                    break;
                case (5, 3):
                    h.DefinitionLevelEncoding = (ParquetEncoding)r.ReadInt32Field(type);
                    break;
                case (5, 4):
                    h.RepetitionLevelEncoding = (ParquetEncoding)r.ReadInt32Field(type);
                    break;
                case (8, 2):
                    h.NumNulls = r.ReadInt32Field(type);
                    break;
                case (8, 3):
                    h.NumRows = r.ReadInt32Field(type);
                    break;
                case (8, 5):
                    h.DefinitionLevelsByteLength = r.ReadInt32Field(type);
                    break;
                case (8, 6):
                    h.RepetitionLevelsByteLength = r.ReadInt32Field(type);
                    break;
                case (8, 7):
                    h.IsCompressed = ThriftCompactReader.BoolValue(type);
                    break;
                default:
                    r.Skip(type);
                    break;
            }
        }

        r.EndStruct();
    }
}
