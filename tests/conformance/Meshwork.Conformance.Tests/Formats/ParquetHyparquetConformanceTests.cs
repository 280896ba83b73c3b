using Meshwork.Formats.Parquet;
using Meshwork.Formats.Tests.Parquet;
using Meshwork.Testing;
using static Meshwork.Conformance.Tests.Formats.ParquetConformanceTests;

namespace Meshwork.Conformance.Tests.Formats;

/// <summary>hyparquet reads our files (v1 and v2 pages) with identical values; a separate class so it runs beside the DuckDB ones.</summary>
public class ParquetHyparquetConformanceTests
{
    public static TheoryData<ParquetCompression, bool> Codecs() => ParquetConformanceTools.Codecs();

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Hyparquet_ReadsOurFiles_WithIdenticalValues(ParquetCompression compression, bool dictionary)
    {
        using var dir = new TempDirectory("parquet-hyparquet");
        var seed = ParquetConformanceTools.NewSeed();
        var (schema, rows, file) = WriteFile(dir, compression, dictionary, seed);
        var result = ParquetConformanceTools.HyparquetRead(file);
        AssertRows(ParquetTestData.Normalize(schema, rows), result["rows"]!.AsArray(), $"hyparquet (seed {seed})");
        var metadata = result["metadata"]!.AsObject();
        Assert.StartsWith("meshwork version ", metadata["created_by"]!.GetValue<string>());
        var byName = metadata["schema"]!.AsArray().Where(e => e!["name"]!.GetValue<string>() == "d38").Single()!;
        Assert.Equal(13, byName["field_id"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(ParquetCompression.Snappy)]
    [InlineData(ParquetCompression.Zstd)]
    [InlineData(ParquetCompression.Uncompressed)]
    public void DuckDbAndHyparquet_ReadOurDataPageV2Files(ParquetCompression compression)
    {
        using var dir = new TempDirectory("parquet-v2");
        var seed = ParquetConformanceTools.NewSeed();
        var (schema, rows, file) = WriteFile(dir, compression, dictionary: true, seed, v2: true);
        var expected = ParquetTestData.Normalize(schema, rows);
        AssertRows(expected, ParquetConformanceTools.DuckDbRead(file)["rows"]!.AsArray(), $"DuckDB (v2 pages, seed {seed})");
        AssertRows(expected, ParquetConformanceTools.HyparquetRead(file)["rows"]!.AsArray(), $"hyparquet (v2 pages, seed {seed})");
    }
}
