using System.Text.Json;
using System.Text.Json.Nodes;
using Meshwork.Formats.JsonSchema;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Conformance.Tests.Formats;

/// <summary>
/// Our validator against the corpus in tests/conformance/jsonschema: the expected verdicts written in the corpus,
/// Debian's python3-jsonschema (Draft7Validator) as a second opinion, and ported JSON-Schema-Test-Suite cases.
/// </summary>
public class JsonSchemaConformanceTests
{
    private const string PythonPackage = "python3-jsonschema";
    private static readonly string Directory = Repository.Path("tests", "conformance", "jsonschema");

    internal sealed record Case(string Name, JsonNode? Schema, JsonNode? Instance, bool Format, bool Expected);

    internal static List<Case> LoadCorpus()
    {
        var groups = JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, "corpus.json")))!.AsArray();
        var cases = new List<Case>();
        foreach (var group in groups)
        {
            foreach (var pair in group!["instances"]!.AsArray())
            {
                cases.Add(new Case(group["name"]!.GetValue<string>(), group["schema"], pair![0], group["format"]?.GetValue<bool>() ?? false, pair[1]!.GetValue<bool>()));
            }
        }

        return cases;
    }

    private static bool OurVerdict(Case c)
    {
        var schema = JsonSchemaDocument.Parse(c.Schema?.ToJsonString() ?? "null");
        using var instance = JsonDocument.Parse(c.Instance?.ToJsonString() ?? "null");
        return schema.IsValid(instance.RootElement, assertFormat: c.Format);
    }

    [Fact]
    public void Corpus_HasAtLeastSixtyPairs() => LoadCorpus().Count.ShouldBeGreaterThanOrEqualTo(60);

    [Fact]
    public void Corpus_MatchesExpectedVerdicts()
    {
        var wrong = LoadCorpus().Where(c => OurVerdict(c) != c.Expected)
            .Select(c => $"{c.Name}: {c.Instance?.ToJsonString() ?? "null"} expected {(c.Expected ? "valid" : "invalid")}").ToList();
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public async Task Corpus_AgreesWithPythonJsonschema()
    {
        var cases = LoadCorpus();
        var request = new JsonObject
        {
            ["cases"] = new JsonArray([.. cases.Select(c => (JsonNode)new JsonObject
            {
                ["schema"] = c.Schema?.DeepClone(),
                ["instance"] = c.Instance?.DeepClone(),
                ["format"] = c.Format,
            })]),
        };
        var output = await Tool.RunAsync("/usr/bin/python3", $"python3 {PythonPackage}", ["jsonschema_py.py"], standardInput: request.ToJsonString(), workingDirectory: Directory);
        var results = JsonNode.Parse(output)!["results"]!.AsArray();
        results.Count.ShouldBe(cases.Count);
        var disagreements = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var reference = results[i]!["valid"]?.GetValue<bool>();
            reference.ShouldNotBeNull($"python could not evaluate {cases[i].Name}: {results[i]!.ToJsonString()}");
            if (reference != OurVerdict(cases[i]))
            {
                disagreements.Add($"{cases[i].Name}: {cases[i].Instance?.ToJsonString() ?? "null"} python says {(reference.Value ? "valid" : "invalid")}");
            }
        }

        disagreements.ShouldBeEmpty();
    }

    public static TheoryData<string> SuiteFiles() =>
        [.. System.IO.Directory.GetFiles(Path.Combine(Directory, "test-suite"), "*.json").Select(f => Path.GetFileName(f)!).Order()];

    [Theory]
    [MemberData(nameof(SuiteFiles))]
    public void TestSuite_Draft7Subset(string file)
    {
        var groups = JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, "test-suite", file)))!.AsArray();
        var failures = new List<string>();
        foreach (var group in groups)
        {
            var schema = JsonSchemaDocument.Parse(group!["schema"]!.ToJsonString());
            foreach (var test in group["tests"]!.AsArray())
            {
                using var data = JsonDocument.Parse(test!["data"]?.ToJsonString() ?? "null");
                if (schema.IsValid(data.RootElement) != test["valid"]!.GetValue<bool>())
                {
                    failures.Add($"{group["description"]} / {test["description"]}");
                }
            }
        }

        failures.ShouldBeEmpty();
    }
}
