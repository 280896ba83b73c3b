using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Meshwork.Formats.Parquet;
using Meshwork.Lake.Data;
using Meshwork.Lake.Metadata;

// Parquet write benchmark: the same 1,000,000 rows written by our writer (columnar, row by row, and as a lake data
// file with Iceberg metrics) and by DuckDB's COPY ... TO, ZSTD on both sides, best of N interleaved rounds.
// Usage: dotnet run -c Release --project bench/Meshwork.Bench.Parquet [-- ROWS RUNS]
var rowCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var root = FindRoot();
var work = Path.Combine(Path.GetTempPath(), "meshwork-bench-parquet-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
Directory.CreateDirectory(work);

var schema = new IcebergSchema(0,
[
    NestedField.Require(1, "id", PrimitiveType.Long),
    NestedField.Optional(2, "customer", PrimitiveType.String),
    NestedField.Optional(3, "amount", PrimitiveType.Decimal(12, 2)),
    NestedField.Optional(4, "placed_at", PrimitiveType.TimestampTz),
    NestedField.Optional(5, "quantity", PrimitiveType.Int),
    NestedField.Optional(6, "price", PrimitiveType.Double),
    NestedField.Optional(7, "flag", PrimitiveType.Boolean),
]);
var parquetSchema = ParquetSchemas.ToParquet(schema);
var options = new ParquetWriterOptions { Compression = args.Length > 2 ? Enum.Parse<ParquetCompression>(args[2], ignoreCase: true) : ParquetCompression.Zstd };
var epoch = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

// The rows DuckDB builds in duckdb_copy.mjs, built here the same way.
var ids = new long[rowCount];
var customers = new string?[rowCount];
var amounts = new decimal[rowCount];
var placed = new DateTimeOffset[rowCount];
var quantities = new int[rowCount];
var prices = new double[rowCount];
var flags = new bool[rowCount];
var names = Enumerable.Range(0, 1000).Select(i => "customer-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
var rows = new object?[rowCount][];
for (var i = 0; i < rowCount; i++)
{
    ids[i] = i;
    customers[i] = names[i % 1000];
    amounts[i] = ((long)i * 7 % 100000) / 100m;
    placed[i] = epoch.AddSeconds(i);
    quantities[i] = i % 100;
    prices[i] = i * 0.25;
    flags[i] = i % 3 == 0;
    rows[i] = [ids[i], customers[i], amounts[i], placed[i], quantities[i], prices[i], flags[i]];
}

// Writers run interleaved, one round after another, so that a busy machine slows every side alike;
// round 0 warms up, and each side keeps its best round.
(double Ms, long Bytes) Time(string name, Action<Stream> write)
{
    var file = Path.Combine(work, name + ".parquet");
    GC.Collect();
    var watch = Stopwatch.StartNew();
    using (var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
    {
        write(stream);
    }

    watch.Stop();
    return (watch.Elapsed.TotalMilliseconds, new FileInfo(file).Length);
}

void Columnar(Stream stream)
{
    using var writer = new ParquetWriter(stream, parquetSchema, options, leaveOpen: true);
    const int Batch = 65536;
    for (var start = 0; start < rowCount; start += Batch)
    {
        var n = Math.Min(Batch, rowCount - start);
        writer.WriteColumn<long>(0, ids.AsSpan(start, n));
        writer.WriteColumn(1, customers.AsSpan(start, n));
        writer.WriteColumn<decimal>(2, amounts.AsSpan(start, n));
        writer.WriteColumn<DateTimeOffset>(3, placed.AsSpan(start, n));
        writer.WriteColumn<int>(4, quantities.AsSpan(start, n));
        writer.WriteColumn<double>(5, prices.AsSpan(start, n));
        writer.WriteColumn<bool>(6, flags.AsSpan(start, n));
        writer.EndBatch();
    }
}

void Rows(Stream stream)
{
    using var writer = new ParquetWriter(stream, parquetSchema, options, leaveOpen: true);
    foreach (var row in rows)
    {
        writer.WriteRow(row);
    }
}

void Lake(Stream stream)
{
    var (bytes, _) = DataFiles.Write(schema, rows, options, "file:///bench/lake.parquet");
    stream.Write(bytes);
}

(double Ms, long Bytes) DuckDb()
{
    var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { Path.Combine(root, "bench", "Meshwork.Bench.Parquet", "duckdb_copy.mjs"), rowCount.ToString(CultureInfo.InvariantCulture), Path.Combine(work, "duckdb.parquet"), "1" })
    {
        info.ArgumentList.Add(a);
    }

    using var process = Process.Start(info)!;
    var output = process.StandardOutput.ReadToEnd();
    var error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"DuckDB failed (run ./test.sh once to install tests/conformance/node_modules): {error}");
    }

    var json = JsonNode.Parse(output)!;
    return (json["ms"]!.AsArray().Min(m => m!.GetValue<double>()), json["bytes"]!.GetValue<long>());
}

(double Ms, long Bytes) columnar = (double.MaxValue, 0), rowwise = (double.MaxValue, 0), lake = (double.MaxValue, 0), duck = (double.MaxValue, 0);
static (double, long) Best((double Ms, long Bytes) a, (double Ms, long Bytes) b) => a.Ms <= b.Ms ? a : b;
for (var round = 0; round <= runs; round++)
{
    var c = Time("columnar", Columnar);
    var r = Time("rows", Rows);
    var l = Time("lake", Lake);
    var d = DuckDb();
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: columnar {c.Ms:F0} ms, rows {r.Ms:F0} ms, lake {l.Ms:F0} ms, duckdb {d.Ms:F0} ms"));
    if (round > 0)
    {
        (columnar, rowwise, lake, duck) = (Best(columnar, c), Best(rowwise, r), Best(lake, l), Best(duck, d));
    }
}

string Line(string name, (double Ms, long Bytes) r) => string.Create(CultureInfo.InvariantCulture,
    $"| {name} | {r.Ms:F0} | {rowCount / (r.Ms / 1000):N0} | {r.Bytes / 1e6 / (r.Ms / 1000):F1} | {r.Bytes / 1e6:F1} | {duck.Ms / r.Ms:F2} |");
var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"# Parquet write: {rowCount:N0} rows, ZSTD, best of {runs} interleaved rounds after a warm-up round");
report.AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}. Command: `dotnet run -c Release --project bench/Meshwork.Bench.Parquet -- {rowCount} {runs} {options.Compression.ToString().ToLowerInvariant()}`.");
report.AppendLine("Columns: id bigint, customer string (1,000 distinct), amount decimal(12,2), placed_at timestamptz, quantity int, price double, flag boolean.");
report.AppendLine("MB/s is output file megabytes per second; ratio is our speed divided by DuckDB's (1.00 = as fast, ≥ 0.50 is the goal).");
report.AppendLine();
report.AppendLine("| writer | ms | rows/s | MB/s | file MB | ratio vs DuckDB |");
report.AppendLine("|---|---:|---:|---:|---:|---:|");
report.AppendLine(Line("Meshwork ParquetWriter, columnar (WriteColumn)", columnar));
report.AppendLine(Line("Meshwork ParquetWriter, row by row (WriteRow)", rowwise));
report.AppendLine(Line("Meshwork lake data file (rows + Iceberg metrics)", lake));
report.AppendLine(Line("DuckDB COPY ... TO (FORMAT parquet, COMPRESSION zstd)", duck));
Console.Write(report);
var results = Path.Combine(root, "bench", "results", "parquet-write.md");
File.WriteAllText(results, report.ToString());
Console.WriteLine($"written to {results}");
Directory.Delete(work, recursive: true);
return 0;

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Meshwork.slnx")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
}
