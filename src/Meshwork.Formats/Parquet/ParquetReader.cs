using System.Buffers.Binary;
using System.Collections;

namespace Meshwork.Formats.Parquet;

/// <summary>
/// Reads a Parquet file: footer, schema (with field ids), row groups, statistics, key/value
/// metadata, and rows reassembled into the writer's value model (see <see cref="ParquetWriter"/>).
/// Lists read as <see cref="List{T}"/> of object?, maps as <see cref="List{T}"/> of
/// <see cref="KeyValuePair{TKey, TValue}"/> of (object?, object?), structs as object?[].
/// Malformed input raises <see cref="ParquetFormatException"/>.
/// </summary>
public sealed class ParquetReader : IDisposable
{
    private const int MagicLength = 4;
    private const int FooterTail = 8;
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;
    private static ReadOnlySpan<byte> EncryptedMagic => "PARE"u8;
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _dataEnd;
    private readonly SchemaNode[] _nodes;

    /// <summary>Opens a seekable stream and reads its footer.</summary>
    public ParquetReader(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead)
        {
            throw new ArgumentException("the stream must be readable and seekable", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        try
        {
            var length = stream.Length;
            if (length < MagicLength + FooterTail)
            {
                ParquetFormatException.Throw($"file of {length} bytes is too short to be Parquet (needs at least {MagicLength + FooterTail})");
            }

            Span<byte> head = stackalloc byte[MagicLength];
            ReadAt(0, head);
            Span<byte> tail = stackalloc byte[FooterTail];
            ReadAt(length - FooterTail, tail);
            if (tail[4..].SequenceEqual(EncryptedMagic))
            {
                ParquetFormatException.Throw("encrypted Parquet files (PARE) are not supported");
            }

            if (!head.SequenceEqual(Magic) || !tail[4..].SequenceEqual(Magic))
            {
                ParquetFormatException.Throw("not a Parquet file: the PAR1 magic is missing at the start or the end");
            }

            var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
            if (footerLength <= 0 || footerLength > length - MagicLength - FooterTail)
            {
                ParquetFormatException.Throw($"footer length {footerLength} is impossible for a file of {length} bytes");
            }

            _dataEnd = length - FooterTail - footerLength;
            var footer = new byte[footerLength];
            ReadAt(_dataEnd, footer);
            var reader = new ThriftCompactReader(footer, "footer");
            Metadata = FileMetaData.Read(ref reader);
            Schema = ParquetSchema.FromElements(Metadata.Schema);
            Validate();
            _nodes = SchemaNode.Build(Schema);
        }
        catch
        {
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            throw;
        }
    }

    /// <summary>Opens the file at <paramref name="path"/>.</summary>
    public static ParquetReader Open(string path) => new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16));

    /// <summary>Reads a file held in memory.</summary>
    public static ParquetReader FromBytes(byte[] data) => new(new MemoryStream(data, writable: false));

    /// <summary>The footer as read.</summary>
    public FileMetaData Metadata { get; }

    /// <summary>The schema, with field ids and logical types.</summary>
    public ParquetSchema Schema { get; }

    /// <summary>Row groups with their column chunks and statistics.</summary>
    public IReadOnlyList<RowGroup> RowGroups => Metadata.RowGroups;

    /// <summary>Total rows.</summary>
    public long RowCount => Metadata.NumRows;

    /// <summary>The footer's created_by.</summary>
    public string? CreatedBy => Metadata.CreatedBy;

    /// <summary>Key/value metadata (the last value wins for repeated keys).</summary>
    public IReadOnlyDictionary<string, string?> KeyValueMetadata
    {
        get
        {
            var d = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var kv in Metadata.KeyValueMetadata)
            {
                d[kv.Key] = kv.Value;
            }

            return d;
        }
    }

    /// <summary>Reads every row of every row group.</summary>
    public IEnumerable<object?[]> ReadRows()
    {
        for (var g = 0; g < RowGroups.Count; g++)
        {
            foreach (var row in ReadRowGroup(g))
            {
                yield return row;
            }
        }
    }

    /// <summary>Reads all rows into a list.</summary>
    public List<object?[]> ReadAll()
    {
        var rows = new List<object?[]>();
        for (var g = 0; g < RowGroups.Count; g++)
        {
            rows.AddRange(ReadRowGroup(g));
        }

        return rows;
    }

    /// <summary>Reads the rows of one row group.</summary>
    public List<object?[]> ReadRowGroup(int index)
    {
        if ((uint)index >= (uint)RowGroups.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the file has {RowGroups.Count} row groups");
        }

        var group = RowGroups[index];
        var columns = new ColumnData[Schema.Columns.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            columns[c] = ReadColumnChunk(group, c);
        }

        var assembler = new RecordAssembler(columns);
        var rows = new List<object?[]>((int)Math.Min(group.NumRows, 1 << 20));
        for (long r = 0; r < group.NumRows; r++)
        {
            assembler.BeginRecord();
            var row = new object?[_nodes.Length];
            for (var i = 0; i < _nodes.Length; i++)
            {
                row[i] = assembler.ReadField(_nodes[i]);
            }

            rows.Add(row);
        }

        assembler.CheckEnd();
        return rows;
    }

    /// <summary>Decodes column statistics' min/max into the column's value model (null when absent).</summary>
    public (object? Min, object? Max) DecodeStatistics(ParquetColumn column, ParquetStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(statistics);
        var codec = new LeafCodec(column.Field);
        return (Decode(codec, statistics.MinValue), Decode(codec, statistics.MaxValue));
    }

    private static object? Decode(LeafCodec codec, byte[]? value)
    {
        if (value is null)
        {
            return null;
        }

        if (codec.Width > 0 && value.Length != codec.Width)
        {
            ParquetFormatException.Throw($"statistics value of {value.Length} bytes for a {codec.Width}-byte column");
        }

        return codec.Read(value);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private ColumnData ReadColumnChunk(RowGroup group, int c)
    {
        var meta = group.Columns[c].MetaData;
        var start = meta.DataPageOffset;

        // Some writers record dictionary_page_offset 0 when there is none; only a value before the data pages counts.
        if (meta.DictionaryPageOffset is { } d && d >= MagicLength && d < start)
        {
            start = d;
        }

        var length = meta.TotalCompressedSize;
        if (start < MagicLength || length < 0 || start > _dataEnd || length > _dataEnd - start)
        {
            ParquetFormatException.Throw($"column '{Schema.Columns[c]}': chunk at {start} of {length} bytes lies outside the data section (4..{_dataEnd})");
        }

        var chunk = new byte[length];
        ReadAt(start, chunk);
        return ColumnReader.Read(Schema.Columns[c], meta, chunk, group.NumRows);
    }

    private void Validate()
    {
        if (Metadata.NumRows < 0)
        {
            ParquetFormatException.Throw($"footer: negative row count {Metadata.NumRows}");
        }

        foreach (var column in Schema.Columns)
        {
            try
            {
                _ = new LeafCodec(column.Field);
            }
            catch (ArgumentException e)
            {
                throw new ParquetFormatException($"column '{column}': {e.Message}", e);
            }
        }

        for (var g = 0; g < Metadata.RowGroups.Count; g++)
        {
            var group = Metadata.RowGroups[g];
            if (group.Columns.Count != Schema.Columns.Count)
            {
                ParquetFormatException.Throw($"row group {g} has {group.Columns.Count} column chunks but the schema has {Schema.Columns.Count} columns");
            }

            if (group.NumRows < 0)
            {
                ParquetFormatException.Throw($"row group {g} has a negative row count");
            }

            for (var c = 0; c < group.Columns.Count; c++)
            {
                var meta = group.Columns[c].MetaData;
                var column = Schema.Columns[c];
                if (meta.Type != column.Field.PhysicalType)
                {
                    ParquetFormatException.Throw($"row group {g}, column '{column}': chunk type {meta.Type} differs from the schema's {column.Field.PhysicalType}");
                }

                if (meta.NumValues < 0 || meta.NumValues > int.MaxValue)
                {
                    ParquetFormatException.Throw($"row group {g}, column '{column}': value count {meta.NumValues} out of range");
                }
            }
        }
    }

    private void ReadAt(long offset, Span<byte> buffer)
    {
        _stream.Position = offset;
        _stream.ReadExactly(buffer);
    }

    /// <summary>Rebuilds records from the levels of every leaf (the inverse of the writer's shredding).</summary>
    private sealed class RecordAssembler
    {
        private readonly ColumnData[] _columns;

        public RecordAssembler(ColumnData[] columns) => _columns = columns;

        public void BeginRecord()
        {
            foreach (var c in _columns)
            {
                if (c.EntryPos >= c.EntryCount)
                {
                    ParquetFormatException.Throw($"column '{c.Column}' has fewer records than the row group's row count");
                }

                if (c.Rep.Count > 0 && c.Rep[c.EntryPos] != 0)
                {
                    ParquetFormatException.Throw($"column '{c.Column}': a record does not start at repetition level 0");
                }
            }
        }

        public void CheckEnd()
        {
            foreach (var c in _columns)
            {
                if (c.EntryPos != c.EntryCount || c.ValuePos != c.Values.Count)
                {
                    ParquetFormatException.Throw($"column '{c.Column}' holds more values than the row group's rows");
                }
            }
        }

        public object? ReadField(SchemaNode node)
        {
            if (node.IsRepeated)
            {
                return ReadRepeated(node);
            }

            if (node.IsOptional && DefAt(node.FirstLeaf) < node.Def)
            {
                Skip(node);
                return null;
            }

            return ReadPresent(node);
        }

        private object ReadPresent(SchemaNode node)
        {
            switch (node.Field)
            {
                case ParquetPrimitiveField:
                    var c = _columns[node.FirstLeaf];
                    if (DefAt(node.FirstLeaf) != c.MaxDef || c.ValuePos >= c.Values.Count)
                    {
                        ParquetFormatException.Throw($"column '{c.Column}': definition levels and values disagree");
                    }

                    c.EntryPos++;
                    return c.Values[c.ValuePos++];
                case ParquetGroupField when node.IsList || node.IsMap:
                    return ReadRepeated(node.Children[0]);
                default:
                    var fields = new object?[node.Children.Length];
                    for (var i = 0; i < fields.Length; i++)
                    {
                        fields[i] = ReadField(node.Children[i]);
                    }

                    return fields;
            }
        }

        private IList ReadRepeated(SchemaNode node)
        {
            IList list = node.IsKeyValue ? new List<KeyValuePair<object?, object?>>() : new List<object?>();
            if (DefAt(node.FirstLeaf) < node.Def)
            {
                Skip(node);
                return list;
            }

            var first = _columns[node.FirstLeaf];
            do
            {
                if (node.IsListWrapper)
                {
                    list.Add(ReadField(node.Children[0]));
                }
                else if (node.IsKeyValue)
                {
                    var key = ReadField(node.Children[0]);
                    list.Add(new KeyValuePair<object?, object?>(key, ReadField(node.Children[1])));
                }
                else
                {
                    list.Add(ReadPresent(node));
                }
            }
            while (first.EntryPos < first.EntryCount && first.Rep[first.EntryPos] == node.Rep);

            return list;
        }

        private int DefAt(int leaf)
        {
            var c = _columns[leaf];
            if (c.EntryPos >= c.EntryCount)
            {
                ParquetFormatException.Throw($"column '{c.Column}' ended before its record did");
            }

            return c.Def.Count > 0 ? c.Def[c.EntryPos] : 0;
        }

        /// <summary>Consumes one entry in every leaf below a null or empty field.</summary>
        private void Skip(SchemaNode node)
        {
            for (var i = node.FirstLeaf; i < node.FirstLeaf + node.LeafCount; i++)
            {
                var c = _columns[i];
                if (DefAt(i) >= node.Def)
                {
                    ParquetFormatException.Throw($"column '{c.Column}': levels of sibling columns disagree");
                }

                c.EntryPos++;
            }
        }
    }
}
