using System.Text.Json.Nodes;
using Meshwork.Testing;

namespace Meshwork.Conformance.Tests.Formats;

/// <summary>
/// The Avro drivers beside the corpus (tests/conformance/avro): one JSON request on stdin, one result per case on
/// stdout. A missing tool or library fails the test naming the package.
/// </summary>
internal static class AvroTools
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Runs avro_py.py (Debian's python3-avro; python3-snappy for the snappy codec).</summary>
    public static Task<JsonArray> RunPythonAsync(string op, JsonArray cases) =>
        RunAsync(Python, "python3 python3-avro python3-snappy", "avro_py.py", op, cases);

    /// <summary>Runs avro_avsc.mjs (avsc from tests/conformance/node_modules).</summary>
    public static Task<JsonArray> RunAvscAsync(string op, JsonArray cases) =>
        RunAsync("node", "nodejs npm (then: cd tests/conformance && npm install, which ./test.sh does)", "avro_avsc.mjs", op, cases);

    private static async Task<JsonArray> RunAsync(string exe, string packages, string script, string op, JsonArray cases)
    {
        var request = new JsonObject { ["op"] = op, ["cases"] = cases.DeepClone() }.ToJsonString();
        var output = await Tool.RunAsync(exe, packages, [script], standardInput: request, workingDirectory: AvroCorpus.Directory);
        return JsonNode.Parse(output)!["results"]!.AsArray();
    }
}
