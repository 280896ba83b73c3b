using System.Buffers;
using System.Text;
using Meshwork.Formats.Parquet;
using Meshwork.Lake.Manifests;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake.Data;

/// <summary>
/// Writes rows to Parquet data (and delete) files with the column metrics manifests carry, and reads them back
/// projected onto a table schema by field id (so renamed, added and reordered columns read correctly).
/// </summary>
public static class DataFiles
{
    /// <summary>Bounds of strings and binary are cut to this many characters or bytes (Java's <c>truncate(16)</c> default).</summary>
    public const int BoundLength = 16;

    /// <summary>
    /// Writes <paramref name="rows"/> (one value per top-level field of <paramref name="schema"/>) and returns the file bytes and
    /// its <see cref="DataFile"/> (content, record count, size, column sizes, value/null/NaN counts, bounds, split offsets).
    /// </summary>
    public static (byte[] Bytes, DataFile File) Write(IcebergSchema schema, IReadOnlyList<object?[]> rows, ParquetWriterOptions options, string path,
        FileContent content = FileContent.Data, int specId = 0, IReadOnlyList<object?>? partition = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        var parquet = ParquetSchemas.ToParquet(schema);
        var metrics = new Dictionary<int, ColumnMetrics>();
        using var stream = new MemoryStream();
        FileMetaData footer;
        var writerOptions = options with { KeyValueMetadata = [.. options.KeyValueMetadata.Where(kv => kv.Key != "iceberg.schema"), new("iceberg.schema", schema.ToJson())] };
        using (var writer = new ParquetWriter(stream, parquet, writerOptions, leaveOpen: true))
        {
            // Flat schemas go through the columnar path (no per-value shredding), in batches of typed arrays.
            var columnar = parquet.IsFlat;
            var batch = new List<object?[]>(columnar ? ColumnarBatch : 0);
            foreach (var row in rows)
            {
                if (row.Length != schema.Fields.Count)
                {
                    throw new ArgumentException($"a row has {row.Length} values but the table schema has {schema.Fields.Count} columns ({string.Join(", ", schema.Fields.Select(f => f.Name))})");
                }

                var coerced = Coerce(schema.Struct, row);
                if (!columnar)
                {
                    Track(schema.Struct, coerced, metrics);
                    writer.WriteRow(coerced);
                    continue;
                }

                batch.Add(coerced);
                if (batch.Count == ColumnarBatch)
                {
                    WriteBatch(writer, schema, batch, metrics);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                WriteBatch(writer, schema, batch, metrics);
            }

            writer.Dispose();
            footer = writer.Metadata!;
        }

        var columnSizes = new Dictionary<int, long>();
        var valueCounts = new Dictionary<int, long>();
        var nullCounts = new Dictionary<int, long>();
        foreach (var group in footer.RowGroups)
        {
            for (var c = 0; c < group.Columns.Count; c++)
            {
                if (parquet.Columns[c].Field.FieldId is not { } id)
                {
                    continue;
                }

                var meta = group.Columns[c].MetaData;
                columnSizes[id] = columnSizes.GetValueOrDefault(id) + meta.TotalCompressedSize;
                valueCounts[id] = valueCounts.GetValueOrDefault(id) + meta.NumValues;
                if (meta.Statistics?.NullCount is { } n)
                {
                    nullCounts[id] = nullCounts.GetValueOrDefault(id) + n;
                }
            }
        }

        var lower = new Dictionary<int, byte[]>();
        var upper = new Dictionary<int, byte[]>();
        var nans = new Dictionary<int, long>();
        foreach (var (id, m) in metrics)
        {
            valueCounts[id] = m.Values;
            nullCounts[id] = m.Nulls;
            if (m.Type.Id is TypeId.Float or TypeId.Double)
            {
                nans[id] = m.Nans;
            }

            if (m.Lower is { } lo && LowerBound(m.Type, lo) is { } lb)
            {
                lower[id] = lb;
            }

            if (m.Upper is { } hi && UpperBound(m.Type, hi) is { } ub)
            {
                upper[id] = ub;
            }
        }

        var bytes = stream.ToArray();
        var file = new DataFile
        {
            Content = content,
            Path = path,
            Format = "PARQUET",
            SpecId = specId,
            Partition = partition ?? [],
            RecordCount = rows.Count,
            FileSizeInBytes = bytes.Length,
            ColumnSizes = columnSizes,
            ValueCounts = valueCounts,
            NullValueCounts = nullCounts,
            NanValueCounts = nans,
            LowerBounds = lower,
            UpperBounds = upper,
            SplitOffsets = [.. footer.RowGroups.Select(g => g.FileOffset ?? g.Columns[0].MetaData.DataPageOffset)],
            SortOrderId = content == FileContent.PositionDeletes ? null : 0,
        };
        return (bytes, file);
    }

    // Small enough that a batch's typed arrays stay off the large object heap (they are pooled too): with millions
    // of live rows, large-object garbage would cost full collections.
    private const int ColumnarBatch = 8192;

    private static void WriteBatch(ParquetWriter writer, IcebergSchema schema, List<object?[]> rows, Dictionary<int, ColumnMetrics> metrics)
    {
        var columns = new ColumnMetrics[schema.Fields.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            var field = schema.Fields[c];
            if (!metrics.TryGetValue(field.Id, out var m))
            {
                metrics[field.Id] = m = new ColumnMetrics((PrimitiveType)field.Type);
            }

            columns[c] = m;
        }

        // Turning rows into typed columns (and their metrics) is independent per column: one column per core.
        var writes = new Action[columns.Length];
        if (rows.Count >= ParallelBatchRows && Environment.ProcessorCount > 1)
        {
            Parallel.For(0, columns.Length, c => writes[c] = Prepare(schema, c, rows, columns[c]));
        }
        else
        {
            for (var c = 0; c < columns.Length; c++)
            {
                writes[c] = Prepare(schema, c, rows, columns[c]);
            }
        }

        foreach (var write in writes)
        {
            write();
        }

        writer.EndBatch();

        Action Prepare(IcebergSchema schema, int c, List<object?[]> rows, ColumnMetrics m)
        {
            var type = (PrimitiveType)schema.Fields[c].Type;
            switch (type.Id)
            {
                case TypeId.Boolean: return Column<bool>(writer, c, rows, m);
                case TypeId.Int: return Column<int>(writer, c, rows, m);
                case TypeId.Long: return Column<long>(writer, c, rows, m);
                case TypeId.Float: return Column<float>(writer, c, rows, m);
                case TypeId.Double: return Column<double>(writer, c, rows, m);
                case TypeId.Date: return Column<DateOnly>(writer, c, rows, m);
                case TypeId.Time: return Column<TimeOnly>(writer, c, rows, m);
                case TypeId.Timestamp: return Column<DateTime>(writer, c, rows, m);
                case TypeId.TimestampTz: return Column<DateTimeOffset>(writer, c, rows, m);
                case TypeId.Decimal when rows.All(r => r[c] is null or decimal): return Column<decimal>(writer, c, rows, m);
                case TypeId.String:
                    var strings = new string?[rows.Count];
                    for (var i = 0; i < strings.Length; i++)
                    {
                        strings[i] = (string?)rows[i][c];
                    }

                    TrackObjects(type, strings, m);
                    return () => writer.WriteColumn(c, strings);
                case TypeId.Binary or TypeId.Fixed:
                    var bytes = rows.Select(r => (byte[]?)r[c]).ToArray();
                    TrackObjects(type, bytes, m);
                    return () => writer.WriteColumn(c, bytes);
                default:
                    // Uuids and wide decimals: typed, without the per-column fast metrics.
                    var values = rows.Select(r => r[c]).ToArray();
                    TrackObjects(type, values, m);
                    return type.Id == TypeId.Uuid
                        ? Structs(writer, c, values, v => (Guid)v)
                        : Structs(writer, c, values, v => v as ParquetDecimal? ?? ParquetDecimal.FromDecimal((decimal)v));
            }
        }
    }

    private const int ParallelBatchRows = 4096;

    /// <summary>Builds a typed column and its metrics in one pass (no boxing, no per-value lookups); returns the write.</summary>
    private static Action Column<T>(ParquetWriter writer, int column, List<object?[]> rows, ColumnMetrics metrics)
        where T : struct, IComparable<T>
    {
        var count = rows.Count;
        var values = ArrayPool<T>.Shared.Rent(count);
        var nulls = ArrayPool<bool>.Shared.Rent(count);
        var anyNull = false;
        long nullCount = 0, nanCount = 0;
        T min = default, max = default;
        var any = metrics.Lower is not null;
        if (any)
        {
            (min, max) = ((T)metrics.Lower!, (T)metrics.Upper!);
        }

        for (var i = 0; i < count; i++)
        {
            var v = rows[i][column];
            nulls[i] = v is null;
            if (v is null)
            {
                values[i] = default;
                anyNull = true;
                nullCount++;
                continue;
            }

            var t = (T)v;
            values[i] = t;
            if ((typeof(T) == typeof(double) && double.IsNaN((double)(object)t)) || (typeof(T) == typeof(float) && float.IsNaN((float)(object)t)))
            {
                nanCount++;
                continue;
            }

            if (!any)
            {
                (min, max, any) = (t, t, true);
            }
            else if (Less(t, min))
            {
                min = t;
            }
            else if (Less(max, t))
            {
                max = t;
            }
        }

        metrics.Values += count;
        metrics.Nulls += nullCount;
        metrics.Nans += nanCount;
        if (any)
        {
            (metrics.Lower, metrics.Upper) = (min, max);
        }

        return () =>
        {
            try
            {
                writer.WriteColumn<T>(column, values.AsSpan(0, count), anyNull ? nulls.AsSpan(0, count) : default);
            }
            finally
            {
                ArrayPool<T>.Shared.Return(values);
                ArrayPool<bool>.Shared.Return(nulls);
            }
        };
    }

    private static bool Less<T>(T a, T b)
        where T : struct, IComparable<T>
    {
        // The spec orders -0.0 before +0.0, which IEEE comparison calls equal.
        if (typeof(T) == typeof(double))
        {
            var (x, y) = ((double)(object)a, (double)(object)b);
            return x < y || (x == y && double.IsNegative(x) && !double.IsNegative(y));
        }

        if (typeof(T) == typeof(float))
        {
            var (x, y) = ((float)(object)a, (float)(object)b);
            return x < y || (x == y && float.IsNegative(x) && !float.IsNegative(y));
        }

        return a.CompareTo(b) < 0;
    }

    private static void TrackObjects(PrimitiveType type, object?[] values, ColumnMetrics m)
    {
        m.Values += values.Length;
        foreach (var value in values)
        {
            if (value is null)
            {
                m.Nulls++;
            }
            else if (m.Lower is null)
            {
                (m.Lower, m.Upper) = (value, value);
            }

            // Repeated values are often the same instance (dictionary-like columns): no comparison needed.
            else if (!ReferenceEquals(value, m.Lower) && !ReferenceEquals(value, m.Upper))
            {
                if (Compare(type, value, m.Lower) < 0)
                {
                    m.Lower = value;
                }
                else if (Compare(type, value, m.Upper!) > 0)
                {
                    m.Upper = value;
                }
            }
        }
    }

    private static Action Structs<T>(ParquetWriter writer, int column, object?[] values, Func<object, T> convert)
        where T : struct
    {
        var typed = new T[values.Length];
        var nulls = new bool[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } v)
            {
                typed[i] = convert(v);
            }
            else
            {
                nulls[i] = true;
            }
        }

        return () => writer.WriteColumn<T>(column, typed, nulls);
    }

    /// <summary>
    /// Reads a data file's rows projected onto <paramref name="projection"/>: columns are matched by field id (by name when the
    /// file has no ids), missing columns read as null, int widens to long and float to double.
    /// </summary>
    public static List<object?[]> Read(byte[] bytes, IcebergSchema projection, string location)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(projection);
        try
        {
            using var reader = ParquetReader.FromBytes(bytes);
            var fileFields = reader.Schema.Fields;
            var rows = reader.ReadAll();
            var plan = PlanStruct(projection.Struct.Fields, fileFields);
            var result = new List<object?[]>(rows.Count);
            foreach (var row in rows)
            {
                result.Add(ProjectStruct(plan, row));
            }

            return result;
        }
        catch (ParquetFormatException e)
        {
            throw new ParquetFormatException($"{location}: {e.Message}", e);
        }
    }

    private sealed record FieldPlan(NestedField Target, int SourceIndex, ParquetField? Source, object? Nested);

    private static FieldPlan[] PlanStruct(IReadOnlyList<NestedField> targets, IReadOnlyList<ParquetField> sources)
    {
        var plan = new FieldPlan[targets.Count];
        var anyIds = sources.Any(s => s.FieldId is not null);
        for (var i = 0; i < targets.Count; i++)
        {
            var t = targets[i];
            var index = -1;
            for (var j = 0; j < sources.Count; j++)
            {
                if (anyIds ? sources[j].FieldId == t.Id : sources[j].Name == t.Name)
                {
                    index = j;
                    break;
                }
            }

            var source = index >= 0 ? sources[index] : null;
            plan[i] = new FieldPlan(t, index, source, source is null ? null : PlanNested(t.Type, source));
        }

        return plan;
    }

    private static object? PlanNested(IcebergType type, ParquetField source) => (type, source) switch
    {
        (StructType s, ParquetGroupField g) when !g.IsList && !g.IsMap => PlanStruct(s.Fields, g.Children),
        (ListType l, ParquetGroupField g) when g.IsList => ElementField(g) is { } e ? PlanNested(l.Element, e) : null,
        (MapType m, ParquetGroupField g) when g.IsMap && g.Children[0] is ParquetGroupField kv && kv.Children.Count == 2 => (PlanNested(m.Key, kv.Children[0]), PlanNested(m.Value, kv.Children[1])),
        _ => null,
    };

    private static ParquetField? ElementField(ParquetGroupField list) =>
        list.Children[0] is ParquetGroupField { Children.Count: 1 } wrapper ? wrapper.Children[0] : list.Children[0];

    private static object?[] ProjectStruct(FieldPlan[] plan, object?[] values)
    {
        var result = new object?[plan.Length];
        for (var i = 0; i < plan.Length; i++)
        {
            var p = plan[i];
            result[i] = p.SourceIndex < 0 ? null : ProjectValue(p.Target.Type, p.Nested, values[p.SourceIndex]);
        }

        return result;
    }

    private static object? ProjectValue(IcebergType type, object? plan, object? value)
    {
        if (value is null)
        {
            return null;
        }

        switch (type)
        {
            case StructType when plan is FieldPlan[] fields:
                return ProjectStruct(fields, (object?[])value);
            case ListType l:
                var list = new List<object?>();
                foreach (var item in (System.Collections.IEnumerable)value)
                {
                    list.Add(ProjectValue(l.Element, plan, item));
                }

                return list;
            case MapType m:
                var (keyPlan, valuePlan) = plan is ValueTuple<object?, object?> t ? t : (null, null);
                var map = new List<KeyValuePair<object?, object?>>();
                foreach (var entry in (IEnumerable<KeyValuePair<object?, object?>>)value)
                {
                    map.Add(new(ProjectValue(m.Key, keyPlan, entry.Key), ProjectValue(m.Value, valuePlan, entry.Value)));
                }

                return map;
            case PrimitiveType p:
                return Values.Coerce(p, value);
            default:
                return value;
        }
    }

    private static object?[] Coerce(StructType type, object?[] row)
    {
        // Most rows already hold the model's types: copy only when a value actually changes.
        object?[]? result = null;
        for (var i = 0; i < row.Length; i++)
        {
            var value = row[i];
            var coerced = value is null || IsModelType(type.Fields[i].Type, value) ? value : CoerceValue(type.Fields[i].Type, value, type.Fields[i].Name);
            if (!ReferenceEquals(coerced, value) && result is null)
            {
                result = (object?[])row.Clone();
            }

            if (result is not null)
            {
                result[i] = coerced;
            }
        }

        return result ?? row;
    }

    private static bool IsModelType(IcebergType type, object value) => type is PrimitiveType p && p.Id switch
    {
        TypeId.Long => value is long,
        TypeId.Int => value is int,
        TypeId.Double => value is double,
        TypeId.Float => value is float,
        TypeId.String => value is string,
        TypeId.Boolean => value is bool,
        TypeId.Decimal => value is decimal or ParquetDecimal,
        TypeId.TimestampTz => value is DateTimeOffset,
        TypeId.Timestamp => value is DateTime,
        TypeId.Date => value is DateOnly,
        TypeId.Uuid => value is Guid,
        TypeId.Binary or TypeId.Fixed => value is byte[],
        TypeId.Time => value is TimeOnly,
        _ => false,
    };

    private static object? CoerceValue(IcebergType type, object? value, string name)
    {
        if (value is null)
        {
            return null;
        }

        return type switch
        {
            PrimitiveType p => Values.Coerce(p, value),
            StructType s => value is object?[] a && a.Length == s.Fields.Count
                ? Coerce(s, a)
                : throw new ArgumentException($"column '{name}' is a struct of {s.Fields.Count} fields; expected object?[] of that length"),
            ListType l => ((System.Collections.IEnumerable)value).Cast<object?>().Select(v => CoerceValue(l.Element, v, name + ".element")).ToList(),
            _ => value,
        };
    }

    private sealed class ColumnMetrics(PrimitiveType type)
    {
        public PrimitiveType Type { get; } = type;

        public long Values { get; set; }

        public long Nulls { get; set; }

        public long Nans { get; set; }

        public object? Lower { get; set; }

        public object? Upper { get; set; }
    }

    private static void Track(StructType type, object?[]? values, Dictionary<int, ColumnMetrics> metrics)
    {
        for (var i = 0; i < type.Fields.Count; i++)
        {
            var field = type.Fields[i];
            var value = values?[i];
            switch (field.Type)
            {
                case StructType s:
                    Track(s, value as object?[], metrics);
                    break;
                case PrimitiveType p:
                    if (!metrics.TryGetValue(field.Id, out var m))
                    {
                        metrics[field.Id] = m = new ColumnMetrics(p);
                    }

                    m.Values++;
                    if (value is null)
                    {
                        m.Nulls++;
                    }
                    else if (value is double.NaN or float.NaN)
                    {
                        m.Nans++;
                    }
                    else
                    {
                        if (m.Lower is null || Compare(p, value, m.Lower) < 0)
                        {
                            m.Lower = value;
                        }

                        if (m.Upper is null || Compare(p, value, m.Upper) > 0)
                        {
                            m.Upper = value;
                        }
                    }

                    break;
            }
        }
    }

    private static int Compare(PrimitiveType type, object a, object b)
    {
        // Typed fast paths first: this runs twice per value of every written column.
        switch (a, b)
        {
            case (long x, long y):
                return x.CompareTo(y);
            case (int x, int y):
                return x.CompareTo(y);
            case (decimal x, decimal y):
                return x.CompareTo(y);
            case (DateTimeOffset x, DateTimeOffset y):
                return x.UtcTicks.CompareTo(y.UtcTicks);
            case (DateTime x, DateTime y):
                return x.Ticks.CompareTo(y.Ticks);
            case (bool x, bool y):
                return x.CompareTo(y);
            case (string x, string y):
                return CompareStrings(x, y);
        }

        // The spec orders -0.0 before +0.0, which IEEE comparison calls equal.
        if (type.Id is TypeId.Float or TypeId.Double)
        {
            var x = Convert.ToDouble(a, System.Globalization.CultureInfo.InvariantCulture);
            var y = Convert.ToDouble(b, System.Globalization.CultureInfo.InvariantCulture);
            return x == y ? double.IsNegative(x).CompareTo(double.IsNegative(y)) * -1 : x.CompareTo(y);
        }

        return Values.Compare(type, a, b);
    }

    /// <summary>UTF-8 byte order: UTF-16 ordinal order except where a surrogate meets a char at or above U+E000.</summary>
    private static int CompareStrings(string a, string b)
    {
        var common = a.AsSpan().CommonPrefixLength(b);
        if (common == a.Length || common == b.Length)
        {
            return a.Length.CompareTo(b.Length);
        }

        var (x, y) = (a[common], b[common]);
        return x < 0xD800 && y < 0xD800 ? x.CompareTo(y) : Values.Compare(PrimitiveType.String, a[common..], b[common..]);
    }

    private static byte[]? LowerBound(PrimitiveType type, object value) => type.Id switch
    {
        TypeId.String => Encoding.UTF8.GetBytes(TruncateString((string)value)),
        TypeId.Binary => ((byte[])value).Length <= BoundLength ? (byte[])value : ((byte[])value)[..BoundLength],
        _ => Values.ToBytes(type, value),
    };

    private static byte[]? UpperBound(PrimitiveType type, object value)
    {
        switch (type.Id)
        {
            case TypeId.String:
                var s = (string)value;
                var cut = TruncateString(s);
                if (cut.Length == s.Length)
                {
                    return Encoding.UTF8.GetBytes(s);
                }

                // A truncated upper bound must stay above every value: increment its last code point that can be.
                var runes = cut.EnumerateRunes().ToList();
                for (var i = runes.Count - 1; i >= 0; i--)
                {
                    var next = runes[i].Value + 1;
                    if (next is >= 0xD800 and <= 0xDFFF)
                    {
                        next = 0xE000;
                    }

                    if (next <= 0x10FFFF)
                    {
                        return Encoding.UTF8.GetBytes(string.Concat(runes.Take(i).Select(r => r.ToString())) + new Rune(next));
                    }
                }

                return null;
            case TypeId.Binary:
                var b = (byte[])value;
                if (b.Length <= BoundLength)
                {
                    return b;
                }

                var head = b[..BoundLength];
                for (var i = head.Length - 1; i >= 0; i--)
                {
                    if (head[i] != 0xFF)
                    {
                        head[i]++;
                        return head[..(i + 1)];
                    }
                }

                return null;
            default:
                return Values.ToBytes(type, value);
        }
    }

    private static string TruncateString(string s)
    {
        var count = 0;
        var end = 0;
        foreach (var rune in s.EnumerateRunes())
        {
            if (count++ == BoundLength)
            {
                break;
            }

            end += rune.Utf16SequenceLength;
        }

        return s[..end];
    }
}
