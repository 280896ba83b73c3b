using System.Text.Json;
using System.Text.Json.Nodes;
using Meshwork.Formats.Avro;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Conformance.Tests.Formats;

/// <summary>Our resolving decoder against python3-avro's, over tests/conformance/avro/resolution.json.</summary>
public class AvroResolutionInteropTests
{
    private static readonly JsonArray Cases = JsonNode.Parse(File.ReadAllText(Path.Combine(AvroCorpus.Directory, "resolution.json")))!["cases"]!.AsArray();

    private static readonly Lazy<Task<JsonArray>> PythonResults = new(() =>
        AvroTools.RunPythonAsync("resolve", [.. PythonCases().Select(c => c.DeepClone())]));

    private static IEnumerable<JsonNode> PythonCases() => Cases.Where(c => c!["skip"]?["python"] is null)!;

    public static TheoryData<string> Rules() => [.. Cases.Select(c => c!["rule"]!.GetValue<string>())];

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task ResolvingDecoder_MatchesPythonAvro(string rule)
    {
        var c = Cases.Single(x => x!["rule"]!.GetValue<string>() == rule)!;
        var writer = AvroSchema.Parse(c["writer"]!.ToJsonString());
        var reader = AvroSchema.Parse(c["reader"]!.ToJsonString());
        AvroResolver.Check(writer, reader).ShouldBeEmpty();

        var ours = c["values"]!.AsArray()
            .Select(v => AvroResolver.Decode(writer, reader, AvroBinary.Encode(writer, AvroCorpus.ReadJson(writer, v)), AvroCorpus.Logical))
            .ToList();

        if (c["skip"]?["python"] is { } reason)
        {
            // python3-avro cannot do this one (see the reason); ours must still decode every value.
            ours.Count.ShouldBe(c["values"]!.AsArray().Count, reason.GetValue<string>());
            return;
        }

        var index = PythonCases().ToList().FindIndex(x => x["rule"]!.GetValue<string>() == rule);
        var result = (await PythonResults.Value)[index]!;
        result["error"].ShouldBeNull($"python3-avro failed: {result["error"]}");
        var theirs = result["values"]!.AsArray();
        for (var i = 0; i < ours.Count; i++)
        {
            AvroValueComparer.Instance.Equals(ours[i], AvroCorpus.ReadJson(reader, theirs[i])).ShouldBeTrue(
                $"value {i}: we resolved {AvroJson.Write(reader, ours[i])}, python3-avro {theirs[i]?.ToJsonString(new JsonSerializerOptions())}");
        }
    }
}
