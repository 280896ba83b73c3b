using System.Text.Json.Nodes;
using Meshwork.Formats.Avro;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Conformance.Tests.Formats;

/// <summary>
/// Over the shared corpus (tests/conformance/avro/corpus), our binary encoding is decoded by python3-avro and avsc to
/// the same values, and their encodings are decoded by ours to the same values. Each tool runs once per direction
/// (batched); the canonical form is compared with python3-avro's.
/// </summary>
public class AvroCrossImplementationTests
{
    private static readonly Lazy<Task<Dictionary<string, JsonNode>>> PythonDecodesOurs = new(() => DecodeOursAsync(AvroTools.RunPythonAsync, tool: "python"));
    private static readonly Lazy<Task<Dictionary<string, JsonNode>>> PythonEncodes = new(() => EncodeTheirsAsync(AvroTools.RunPythonAsync, tool: "python"));
    private static readonly Lazy<Task<Dictionary<string, JsonNode>>> AvscDecodesOurs = new(() => DecodeOursAsync(AvroTools.RunAvscAsync, tool: "avsc"));
    private static readonly Lazy<Task<Dictionary<string, JsonNode>>> AvscEncodes = new(() => EncodeTheirsAsync(AvroTools.RunAvscAsync, tool: "avsc"));

    private static readonly Lazy<Task<Dictionary<string, JsonNode>>> PythonCanonical = new(async () =>
    {
        var cases = new JsonArray();
        foreach (var c in AvroCorpus.Cases)
        {
            cases.Add(new JsonObject { ["schema"] = c.Schema.DeepClone() });
        }

        return Zip([.. AvroCorpus.Cases], await AvroTools.RunPythonAsync("canonical", cases));
    });

    public static TheoryData<string> AllCases() => [.. AvroCorpus.FileNames()];

    public static TheoryData<string> AvscCases() => [.. AvroCorpus.FileNames("avsc")];

    public static TheoryData<string> PythonCanonicalCases() => [.. AvroCorpus.FileNames("python-canonical")];

    [Fact]
    public void Corpus_HasAtLeastFortySchemas() => AvroCorpus.Cases.Count.ShouldBeGreaterThanOrEqualTo(40);

    [Theory]
    [MemberData(nameof(AllCases))]
    public async Task OurBinary_DecodedByPythonAvro_GivesSameValues(string file) => AssertDecodedValues(file, (await PythonDecodesOurs.Value)[file], "python3-avro");

    [Theory]
    [MemberData(nameof(AllCases))]
    public async Task PythonAvroBinary_DecodedByOurs_GivesSameValues(string file) => AssertTheirEncoding(file, (await PythonEncodes.Value)[file], "python3-avro");

    [Theory]
    [MemberData(nameof(AvscCases))]
    public async Task OurBinary_DecodedByAvsc_GivesSameValues(string file) => AssertDecodedValues(file, (await AvscDecodesOurs.Value)[file], "avsc");

    [Theory]
    [MemberData(nameof(AvscCases))]
    public async Task AvscBinary_DecodedByOurs_GivesSameValues(string file) => AssertTheirEncoding(file, (await AvscEncodes.Value)[file], "avsc");

    [Theory]
    [MemberData(nameof(PythonCanonicalCases))]
    public async Task CanonicalForm_MatchesPythonAvro(string file)
    {
        var c = AvroCorpus.Case(file);
        var result = (await PythonCanonical.Value)[file];
        result["error"].ShouldBeNull($"python3-avro failed: {result["error"]}");

        // python3-avro 1.11.1 leaves {"type":"int"} for a primitive that carried a logicalType, against the PRIMITIVES
        // rule (Java writes "int"); fold that one known divergence before comparing.
        var python = System.Text.RegularExpressions.Regex.Replace(result["canonical"]!.GetValue<string>(),
            "\\{\"type\":\"(null|boolean|int|long|float|double|bytes|string)\"\\}", "\"$1\"");
        c.Parse().ToCanonicalForm().ShouldBe(python);
    }

    private static async Task<Dictionary<string, JsonNode>> DecodeOursAsync(Func<string, JsonArray, Task<JsonArray>> run, string tool)
    {
        var corpus = AvroCorpus.Cases.Where(c => !c.Skip.ContainsKey(tool)).ToList();
        var cases = new JsonArray();
        foreach (var c in corpus)
        {
            cases.Add(new JsonObject { ["schema"] = c.Schema.DeepClone(), ["hex"] = AvroCorpus.OurHex(c) });
        }

        return Zip(corpus, await run("decode", cases));
    }

    private static async Task<Dictionary<string, JsonNode>> EncodeTheirsAsync(Func<string, JsonArray, Task<JsonArray>> run, string tool)
    {
        var corpus = AvroCorpus.Cases.Where(c => !c.Skip.ContainsKey(tool)).ToList();
        var cases = new JsonArray();
        foreach (var c in corpus)
        {
            cases.Add(new JsonObject { ["schema"] = c.Schema.DeepClone(), ["values"] = c.Values.DeepClone() });
        }

        return Zip(corpus, await run("encode", cases));
    }

    private static Dictionary<string, JsonNode> Zip(List<AvroCorpusCase> corpus, JsonArray results)
    {
        results.Count.ShouldBe(corpus.Count, "one result per case");
        return corpus.Zip(results).ToDictionary(p => p.First.FileName, p => p.Second!);
    }

    private static void AssertDecodedValues(string file, JsonNode result, string tool)
    {
        var c = AvroCorpus.Case(file);
        result["error"].ShouldBeNull($"{tool} could not decode our bytes: {result["error"]}");
        var schema = c.Parse();
        var decoded = result["values"]!.AsArray();
        decoded.Count.ShouldBe(c.Values.Count);
        for (var i = 0; i < c.Values.Count; i++)
        {
            var expected = AvroCorpus.ReadJson(schema, c.Values[i]);
            var actual = AvroCorpus.ReadJson(schema, decoded[i]);
            AvroValueComparer.Instance.Equals(expected, actual).ShouldBeTrue(
                $"value {i}: {tool} decoded {decoded[i]?.ToJsonString()} but we encoded {c.Values[i]?.ToJsonString()}");
        }
    }

    private static void AssertTheirEncoding(string file, JsonNode result, string tool)
    {
        var c = AvroCorpus.Case(file);
        result["error"].ShouldBeNull($"{tool} could not encode the samples: {result["error"]}");
        var schema = c.Parse();
        var hex = result["hex"]!.AsArray();
        hex.Count.ShouldBe(c.Values.Count);
        for (var i = 0; i < c.Values.Count; i++)
        {
            var bytes = Convert.FromHexString(hex[i]!.GetValue<string>());
            AvroBinary.Validate(schema, bytes);
            var actual = AvroBinary.Decode(schema, bytes, AvroCorpus.Logical);
            var expected = AvroCorpus.ReadJson(schema, c.Values[i]);
            AvroValueComparer.Instance.Equals(expected, actual).ShouldBeTrue(
                $"value {i}: we decoded {tool}'s {hex[i]} as {AvroJson.Write(schema, actual)}, expected {c.Values[i]?.ToJsonString()}");
        }
    }
}
