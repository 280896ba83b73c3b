using System.Text.Json.Nodes;
using Meshwork.Formats.Parquet;
using Meshwork.Formats.Tests.Parquet;
using Meshwork.Testing;
using static Meshwork.Conformance.Tests.Formats.ParquetConformanceTests;

namespace Meshwork.Conformance.Tests.Formats;

/// <summary>Our reader reads files DuckDB writes (v1 and v2 pages, every codec, nested types) with the values DuckDB reports.</summary>
public class ParquetDuckDbFileTests
{
    public static TheoryData<string> DuckDbCompressions() => new("uncompressed", "snappy", "gzip", "zstd");

    [Theory]
    [MemberData(nameof(DuckDbCompressions))]
    public void OurReader_ReadsDuckDbFiles_WithTheValuesDuckDbReports(string compression)
    {
        using var dir = new TempDirectory("parquet-from-duckdb");
        var file = dir.Combine($"duck-{compression}.parquet");
        var duckRows = ParquetConformanceTools.DuckDbWrite(file, DuckDbQuery, compression, rowGroupSize: 1000);
        using var reader = ParquetReader.Open(file);
        var ours = ParquetTestData.Normalize(reader.Schema, reader.ReadAll());
        AssertRows(duckRows, ours, $"our reader vs DuckDB ({compression})");
        Assert.True(reader.RowGroups.Count >= 2);
    }

    [Theory]
    [InlineData("snappy")]
    [InlineData("zstd")]
    public void OurReader_ReadsDuckDbV2Files_WithDeltaEncodings(string compression)
    {
        using var dir = new TempDirectory("parquet-from-duckdb-v2");
        var file = dir.Combine($"duck-v2-{compression}.parquet");
        var result = ParquetConformanceTools.DuckDbWriteResult(file, DuckDbQuery, compression, rowGroupSize: 1000, parquetVersion: "V2");
        using var reader = ParquetReader.Open(file);
        var ours = ParquetTestData.Normalize(reader.Schema, reader.ReadAll());
        AssertRows(result["rows"]!.AsArray(), ours, $"our reader vs DuckDB V2 ({compression})");
        var encodings = string.Join(",", result["encodings"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Contains("DELTA", encodings);
    }

    [Fact]
    public void OurReader_ReadsDuckDbFieldIds()
    {
        using var dir = new TempDirectory("parquet-duckdb-ids");
        var file = dir.Combine("ids.parquet");
        ParquetConformanceTools.Run(new JsonObject
        {
            ["op"] = "duckdb-write",
            ["file"] = file,
            ["sql"] = "SELECT 1::INTEGER AS a, 'x' AS b",
            ["compression"] = "zstd",
        });
        using var reader = ParquetReader.Open(file);
        Assert.Equal(["a", "b"], reader.Schema.Fields.Select(f => f.Name));
    }
}
