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
            foreach (var row in rows)
            {
                if (row.Length != schema.Fields.Count)
                {
                    throw new ArgumentException($"a row has {row.Length} values but the table schema has {schema.Fields.Count} columns ({string.Join(", ", schema.Fields.Select(f => f.Name))})");
                }

                var coerced = Coerce(schema.Struct, row);
                Track(schema.Struct, coerced, metrics);
                writer.WriteRow(coerced);
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
        var result = new object?[row.Length];
        for (var i = 0; i < row.Length; i++)
        {
            result[i] = CoerceValue(type.Fields[i].Type, row[i], type.Fields[i].Name);
        }

        return result;
    }

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
        // The spec orders -0.0 before +0.0, which IEEE comparison calls equal.
        if (type.Id is TypeId.Float or TypeId.Double)
        {
            var x = Convert.ToDouble(a, System.Globalization.CultureInfo.InvariantCulture);
            var y = Convert.ToDouble(b, System.Globalization.CultureInfo.InvariantCulture);
            return x == y ? double.IsNegative(x).CompareTo(double.IsNegative(y)) * -1 : x.CompareTo(y);
        }

        return Values.Compare(type, a, b);
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
