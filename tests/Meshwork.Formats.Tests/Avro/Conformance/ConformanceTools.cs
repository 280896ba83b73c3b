using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meshwork.Formats.Avro;

namespace Meshwork.Formats.Tests.Avro.Conformance;

/// <summary>One schema of tests/conformance/avro/corpus with its sample values in the Avro JSON encoding.</summary>
public sealed record CorpusCase(string Name, string FileName, JsonNode Schema, JsonArray Values, IReadOnlyDictionary<string, string> Skip)
{
    public AvroSchema Parse() => AvroSchema.Parse(Schema.ToJsonString());

    public override string ToString() => FileName;
}

/// <summary>Finds the corpus and runs the third-party drivers beside it. A missing tool fails the test, naming the package.</summary>
internal static class ConformanceTools
{
    public const string Python = "/usr/bin/python3";
    private const int ToolMissingExitCode = 3;
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    public static string AvroDirectory { get; } = FindAvroDirectory();

    public static IReadOnlyList<CorpusCase> Corpus { get; } = LoadCorpus();

    private static string FindAvroDirectory() => Meshwork.Testing.Repository.Path("tests", "conformance", "avro");

    private static List<CorpusCase> LoadCorpus()
    {
        var cases = new List<CorpusCase>();
        foreach (var file in Directory.GetFiles(Path.Combine(AvroDirectory, "corpus"), "*.json").Order(StringComparer.Ordinal))
        {
            var node = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var skip = node["skip"]?.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>()) ?? [];
            cases.Add(new CorpusCase(node["name"]!.GetValue<string>(), Path.GetFileName(file), node["schema"]!, node["values"]!.AsArray(), skip));
        }

        return cases;
    }

    public static CorpusCase Case(string fileName) => Corpus.Single(c => c.FileName == fileName);

    public static TheoryData<string> CaseNames(string? tool = null)
    {
        var data = new TheoryData<string>();
        foreach (var c in Corpus.Where(c => tool is null || !c.Skip.ContainsKey(tool)))
        {
            data.Add(c.FileName);
        }

        return data;
    }

    /// <summary>Runs the python3-avro driver; returns one result object per case.</summary>
    public static JsonArray RunPython(string op, JsonArray cases)
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: install Debian's python3 and python3-avro (apt-get install -y python3-avro)");
        }

        return Run(Python, ["avro_py.py"], op, cases, "python3-avro (apt-get install -y python3-avro; python3-snappy for the snappy codec)");
    }

    /// <summary>Runs the avsc driver; returns one result object per case.</summary>
    public static JsonArray RunAvsc(string op, JsonArray cases) =>
        Run("node", ["avro_avsc.mjs"], op, cases, "avsc (cd tests/conformance && npm install) and nodejs (apt-get install -y nodejs)");

    private static JsonArray Run(string exe, string[] args, string op, JsonArray cases, string package)
    {
        var request = new JsonObject { ["op"] = op, ["cases"] = cases.DeepClone() }.ToJsonString();
        var start = new ProcessStartInfo(exe)
        {
            WorkingDirectory = AvroDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {exe}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{exe} is not installed; this test needs {package}", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(request);
            process.StandardInput.Close();
            if (!process.WaitForExit(ToolTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{exe} {string.Join(' ', args)} did not finish within {ToolTimeout}");
            }

            if (process.ExitCode == ToolMissingExitCode)
            {
                throw new InvalidOperationException($"missing tool: install {package}. {stderr.Result}");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{exe} {string.Join(' ', args)} failed with exit code {process.ExitCode}: {stderr.Result}");
            }

            return JsonNode.Parse(stdout.Result)!["results"]!.AsArray();
        }
    }

    /// <summary>Our encoding of each sample value, as hex.</summary>
    public static JsonArray OurHex(CorpusCase c)
    {
        var schema = c.Parse();
        var hex = new JsonArray();
        foreach (var v in c.Values)
        {
            hex.Add(Convert.ToHexStringLower(AvroBinary.Encode(schema, ReadJson(schema, v))));
        }

        return hex;
    }

    public static readonly AvroDecodeOptions Logical = new() { ConvertLogicalTypes = true };

    /// <summary>Reads a value in the Avro JSON encoding, mapping logical types so that equal values compare equal.</summary>
    public static object? ReadJson(AvroSchema schema, JsonNode? value)
    {
        using var doc = JsonDocument.Parse(value?.ToJsonString() ?? "null");
        return AvroJson.Read(schema, doc.RootElement, Logical);
    }
}
