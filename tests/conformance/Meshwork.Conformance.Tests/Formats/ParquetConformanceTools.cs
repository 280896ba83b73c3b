using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Meshwork.Formats.Parquet;

namespace Meshwork.Conformance.Tests.Formats;

/// <summary>Runs tests/conformance/parquet/parquet_driver.mjs (DuckDB and hyparquet). A missing tool fails the test.</summary>
internal static class ParquetConformanceTools
{
    private const int ToolMissingExitCode = 3;
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(120);

    /// <summary>Every codec the writer supports, with and without dictionary encoding.</summary>
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

    /// <summary>A fresh seed per run, so every run covers new random data; failures print it.</summary>
    public static int NewSeed() => Random.Shared.Next();

    public static byte[] Write(ParquetSchema schema, IEnumerable<object?[]> rows, ParquetWriterOptions? options = null)
    {
        using var ms = new MemoryStream();
        using (var writer = new ParquetWriter(ms, schema, options, leaveOpen: true))
        {
            writer.Write(rows);
        }

        return ms.ToArray();
    }

    public static string DriverDirectory { get; } = Meshwork.Testing.Repository.Path("tests", "conformance", "parquet");

    public static JsonObject Run(JsonObject request)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = DriverDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add("parquet_driver.mjs");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("node is not installed: run ./test.sh, which installs nodejs and the npm packages in tests/conformance", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(request.ToJsonString());
            process.StandardInput.Close();
            if (!process.WaitForExit(ToolTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"parquet_driver.mjs {request["op"]} did not finish within {ToolTimeout}");
            }

            if (process.ExitCode == ToolMissingExitCode)
            {
                throw new InvalidOperationException($"missing npm package: run ./test.sh (it runs npm install in tests/conformance). {stderr.Result}");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"parquet_driver.mjs {request["op"]} failed with exit code {process.ExitCode}: {stderr.Result}");
            }

            return JsonNode.Parse(stdout.Result)!.AsObject();
        }
    }

    public static JsonObject DuckDbRead(string file) => Run(new JsonObject { ["op"] = "duckdb-read", ["file"] = file });

    public static JsonObject HyparquetRead(string file) => Run(new JsonObject { ["op"] = "hyparquet-read", ["file"] = file });

    public static JsonArray DuckDbWrite(string file, string sql, string compression, int? rowGroupSize = null, string? parquetVersion = null) =>
        DuckDbWriteResult(file, sql, compression, rowGroupSize, parquetVersion)["rows"]!.AsArray();

    public static JsonObject DuckDbWriteResult(string file, string sql, string compression, int? rowGroupSize = null, string? parquetVersion = null)
    {
        var request = new JsonObject { ["op"] = "duckdb-write", ["file"] = file, ["sql"] = sql, ["compression"] = compression };
        if (parquetVersion is not null)
        {
            request["parquetVersion"] = parquetVersion;
        }

        if (rowGroupSize is { } r)
        {
            request["rowGroupSize"] = r;
        }

        return Run(request);
    }
}
