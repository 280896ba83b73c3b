using System.Text;
using Meshwork.Formats.Parquet;
using Meshwork.Lake.Data;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake.Tests;

/// <summary>The column metrics manifests carry, on the columnar path (flat schemas) and the row path (nested ones).</summary>
public class DataFileMetricsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Write_ComputesCountsAndBounds_AsTheSpecDefinesThem(bool nested)
    {
        List<NestedField> fields =
        [
            NestedField.Require(1, "id", PrimitiveType.Long),
            NestedField.Optional(2, "name", PrimitiveType.String),
            NestedField.Optional(3, "price", PrimitiveType.Double),
            NestedField.Optional(4, "amount", PrimitiveType.Decimal(9, 2)),
            NestedField.Optional(5, "at", PrimitiveType.TimestampTz),
        ];
        if (nested)
        {
            fields.Add(NestedField.Optional(6, "tags", new ListType(7, true, PrimitiveType.String)));
        }

        var schema = new IcebergSchema(0, fields);
        var longName = "zzzzzzzzzzzzzzzzzzzz-longer-than-sixteen";
        var at = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
        object?[][] rows =
        [
            [5L, "beta", 1.5, 10.25m, at, new List<object?> { "x" }],
            [-3L, null, double.NaN, -7.10m, null, null],
            [9L, longName, -0.0, null, at.AddDays(-2), new List<object?>()],
            [0L, "alpha", 0.0, 3m, at.AddDays(1), new List<object?> { "y", "z" }],
        ];
        if (!nested)
        {
            rows = [.. rows.Select(r => r[..5])];
        }

        var (bytes, file) = DataFiles.Write(schema, rows, new ParquetWriterOptions(), "file:///t/a.parquet");
        Assert.Equal(4, file.RecordCount);
        Assert.Equal(bytes.Length, file.FileSizeInBytes);
        Assert.Equal(4, file.ValueCounts![2]);
        Assert.Equal(1, file.NullValueCounts![2]);
        Assert.Equal(1, file.NanValueCounts![3]);
        Assert.Equal(-3L, Values.FromBytes(PrimitiveType.Long, file.LowerBounds![1]));
        Assert.Equal(9L, Values.FromBytes(PrimitiveType.Long, file.UpperBounds![1]));
        Assert.Equal("alpha", Values.FromBytes(PrimitiveType.String, file.LowerBounds[2]));

        // A truncated upper bound stays above the value: 16 characters with the last one incremented.
        Assert.Equal("zzzzzzzzzzzzzzz{", Encoding.UTF8.GetString(file.UpperBounds[2]));
        Assert.Equal(-0.0, Values.FromBytes(PrimitiveType.Double, file.LowerBounds[3]));
        Assert.True(double.IsNegative((double)Values.FromBytes(PrimitiveType.Double, file.LowerBounds[3])));
        Assert.Equal(1.5, Values.FromBytes(PrimitiveType.Double, file.UpperBounds[3]));
        Assert.Equal(-7.10m, Values.FromBytes(PrimitiveType.Decimal(9, 2), file.LowerBounds[4]));
        Assert.Equal(at.AddDays(-2), Values.FromBytes(PrimitiveType.TimestampTz, file.LowerBounds[5]));
        Assert.Equal(at.AddDays(1), Values.FromBytes(PrimitiveType.TimestampTz, file.UpperBounds[5]));
        Assert.All(Enumerable.Range(1, 5), id => Assert.True(file.ColumnSizes![id] > 0));
        Assert.Equal(rows.Select(r => r[0]), DataFiles.Read(bytes, schema, "a").Select(r => r[0]));
    }
}
