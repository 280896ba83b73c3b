using System.Text.Json;
using System.Text.Json.Nodes;
using Meshwork.Formats.Avro;

namespace Meshwork.Testing;

/// <summary>One schema of tests/conformance/avro/corpus with its sample values in the Avro JSON encoding.</summary>
/// <param name="Name">The case's name inside the file.</param>
/// <param name="FileName">The corpus file name, which identifies the case in theory data.</param>
/// <param name="Schema">The schema as written.</param>
/// <param name="Values">Sample values in the Avro JSON encoding.</param>
/// <param name="Skip">Tools (python, avsc, python-canonical) that cannot handle this case, with the reason.</param>
public sealed record AvroCorpusCase(string Name, string FileName, JsonNode Schema, JsonArray Values, IReadOnlyDictionary<string, string> Skip)
{
    /// <summary>The schema parsed by our implementation.</summary>
    public AvroSchema Parse() => AvroSchema.Parse(Schema.ToJsonString());

    /// <inheritdoc/>
    public override string ToString() => FileName;
}

/// <summary>
/// The shared Avro corpus (every primitive and logical type, unions, enums, fixed, maps, arrays, recursive records,
/// defaults, aliases): unit tests use it for round trips and mutation, the conformance suite hands it to python3-avro
/// and avsc.
/// </summary>
public static class AvroCorpus
{
    /// <summary>Logical types mapped to .NET values, so that equal values compare equal whoever decoded them.</summary>
    public static readonly AvroDecodeOptions Logical = new() { ConvertLogicalTypes = true };

    /// <summary>tests/conformance/avro: the corpus and the third-party drivers.</summary>
    public static string Directory { get; } = Repository.Path("tests", "conformance", "avro");

    /// <summary>Every case, in file name order.</summary>
    public static IReadOnlyList<AvroCorpusCase> Cases { get; } = Load();

    /// <summary>The case stored in <paramref name="fileName"/>.</summary>
    public static AvroCorpusCase Case(string fileName) => Cases.Single(c => c.FileName == fileName);

    /// <summary>The file names of the cases <paramref name="tool"/> can handle (all when null).</summary>
    public static IEnumerable<string> FileNames(string? tool = null) =>
        Cases.Where(c => tool is null || !c.Skip.ContainsKey(tool)).Select(c => c.FileName);

    /// <summary>Our binary encoding of each sample value, as lowercase hex.</summary>
    public static JsonArray OurHex(AvroCorpusCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var schema = c.Parse();
        var hex = new JsonArray();
        foreach (var v in c.Values)
        {
            hex.Add(Convert.ToHexStringLower(AvroBinary.Encode(schema, ReadJson(schema, v))));
        }

        return hex;
    }

    /// <summary>Reads a value in the Avro JSON encoding, mapping logical types (see <see cref="Logical"/>).</summary>
    public static object? ReadJson(AvroSchema schema, JsonNode? value)
    {
        using var doc = JsonDocument.Parse(value?.ToJsonString() ?? "null");
        return AvroJson.Read(schema, doc.RootElement, Logical);
    }

    private static List<AvroCorpusCase> Load()
    {
        var cases = new List<AvroCorpusCase>();
        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(Directory, "corpus"), "*.json").Order(StringComparer.Ordinal))
        {
            var node = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var skip = node["skip"]?.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>()) ?? [];
            cases.Add(new AvroCorpusCase(node["name"]!.GetValue<string>(), Path.GetFileName(file), node["schema"]!, node["values"]!.AsArray(), skip));
        }

        return cases;
    }
}
