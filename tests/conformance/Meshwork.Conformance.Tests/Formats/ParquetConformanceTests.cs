using System.Text.Json.Nodes;
using Meshwork.Formats.Parquet;
using Meshwork.Formats.Tests.Parquet;
using Meshwork.Testing;

namespace Meshwork.Conformance.Tests.Formats;

/// <summary>Files we write are read by DuckDB and hyparquet with identical values; DuckDB's files read identically through our reader.</summary>
public class ParquetConformanceTests
{
    public static TheoryData<ParquetCompression, bool> Codecs() => ParquetConformanceTools.Codecs();

    internal static (ParquetSchema Schema, List<object?[]> Rows, string File) WriteFile(TempDirectory dir, ParquetCompression compression, bool dictionary, int seed, bool v2 = false)
    {
        var schema = ParquetTestData.FullSchema();
        var rows = ParquetTestData.Rows(schema, 400, seed);
        var file = dir.Combine($"ours-{compression}-{dictionary}-{v2}.parquet");
        File.WriteAllBytes(file, ParquetConformanceTools.Write(schema, rows, new ParquetWriterOptions
        {
            Compression = compression,
            DictionaryEnabled = dictionary,

            // Small enough that wide columns (uuids, long strings) fall back to PLAIN while narrow ones keep their dictionary.
            DictionaryPageSizeLimit = 600,
            DataPageV2 = v2,
            PageSize = 1024,
            RowGroupSize = ParquetRowGroupSize.Rows(150),
            KeyValueMetadata = [new("iceberg.schema", "{\"type\":\"struct\",\"schema-id\":0}")],
        }));
        return (schema, rows, file);
    }

    internal static void AssertRows(JsonArray expected, JsonArray actual, string who)
    {
        Assert.True(ParquetTestData.JsonEquals(expected, actual, out var difference), $"{who}: {difference}");
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void DuckDb_ReadsOurFiles_WithIdenticalValuesAndFieldIds(ParquetCompression compression, bool dictionary)
    {
        using var dir = new TempDirectory("parquet-duckdb");
        var seed = ParquetConformanceTools.NewSeed();
        var (schema, rows, file) = WriteFile(dir, compression, dictionary, seed);
        var result = ParquetConformanceTools.DuckDbRead(file);
        AssertRows(ParquetTestData.Normalize(schema, rows), result["rows"]!.AsArray(), $"DuckDB (seed {seed})");

        var elements = result["schema"]!.AsArray();
        using var ours = ParquetReader.Open(file);
        var expected = ours.Metadata.Schema;
        Assert.Equal(expected.Count, elements.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Name, elements[i]!["name"]!.GetValue<string>());
            Assert.Equal(expected[i].FieldId?.ToString(System.Globalization.CultureInfo.InvariantCulture), elements[i]!["field_id"]?.ToString());
        }

        var tstz = elements.Single(e => e!["name"]!.GetValue<string>() == "tstz")!;
        Assert.Contains("isAdjustedToUTC=1", tstz["logical_type"]!.GetValue<string>());
        var ts = elements.Single(e => e!["name"]!.GetValue<string>() == "ts")!;
        Assert.Contains("isAdjustedToUTC=0", ts["logical_type"]!.GetValue<string>());
        Assert.Contains(result["kv"]!.AsArray(), kv => kv!["key"]!.GetValue<string>() == "iceberg.schema");

        var codecName = compression == ParquetCompression.Uncompressed ? "UNCOMPRESSED" : compression.ToString().ToUpperInvariant();
        Assert.All(result["metadata"]!.AsArray(), m => Assert.Equal(codecName, m!["compression"]!.GetValue<string>()));
    }

    [Fact]
    public void DuckDb_StatisticsAgreeWithTheData()
    {
        using var dir = new TempDirectory("parquet-stats");
        var schema = new ParquetSchema(
            ParquetField.Int32("i", fieldId: 1),
            ParquetField.String("s", fieldId: 2),
            ParquetField.Decimal("d", 20, 2, fieldId: 3),
            ParquetField.Timestamp("t", utc: true, fieldId: 4));
        object?[][] rows =
        [
            [-5, "zebra", -12.5m, DateTimeOffset.UnixEpoch],
            [7, "Äpfel", 3.25m, DateTimeOffset.UnixEpoch.AddDays(1)],
            [null, "apple", null, null],
        ];
        var file = dir.Combine("stats.parquet");
        File.WriteAllBytes(file, ParquetConformanceTools.Write(schema, rows));
        var metadata = ParquetConformanceTools.DuckDbRead(file)["metadata"]!.AsArray();
        JsonNode Column(string name) => metadata.Single(m => m!["path_in_schema"]!.GetValue<string>() == name)!;
        Assert.Equal("-5", Column("i")["stats_min_value"]!.GetValue<string>());
        Assert.Equal("7", Column("i")["stats_max_value"]!.GetValue<string>());
        Assert.Equal("1", Column("i")["stats_null_count"]!.ToString());
        Assert.Equal("apple", Column("s")["stats_min_value"]!.GetValue<string>());
        Assert.Equal("Äpfel", Column("s")["stats_max_value"]!.GetValue<string>());
        Assert.Equal("-12.50", Column("d")["stats_min_value"]!.GetValue<string>());
        Assert.Equal("3.25", Column("d")["stats_max_value"]!.GetValue<string>());
    }

    internal const string DuckDbQuery = """
        SELECT
          i::BIGINT AS id,
          CASE WHEN i % 7 = 0 THEN NULL ELSE i % 3 = 0 END AS flag,
          CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 7919) % 100000 - 50000 END::INTEGER AS n,
          (i % 100)::TINYINT AS tiny,
          ((i * 31) % 30000)::SMALLINT AS small,
          (i / 7.0)::FLOAT AS f32,
          CASE WHEN i % 11 = 0 THEN NULL ELSE i * 1.5e3 END::DOUBLE AS f64,
          CASE WHEN i % 13 = 0 THEN NULL ELSE 'name-' || (i % 50) || ' ü東' END AS name,
          ('\x' || lpad(to_hex(i % 256), 2, '0'))::BLOB AS bin,
          (i * 1.25 - 300)::DECIMAL(9, 2) AS d9,
          (i * 123456.789 - 1e8)::DECIMAL(18, 3) AS d18,
          CASE WHEN i % 9 = 0 THEN NULL ELSE (i::DECIMAL(38,0) * 1000000000000000000000::DECIMAL(38,0) + i)::DECIMAL(38, 4) END AS d38,
          DATE '1970-01-01' + (i * 37 - 20000)::INTEGER AS day,
          TIMESTAMP '2001-02-03 04:05:06.789012' + to_microseconds(i * 1234567891) AS ts,
          TIMESTAMPTZ '1999-12-31 23:59:59.999999+00' - to_microseconds(i * 987654321) AS tstz,
          CASE WHEN i % 4 = 0 THEN NULL ELSE md5(i::VARCHAR)::UUID END AS uid,
          CASE WHEN i % 6 = 0 THEN NULL ELSE {'street': 'Main ' || i, 'zip': i % 1000, 'geo': {'lat': i / 10.0, 'lon': CASE WHEN i % 2 = 0 THEN NULL ELSE -i / 10.0 END}} END AS address,
          CASE WHEN i % 8 = 0 THEN NULL WHEN i % 8 = 1 THEN [] ELSE ['t' || (i % 3), NULL, 'u' || i] END AS tags,
          [{'x': i, 'ys': [i, i + 1]}, {'x': NULL, 'ys': []}] AS points,
          CASE WHEN i % 3 = 0 THEN NULL ELSE MAP {'a': i, 'b': NULL} END AS attrs
        FROM range(0, 3000) t(i)
        """;
}
