using System.Text.Json.Nodes;
using Meshwork.Formats.Parquet;

namespace Meshwork.Formats.Tests.Parquet;

public class ParquetRoundTripTests
{
    public static TheoryData<ParquetCompression, bool> Codecs()
    {
        var data = new TheoryData<ParquetCompression, bool>();
        foreach (var c in new[] { ParquetCompression.Uncompressed, ParquetCompression.Snappy, ParquetCompression.Gzip, ParquetCompression.Zstd })
        {
            data.Add(c, true);
            data.Add(c, false);
        }

        return data;
    }

    internal static byte[] Write(ParquetSchema schema, IEnumerable<object?[]> rows, ParquetWriterOptions? options = null)
    {
        using var ms = new MemoryStream();
        using (var writer = new ParquetWriter(ms, schema, options, leaveOpen: true))
        {
            writer.Write(rows);
        }

        return ms.ToArray();
    }

    internal static void AssertSameRows(ParquetSchema schema, IEnumerable<object?[]> expected, IEnumerable<object?[]> actual)
    {
        var e = ParquetTestData.Normalize(schema, expected);
        var a = ParquetTestData.Normalize(schema, actual);
        Assert.True(ParquetTestData.JsonEquals(e, a, out var difference), difference);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void RoundTrip_FullSchema_ReadsBackEveryValue(ParquetCompression compression, bool dictionary)
    {
        var schema = ParquetTestData.FullSchema();
        var rows = ParquetTestData.Rows(schema, 700, seed: (int)compression * 10 + (dictionary ? 1 : 0));
        var options = new ParquetWriterOptions
        {
            Compression = compression,
            DictionaryEnabled = dictionary,
            PageSize = 2048,
            RowGroupSize = ParquetRowGroupSize.Rows(250),
        };
        var bytes = Write(schema, rows, options);
        using var reader = ParquetReader.FromBytes(bytes);
        Assert.Equal(3, reader.RowGroups.Count);
        Assert.Equal(700, reader.RowCount);
        AssertSameRows(schema, rows, reader.ReadAll());
        Assert.All(reader.RowGroups.SelectMany(g => g.Columns), c => Assert.Equal(compression, c.MetaData.Codec));
    }

    [Theory]
    [InlineData(ParquetCompression.Uncompressed)]
    [InlineData(ParquetCompression.Snappy)]
    [InlineData(ParquetCompression.Gzip)]
    [InlineData(ParquetCompression.Zstd)]
    public void RoundTrip_DataPageV2_ReadsBackEveryValue(ParquetCompression compression)
    {
        var schema = ParquetTestData.FullSchema();
        var rows = ParquetTestData.Rows(schema, 500, seed: 77 + (int)compression);
        var bytes = Write(schema, rows, new ParquetWriterOptions { Compression = compression, DataPageV2 = true, PageSize = 1500, RowGroupSize = ParquetRowGroupSize.Rows(200) });
        using var reader = ParquetReader.FromBytes(bytes);
        AssertSameRows(schema, rows, reader.ReadAll());
    }

    [Fact]
    public void Schema_RoundTrips_WithFieldIdsAndLogicalTypes()
    {
        var schema = ParquetTestData.FullSchema();
        var bytes = Write(schema, ParquetTestData.Rows(schema, 5, seed: 1));
        using var reader = ParquetReader.FromBytes(bytes);
        Assert.Equal(schema.Columns.Count, reader.Schema.Columns.Count);
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            var expected = schema.Columns[i];
            var actual = reader.Schema.Columns[i];
            Assert.Equal(expected.Path, actual.Path);
            Assert.Equal(expected.Field.FieldId, actual.Field.FieldId);
            Assert.Equal(expected.Field.PhysicalType, actual.Field.PhysicalType);
            Assert.Equal(expected.Field.LogicalType, actual.Field.LogicalType);
            Assert.Equal(expected.MaxDefinitionLevel, actual.MaxDefinitionLevel);
            Assert.Equal(expected.MaxRepetitionLevel, actual.MaxRepetitionLevel);
        }

        var d38 = reader.Schema.Columns.Single(c => c.Field.Name == "d38");
        Assert.Equal(ParquetPhysicalType.FixedLenByteArray, d38.Field.PhysicalType);
        Assert.Equal(16, d38.Field.TypeLength);
        Assert.StartsWith("meshwork version ", reader.CreatedBy);
        var tstz = reader.Metadata.Schema.Single(e => e.Name == "tstz");
        Assert.Equal(ParquetConvertedType.TimestampMicros, tstz.ConvertedType);
        var ts = reader.Metadata.Schema.Single(e => e.Name == "ts");
        Assert.Equal(ParquetConvertedType.TimestampMicros, ts.ConvertedType);
        Assert.False(ts.LogicalType!.IsAdjustedToUtc);
        var uid = reader.Metadata.Schema.Single(e => e.Name == "uid");
        Assert.Null(uid.ConvertedType);
    }

    [Fact]
    public void KeyValueMetadata_RoundTrips()
    {
        var schema = new ParquetSchema(ParquetField.Int32("a"));
        var bytes = Write(schema, [[1]], new ParquetWriterOptions { KeyValueMetadata = [new("iceberg.schema", "{\"type\":\"struct\"}"), new("k", "ü")] });
        using var reader = ParquetReader.FromBytes(bytes);
        Assert.Equal("{\"type\":\"struct\"}", reader.KeyValueMetadata["iceberg.schema"]);
        Assert.Equal("ü", reader.KeyValueMetadata["k"]);
    }

    [Fact]
    public void Statistics_UseTheLogicalOrder()
    {
        var schema = new ParquetSchema(
            ParquetField.Int32("i"),
            ParquetField.String("s"),
            ParquetField.Decimal("d", 30, 2),
            ParquetField.Double("f"),
            ParquetField.Int64("l"));
        object?[][] rows =
        [
            [-5, "zebra", -12.5m, 0.0, long.MinValue],
            [7, "Äpfel", 3.25m, double.NaN, 5L],
            [null, "apple", null, -1.5, null],
        ];
        var bytes = Write(schema, rows);
        using var reader = ParquetReader.FromBytes(bytes);
        var chunks = reader.RowGroups[0].Columns;
        object? Min(int c) => reader.DecodeStatistics(reader.Schema.Columns[c], chunks[c].MetaData.Statistics!).Min;
        object? Max(int c) => reader.DecodeStatistics(reader.Schema.Columns[c], chunks[c].MetaData.Statistics!).Max;
        Assert.Equal(-5, Min(0));
        Assert.Equal(7, Max(0));
        Assert.Equal(1L, chunks[0].MetaData.Statistics!.NullCount);
        Assert.Equal("apple", Min(1));
        Assert.Equal("Äpfel", Max(1)); // UTF-8 bytes compare unsigned: 0xC3 > 'z'
        Assert.Equal("-12.50", Min(2)!.ToString());
        Assert.Equal("3.25", Max(2)!.ToString());
        Assert.Equal(-1.5, Min(3));
        Assert.Equal(0.0, Max(3));
        Assert.Equal(long.MinValue, Min(4));
        Assert.Equal(0L, chunks[1].MetaData.Statistics!.NullCount);
    }

    [Fact]
    public void Dictionary_FallsBackToPlain_WhenTheDictionaryGrowsPastTheLimit()
    {
        var schema = new ParquetSchema(ParquetField.String("s", optional: false), ParquetField.Int64("small", optional: false));
        var rows = Enumerable.Range(0, 5000).Select(i => new object?[] { "unique-" + i, (long)(i % 3) }).ToList();
        var bytes = Write(schema, rows, new ParquetWriterOptions { DictionaryPageSizeLimit = 1000 });
        using var reader = ParquetReader.FromBytes(bytes);
        var columns = reader.RowGroups[0].Columns;
        Assert.DoesNotContain(ParquetEncoding.RleDictionary, columns[0].MetaData.Encodings);
        Assert.Null(columns[0].MetaData.DictionaryPageOffset);
        Assert.Contains(ParquetEncoding.RleDictionary, columns[1].MetaData.Encodings);
        Assert.NotNull(columns[1].MetaData.DictionaryPageOffset);
        AssertSameRows(schema, rows, reader.ReadAll());
    }

    [Fact]
    public void Columnar_WritesTheSameValuesAsRows()
    {
        var schema = new ParquetSchema(
            ParquetField.Int64("id", optional: false),
            ParquetField.Int32("n"),
            ParquetField.Double("x", optional: false),
            ParquetField.String("s"),
            ParquetField.Timestamp("t", utc: true),
            ParquetField.Decimal("d", 12, 3),
            ParquetField.Boolean("b", optional: false));
        const int Count = 10_000;
        var ids = new long[Count];
        var ns = new int[Count];
        var nNull = new bool[Count];
        var xs = new double[Count];
        var ss = new string?[Count];
        var ts = new DateTimeOffset[Count];
        var ds = new decimal[Count];
        var bs = new bool[Count];
        var expected = new List<object?[]>();
        for (var i = 0; i < Count; i++)
        {
            ids[i] = i;
            ns[i] = i * 7;
            nNull[i] = i % 5 == 0;
            xs[i] = i / 3.0;
            ss[i] = i % 7 == 0 ? null : "v" + (i % 100);
            ts[i] = DateTimeOffset.UnixEpoch.AddSeconds(i);
            ds[i] = i / 1000m;
            bs[i] = i % 2 == 0;
            expected.Add([(long)i, nNull[i] ? null : i * 7, i / 3.0, ss[i], ts[i], ds[i], bs[i]]);
        }

        using var ms = new MemoryStream();
        using (var writer = new ParquetWriter(ms, schema, new ParquetWriterOptions { RowGroupSize = ParquetRowGroupSize.Rows(3000), PageSize = 4096 }, leaveOpen: true))
        {
            for (var start = 0; start < Count; start += 2500)
            {
                var n = Math.Min(2500, Count - start);
                writer.WriteColumn<long>(0, ids.AsSpan(start, n));
                writer.WriteColumn<int>(1, ns.AsSpan(start, n), nNull.AsSpan(start, n));
                writer.WriteColumn<double>(2, xs.AsSpan(start, n));
                writer.WriteColumn(3, ss.AsSpan(start, n));
                writer.WriteColumn<DateTimeOffset>(4, ts.AsSpan(start, n));
                writer.WriteColumn<decimal>(5, ds.AsSpan(start, n));
                writer.WriteColumn<bool>(6, bs.AsSpan(start, n));
                writer.EndBatch();
            }
        }

        using var reader = ParquetReader.FromBytes(ms.ToArray());
        Assert.Equal(4, reader.RowGroups.Count);
        Assert.Equal([3000L, 3000L, 3000L, 1000L], reader.RowGroups.Select(g => g.NumRows));
        AssertSameRows(schema, expected, reader.ReadAll());
    }

    [Fact]
    public void RowGroupSize_InBytes_CutsRowGroups()
    {
        var schema = new ParquetSchema(ParquetField.String("s", optional: false));
        var rows = Enumerable.Range(0, 3000).Select(i => new object?[] { new string('a', 100) + i }).ToList();
        var bytes = Write(schema, rows, new ParquetWriterOptions { RowGroupSize = ParquetRowGroupSize.Bytes(50_000) });
        using var reader = ParquetReader.FromBytes(bytes);
        Assert.True(reader.RowGroups.Count >= 5, $"{reader.RowGroups.Count} row groups");
        AssertSameRows(schema, rows, reader.ReadAll());
    }

    [Theory]
    [InlineData(800, 1000)]
    [InlineData(4000, 250)]
    [InlineData(1 << 20, 400)]
    public void PageAndRowGroupSizes_FollowTheOptions(int pageSize, int rowGroupRows)
    {
        const int Rows = 2000;
        var schema = new ParquetSchema(ParquetField.Int64("v", optional: false));
        var rows = Enumerable.Range(0, Rows).Select(i => new object?[] { (long)i * 7919 }).ToList();
        var bytes = Write(schema, rows, new ParquetWriterOptions
        {
            Compression = ParquetCompression.Uncompressed,
            DictionaryEnabled = false,
            PageSize = pageSize,
            RowGroupSize = ParquetRowGroupSize.Rows(rowGroupRows),
        });
        using var reader = ParquetReader.FromBytes(bytes);
        Assert.Equal(Enumerable.Repeat((long)rowGroupRows, Rows / rowGroupRows), reader.RowGroups.Select(g => g.NumRows));

        // Each page holds at most PageSize bytes of 8-byte values, and pages are cut no earlier than that.
        var valuesPerPage = Math.Max(1, pageSize / sizeof(long));
        var expectedPages = (Rows / rowGroupRows) * (int)Math.Ceiling(rowGroupRows / (double)valuesPerPage);
        var pages = 0;
        foreach (var group in reader.RowGroups)
        {
            var meta = group.Columns[0].MetaData;
            var chunk = bytes.AsSpan((int)meta.DataPageOffset, (int)meta.TotalCompressedSize);
            while (!chunk.IsEmpty)
            {
                var r = new ThriftCompactReader(chunk, "page header");
                var header = PageHeader.Read(ref r);
                chunk = chunk[(r.Position + header.CompressedPageSize)..];
                pages++;
            }
        }

        Assert.InRange(pages, expectedPages, expectedPages + (Rows / rowGroupRows));
        AssertSameRows(schema, rows, reader.ReadAll());
    }

    [Fact]
    public void EmptyAndNullCollections_AreDistinguished()
    {
        var schema = new ParquetSchema(
            ParquetField.List("l", ParquetField.Int32("element")),
            ParquetField.List("r", ParquetField.String("element", optional: false), optional: false),
            ParquetField.Struct("s", [ParquetField.Int32("a")]));
        object?[][] rows =
        [
            [null, new List<object?>(), null],
            [new List<object?>(), new List<object?> { "x" }, new object?[] { null }],
            [new List<object?> { null }, new List<object?> { "y", "z" }, new object?[] { 1 }],
            [new List<object?> { 1, null, 3 }, new List<object?>(), null],
        ];
        var bytes = Write(schema, rows);
        using var reader = ParquetReader.FromBytes(bytes);
        AssertSameRows(schema, rows, reader.ReadAll());
    }

    [Fact]
    public void ManyPages_ManyRowGroups_NestedLists()
    {
        var schema = ParquetTestData.FullSchema();
        var rows = ParquetTestData.Rows(schema, 3000, seed: 99, nullRate: 0.3);
        var bytes = Write(schema, rows, new ParquetWriterOptions { PageSize = 256, RowGroupSize = ParquetRowGroupSize.Rows(1100), Compression = ParquetCompression.Zstd });
        using var reader = ParquetReader.FromBytes(bytes);
        Assert.Equal(3, reader.RowGroups.Count);
        AssertSameRows(schema, rows, reader.ReadAll());
    }

    [Fact]
    public void Writer_RejectsValuesThatDoNotFit()
    {
        var schema = new ParquetSchema(ParquetField.Decimal("d", 5, 2), ParquetField.Int32("i", optional: false));
        using var ms = new MemoryStream();
        using var writer = new ParquetWriter(ms, schema);
        Assert.Throws<ArgumentException>(() => writer.WriteRow([1234.5m, 1]));
        Assert.Throws<ArgumentException>(() => writer.WriteRow([1.234m, 1]));
        Assert.Throws<ArgumentException>(() => writer.WriteRow([1m, null]));
        Assert.Throws<ArgumentException>(() => writer.WriteRow([1m, "x"]));
    }

    [Fact]
    public void OtherTypes_RoundTrip()
    {
        var schema = new ParquetSchema(
            ParquetField.Time("time", fieldId: 1),
            ParquetField.Fixed("fixed", 3, fieldId: 2),
            ParquetField.Timestamp("before_epoch", utc: false),
            new ParquetPrimitiveField("u32", ParquetPhysicalType.Int32, ParquetRepetition.Optional, logicalType: ParquetLogicalType.Integer(32, isSigned: false)),
            new ParquetPrimitiveField("millis", ParquetPhysicalType.Int64, ParquetRepetition.Optional, logicalType: ParquetLogicalType.Timestamp(isAdjustedToUtc: true, ParquetTimeUnit.Millis)),
            ParquetField.Map("m", ParquetField.Int32("key", optional: false), ParquetField.String("value")));
        object?[][] rows =
        [
            [new TimeOnly(23, 59, 59, 999, 999), new byte[] { 1, 2, 3 }, new DateTime(1969, 12, 31, 23, 59, 59, 500), 4_000_000_000L, DateTimeOffset.FromUnixTimeMilliseconds(-1), new Dictionary<int, string?> { [1] = "a", [2] = null }],
            [TimeOnly.MinValue, new byte[] { 0, 0, 0 }, new DateTime(1, 1, 1), 0L, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), null],
        ];
        var bytes = Write(schema, rows);
        using var reader = ParquetReader.FromBytes(bytes);
        var back = reader.ReadAll();
        Assert.Equal(ParquetLogicalType.Timestamp(isAdjustedToUtc: false), reader.Schema.Columns[2].Field.LogicalType);
        Assert.Equal(new TimeOnly(23, 59, 59, 999, 999), back[0][0]);
        Assert.Equal(new byte[] { 1, 2, 3 }, back[0][1]);
        Assert.Equal(new DateTime(1969, 12, 31, 23, 59, 59, 500), back[0][2]);
        Assert.Equal(4_000_000_000L, back[0][3]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(-1), back[0][4]);
        Assert.Equal([new KeyValuePair<object?, object?>(1, "a"), new KeyValuePair<object?, object?>(2, null)], (List<KeyValuePair<object?, object?>>)back[0][5]!);
        Assert.Equal(new DateTime(1, 1, 1), back[1][2]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), back[1][4]);
        Assert.Null(back[1][5]);
    }

    [Fact]
    public void LegacyTwoLevelLists_AndBareRepeatedFields_RoundTrip()
    {
        var twoLevel = new ParquetGroupField("legacy", ParquetRepetition.Optional, 1,
            [new ParquetPrimitiveField("array", ParquetPhysicalType.Int32, ParquetRepetition.Repeated)], ParquetLogicalType.List);
        var tuple = new ParquetGroupField("pairs", ParquetRepetition.Optional, 2,
            [new ParquetGroupField("array", ParquetRepetition.Repeated, null, [ParquetField.String("s")])], ParquetLogicalType.List);
        var bare = new ParquetPrimitiveField("bare", ParquetPhysicalType.Int64, ParquetRepetition.Repeated, 3);
        var schema = new ParquetSchema(twoLevel, tuple, bare);
        object?[][] rows =
        [
            [new List<object?> { 1, 2 }, new List<object?> { new object?[] { "a" }, new object?[] { null } }, new List<object?> { 5L }],
            [null, null, new List<object?>()],
            [new List<object?>(), new List<object?>(), new List<object?> { 6L, 7L }],
        ];
        using var reader = ParquetReader.FromBytes(Write(schema, rows));
        var back = reader.ReadAll();
        Assert.Equal([1, 2], (List<object?>)back[0][0]!);
        Assert.Equal("a", ((object?[])((List<object?>)back[0][1]!)[0]!)[0]);
        Assert.Null(((object?[])((List<object?>)back[0][1]!)[1]!)[0]);
        Assert.Equal([5L], (List<object?>)back[0][2]!);
        Assert.Null(back[1][0]);
        Assert.Empty((List<object?>)back[1][2]!);
        Assert.Empty((List<object?>)back[2][0]!);
        Assert.Equal([6L, 7L], (List<object?>)back[2][2]!);
    }

    [Fact]
    public void EmptyFile_HasSchemaAndNoRows()
    {
        var schema = new ParquetSchema(ParquetField.Int32("a"));
        var bytes = Write(schema, []);
        using var reader = ParquetReader.FromBytes(bytes);
        Assert.Equal(0, reader.RowCount);
        Assert.Empty(reader.RowGroups);
        Assert.Empty(reader.ReadAll());
    }

    internal static JsonArray Normalize(ParquetSchema schema, IEnumerable<object?[]> rows) => ParquetTestData.Normalize(schema, rows);
}
