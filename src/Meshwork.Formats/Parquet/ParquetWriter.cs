using System.Collections;

namespace Meshwork.Formats.Parquet;

/// <summary>
/// Writes a Parquet file: rows (<see cref="WriteRow"/>) for any schema, or column batches
/// (<see cref="WriteColumn{T}"/> … <see cref="EndBatch"/>) for flat schemas. Row groups are cut by
/// <see cref="ParquetWriterOptions.RowGroupSize"/>; <see cref="Dispose"/> writes the footer.
/// </summary>
/// <remarks>
/// Row values: bool, int, long, float, double, string, byte[], decimal or <see cref="ParquetDecimal"/>,
/// DateOnly, DateTime or DateTimeOffset (timestamps), TimeOnly, Guid; object?[] for structs,
/// any <see cref="IEnumerable"/> for lists and <see cref="IDictionary"/> or key/value pairs for maps.
/// </remarks>
public sealed class ParquetWriter : IDisposable
{
    private const long ParallelFlushThreshold = 1 << 20;
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;
    private readonly ChunkSink _sink;
    private readonly bool _leaveOpen;
    private readonly ColumnBuffer[] _columns;
    private readonly SchemaNode[] _nodes;
    private readonly List<RowGroup> _rowGroups = [];
    private readonly int[] _batchCounts;
    private readonly ChunkSink[] _columnSinks;
    private long _bufferedRows;
    private long _totalRows;
    private bool _closed;

    /// <summary>Starts a file on <paramref name="output"/> (written sequentially; no seeking needed).</summary>
    public ParquetWriter(Stream output, ParquetSchema schema, ParquetWriterOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        Options = options ?? new ParquetWriterOptions();
        Options.Validate();
        Schema = schema;
        _leaveOpen = leaveOpen;
        _columns = new ColumnBuffer[schema.Columns.Count];
        for (var i = 0; i < _columns.Length; i++)
        {
            _columns[i] = new ColumnBuffer(schema.Columns[i]);
        }

        _nodes = SchemaNode.Build(schema);
        _batchCounts = new int[_columns.Length];
        _columnSinks = new ChunkSink[_columns.Length];
        for (var i = 0; i < _columnSinks.Length; i++)
        {
            _columnSinks[i] = new ChunkSink(new MemoryStream(), Options);
        }

        _sink = new ChunkSink(output, Options);
        _sink.Write(Magic);
    }

    /// <summary>Creates (or truncates) the file at <paramref name="path"/>.</summary>
    public static ParquetWriter Create(string path, ParquetSchema schema, ParquetWriterOptions? options = null) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16), schema, options);

    /// <summary>The schema being written.</summary>
    public ParquetSchema Schema { get; }

    /// <summary>The options in force.</summary>
    public ParquetWriterOptions Options { get; }

    /// <summary>Rows written so far (including buffered rows).</summary>
    public long RowCount => _totalRows + _bufferedRows;

    /// <summary>The footer, once the writer is disposed.</summary>
    public FileMetaData? Metadata { get; private set; }

    /// <summary>Writes rows; each row has one value per top-level field.</summary>
    public void Write(IEnumerable<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            WriteRow(row);
        }
    }

    /// <summary>Writes one row: one value per top-level field, in schema order.</summary>
    public void WriteRow(object?[] row)
    {
        ArgumentNullException.ThrowIfNull(row);
        EnsureOpen();
        EnsureNoPendingBatch();
        if (row.Length != _nodes.Length)
        {
            throw new ArgumentException($"row has {row.Length} values but the schema has {_nodes.Length} fields");
        }

        for (var i = 0; i < _nodes.Length; i++)
        {
            ShredField(_nodes[i], row[i], 0, 0);
        }

        _bufferedRows++;
        MaybeFlush();
    }

    /// <summary>
    /// Appends values to a column of a flat schema (columnar fast path, no per-value allocation).
    /// <paramref name="isNull"/> is empty (no nulls) or one flag per value. Call for every column, then <see cref="EndBatch"/>.
    /// </summary>
    public void WriteColumn<T>(int column, ReadOnlySpan<T> values, ReadOnlySpan<bool> isNull = default)
        where T : struct
    {
        var buffer = BatchColumn(column);
        buffer.AddSpan(values, isNull);
        _batchCounts[column] += values.Length;
    }

    /// <summary>Appends strings to a column of a flat schema; null entries are nulls.</summary>
    public void WriteColumn(int column, ReadOnlySpan<string?> values)
    {
        BatchColumn(column).AddStrings(values);
        _batchCounts[column] += values.Length;
    }

    /// <summary>Appends byte arrays to a column of a flat schema; null entries are nulls.</summary>
    public void WriteColumn(int column, ReadOnlySpan<byte[]?> values)
    {
        BatchColumn(column).AddByteArrays(values);
        _batchCounts[column] += values.Length;
    }

    /// <summary>Ends a columnar batch: every column must have received the same number of values.</summary>
    public void EndBatch()
    {
        EnsureOpen();
        var rows = _batchCounts[0];
        for (var i = 1; i < _batchCounts.Length; i++)
        {
            if (_batchCounts[i] != rows)
            {
                throw new InvalidOperationException($"column '{_columns[i].Column}' received {_batchCounts[i]} values in this batch but column '{_columns[0].Column}' received {rows}");
            }
        }

        Array.Clear(_batchCounts);
        _bufferedRows += rows;
        if (Options.RowGroupSize.IsRows)
        {
            while (_bufferedRows >= Options.RowGroupSize.Value)
            {
                FlushRows((int)Options.RowGroupSize.Value);
            }
        }
        else
        {
            MaybeFlush();
        }
    }

    /// <summary>Ends the current row group (if it has rows).</summary>
    public void FlushRowGroup()
    {
        EnsureOpen();
        EnsureNoPendingBatch();
        if (_bufferedRows > 0)
        {
            FlushRows((int)_bufferedRows);
        }
    }

    /// <summary>Flushes buffered rows and writes the footer; the stream is closed unless leaveOpen was set.</summary>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        try
        {
            if (_batchCounts.All(c => c == 0))
            {
                if (_bufferedRows > 0)
                {
                    FlushRows((int)_bufferedRows);
                }

                WriteFooter();
            }
        }
        finally
        {
            _closed = true;
            foreach (var c in _columns)
            {
                c.Dispose();
            }

            _sink.Dispose();
            foreach (var s in _columnSinks)
            {
                s.Dispose();
            }

            if (!_leaveOpen)
            {
                _sink.Output.Dispose();
            }
        }
    }

    private ColumnBuffer BatchColumn(int column)
    {
        EnsureOpen();
        if ((uint)column >= (uint)_columns.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, $"the schema has {_columns.Length} columns");
        }

        var buffer = _columns[column];
        if (buffer.HasLevels && (buffer.MaxRep > 0 || buffer.Column.Path.Count > 1))
        {
            throw new InvalidOperationException($"column '{buffer.Column}' is nested; write nested data with WriteRow");
        }

        return buffer;
    }

    private void EnsureOpen() => ObjectDisposedException.ThrowIf(_closed, this);

    private void EnsureNoPendingBatch()
    {
        foreach (var c in _batchCounts)
        {
            if (c != 0)
            {
                throw new InvalidOperationException("a columnar batch is in progress; call EndBatch first");
            }
        }
    }

    private void MaybeFlush()
    {
        var limit = Options.RowGroupSize;
        if (limit.IsRows)
        {
            if (_bufferedRows >= limit.Value)
            {
                FlushRows((int)_bufferedRows);
            }

            return;
        }

        long bytes = 0;
        foreach (var c in _columns)
        {
            bytes += c.BufferedBytes;
        }

        if (bytes >= limit.Value)
        {
            FlushRows((int)_bufferedRows);
        }
    }

    /// <summary>Writes the first <paramref name="rows"/> buffered rows as a row group.</summary>
    private void FlushRows(int rows)
    {
        var group = new RowGroup { NumRows = rows, FileOffset = _sink.Position, Ordinal = (short)Math.Min(_rowGroups.Count, short.MaxValue) };
        var start = _sink.Position;
        var chunks = new ColumnChunk[_columns.Length];
        long buffered = 0;
        foreach (var c in _columns)
        {
            buffered += c.BufferedBytes;
        }

        // Encoding and compressing a chunk is independent per column, so large row groups use
        // every core; each chunk goes to its own memory sink and is copied out in schema order.
        if (buffered >= ParallelFlushThreshold && _columns.Length > 1 && Environment.ProcessorCount > 1)
        {
            try
            {
                Parallel.For(0, _columns.Length, c => chunks[c] = FlushColumn(c, rows));
            }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            }
        }
        else
        {
            for (var c = 0; c < _columns.Length; c++)
            {
                chunks[c] = FlushColumn(c, rows);
            }
        }

        for (var c = 0; c < _columns.Length; c++)
        {
            var chunk = chunks[c];
            var offset = _sink.Position;
            chunk.MetaData.DataPageOffset += offset;
            if (chunk.MetaData.DictionaryPageOffset is { } d)
            {
                chunk.MetaData.DictionaryPageOffset = d + offset;
            }

            var stream = (MemoryStream)_columnSinks[c].Output;
            _sink.Write(stream.GetBuffer().AsSpan(0, (int)stream.Length));
            group.Columns.Add(chunk);
            group.TotalByteSize += chunk.MetaData.TotalUncompressedSize;
        }

        group.TotalCompressedSize = _sink.Position - start;
        _rowGroups.Add(group);
        _bufferedRows -= rows;
        _totalRows += rows;
    }

    private ColumnChunk FlushColumn(int c, int rows)
    {
        var column = _columns[c];
        var sink = _columnSinks[c];
        sink.Reset();

        // Nested columns are only ever flushed whole (rows come one at a time); flat ones
        // may be cut inside a batch, where a row is exactly one level entry.
        var entries = rows == _bufferedRows ? column.EntryCount : rows;
        return column.Flush(entries, sink);
    }

    private void WriteFooter()
    {
        var meta = new FileMetaData
        {
            Version = 1,
            Schema = Schema.ToElements(),
            NumRows = _totalRows,
            RowGroups = _rowGroups,
            CreatedBy = Options.CreatedBy,
            ColumnOrderCount = _columns.Length,
        };
        foreach (var kv in Options.KeyValueMetadata)
        {
            meta.KeyValueMetadata.Add(new ParquetKeyValue(kv.Key, kv.Value));
        }

        var w = new ThriftCompactWriter(4096);
        meta.Write(w);
        _sink.Write(w.Written);
        Span<byte> tail = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(tail, w.Length);
        Magic.CopyTo(tail[4..]);
        _sink.Write(tail);
        _sink.Output.Flush();
        Metadata = meta;
    }

    // ------------------------------------------------------------------ shredding (Dremel)

    private void ShredField(SchemaNode node, object? value, int parentDef, int rep)
    {
        if (node.IsRepeated)
        {
            ShredRepeated(node, value, parentDef, rep);
            return;
        }

        if (value is null)
        {
            if (!node.IsOptional)
            {
                throw new ArgumentException($"field '{node.Field.Name}' is required but the value is null");
            }

            AddNulls(node, parentDef, rep);
            return;
        }

        ShredPresent(node, value, rep);
    }

    private void ShredRepeated(SchemaNode node, object? value, int parentDef, int rep)
    {
        var any = false;
        if (value is not null)
        {
            var items = value is IDictionary dict && !node.IsListWrapper ? DictionaryEntries(dict) : AsEnumerable(node, value);
            foreach (var item in items)
            {
                ShredOccurrence(node, item, any ? node.Rep : rep);
                any = true;
            }
        }

        if (!any)
        {
            AddNulls(node, parentDef, rep);
        }
    }

    private static IEnumerable AsEnumerable(SchemaNode node, object value) => value is IEnumerable e && value is not string && value is not byte[]
        ? e
        : throw new ArgumentException($"field '{node.Field.Name}' is repeated; expected a list, got {value.GetType().Name}");

    private static IEnumerable DictionaryEntries(IDictionary dict)
    {
        foreach (DictionaryEntry entry in dict)
        {
            yield return new KeyValuePair<object?, object?>(entry.Key, entry.Value);
        }
    }

    /// <summary>One occurrence of a repeated field.</summary>
    private void ShredOccurrence(SchemaNode node, object? item, int rep)
    {
        if (node.IsListWrapper)
        {
            ShredField(node.Children[0], item, node.Def, rep);
            return;
        }

        if (item is null)
        {
            throw new ArgumentException($"repeated field '{node.Field.Name}' cannot hold a null element");
        }

        if (node.IsKeyValue && TryPair(item, out var key, out var val))
        {
            ShredField(node.Children[0], key, node.Def, rep);
            ShredField(node.Children[1], val, node.Def, rep);
            return;
        }

        ShredPresent(node, item, rep);
    }

    private static bool TryPair(object item, out object? key, out object? value)
    {
        switch (item)
        {
            case KeyValuePair<object?, object?> kv:
                key = kv.Key;
                value = kv.Value;
                return true;
            case DictionaryEntry de:
                key = de.Key;
                value = de.Value;
                return true;
            default:
                var t = item.GetType();
                if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(KeyValuePair<,>))
                {
                    key = t.GetProperty("Key")!.GetValue(item);
                    value = t.GetProperty("Value")!.GetValue(item);
                    return true;
                }

                key = value = null;
                return false;
        }
    }

    /// <summary>A present, non-repeated value of <paramref name="node"/> (or one occurrence of a repeated one).</summary>
    private void ShredPresent(SchemaNode node, object value, int rep)
    {
        switch (node.Field)
        {
            case ParquetPrimitiveField:
                _columns[node.FirstLeaf].AddObject(value, rep);
                return;
            case ParquetGroupField when node.IsList || node.IsMap:
                ShredRepeated(node.Children[0], value, node.Def, rep);
                return;
            default:
                var fields = value as object?[] ?? (value is IList list ? ToArray(list) : null)
                    ?? throw new ArgumentException($"field '{node.Field.Name}' is a struct; expected object?[], got {value.GetType().Name}");
                if (fields.Length != node.Children.Length)
                {
                    throw new ArgumentException($"struct '{node.Field.Name}' has {node.Children.Length} fields but the value has {fields.Length}");
                }

                // Only the first leaf entry of a record carries the incoming repetition level;
                // siblings still start at it because each leaf column has its own sequence.
                for (var i = 0; i < fields.Length; i++)
                {
                    ShredField(node.Children[i], fields[i], node.Def, rep);
                }

                return;
        }
    }

    private static object?[] ToArray(IList list)
    {
        var a = new object?[list.Count];
        list.CopyTo(a, 0);
        return a;
    }

    private void AddNulls(SchemaNode node, int def, int rep)
    {
        for (var i = node.FirstLeaf; i < node.FirstLeaf + node.LeafCount; i++)
        {
            _columns[i].AddNull(def, rep);
        }
    }
}
