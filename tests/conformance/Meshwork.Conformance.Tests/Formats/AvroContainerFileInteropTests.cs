using System.Text.Json.Nodes;
using Meshwork.Formats.Avro;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Conformance.Tests.Formats;

/// <summary>Container files across implementations: ours read by python3-avro, python3-avro's read by ours.</summary>
public sealed class AvroContainerFileInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("meshwork-avro-ocf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("null")]
    [InlineData("deflate")]
    [InlineData("snappy")]
    public async Task OurContainerFiles_ReadByPythonAvro(string codec)
    {
        var cases = new JsonArray();
        foreach (var c in AvroCorpus.Cases)
        {
            var path = Path.Combine(_dir, $"{Path.GetFileNameWithoutExtension(c.FileName)}.{codec}.avro");
            var schema = c.Parse();
            using (var writer = new AvroContainerWriter(File.Create(path), schema, new AvroContainerWriterOptions
            {
                Codec = codec,
                Codecs = new AvroCodecRegistry(),
                MaxRecordsPerBlock = 2, // several blocks per file
                Metadata = new Dictionary<string, byte[]> { ["meshwork.test"] = "yes"u8.ToArray() },
            }))
            {
                foreach (var v in c.Values)
                {
                    writer.Append(AvroCorpus.ReadJson(schema, v));
                }
            }

            cases.Add(new JsonObject { ["path"] = path });
        }

        var results = await AvroTools.RunPythonAsync("read_ocf", cases);
        var failures = new List<string>();
        foreach (var (c, result) in AvroCorpus.Cases.Zip(results))
        {
            if (result!["error"] is { } error)
            {
                failures.Add($"{c.FileName}: python3-avro could not read our file: {error}");
                continue;
            }

            result["codec"]!.GetValue<string>().ShouldBe(codec);
            var schema = c.Parse();
            var values = result["values"]!.AsArray();
            if (values.Count != c.Values.Count)
            {
                failures.Add($"{c.FileName}: python3-avro read {values.Count} records, we wrote {c.Values.Count}");
                continue;
            }

            for (var i = 0; i < values.Count; i++)
            {
                if (!AvroValueComparer.Instance.Equals(AvroCorpus.ReadJson(schema, c.Values[i]), AvroCorpus.ReadJson(schema, values[i])))
                {
                    failures.Add($"{c.FileName} record {i}: python3-avro read {values[i]?.ToJsonString()}, we wrote {c.Values[i]?.ToJsonString()}");
                }
            }
        }

        failures.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("null")]
    [InlineData("deflate")]
    [InlineData("snappy")]
    public async Task PythonAvroContainerFiles_ReadByOurs(string codec)
    {
        var cases = new JsonArray();
        foreach (var c in AvroCorpus.Cases)
        {
            cases.Add(new JsonObject
            {
                ["schema"] = c.Schema.DeepClone(),
                ["values"] = c.Values.DeepClone(),
                ["codec"] = codec,
                ["path"] = Path.Combine(_dir, $"{Path.GetFileNameWithoutExtension(c.FileName)}.py-{codec}.avro"),
            });
        }

        var results = await AvroTools.RunPythonAsync("write_ocf", cases);
        var codecs = new AvroCodecRegistry();
        var failures = new List<string>();
        foreach (var (c, result) in AvroCorpus.Cases.Zip(results))
        {
            result!["error"].ShouldBeNull($"python3-avro could not write {c.FileName} with {codec} (python3-snappy installed?): {result["error"]}");
            var path = cases.Single(x => x!["path"]!.GetValue<string>().Contains(Path.GetFileNameWithoutExtension(c.FileName) + ".py-", StringComparison.Ordinal))!["path"]!.GetValue<string>();
            using var reader = new AvroContainerReader(File.OpenRead(path), AvroCorpus.Logical, codecs);
            reader.Codec.ShouldBe(codec);
            if (!c.Skip.ContainsKey("python-canonical"))
            {
                reader.Schema.ToCanonicalForm().ShouldBe(c.Parse().ToCanonicalForm());
            }

            // Expected values are built against the file's own schema, which is python's rendering of the corpus schema.
            var schema = reader.Schema;
            var values = reader.ToList();
            if (values.Count != c.Values.Count)
            {
                failures.Add($"{c.FileName}: we read {values.Count} records, python3-avro wrote {c.Values.Count}");
                continue;
            }

            for (var i = 0; i < values.Count; i++)
            {
                if (!AvroValueComparer.Instance.Equals(AvroCorpus.ReadJson(schema, c.Values[i]), values[i]))
                {
                    failures.Add($"{c.FileName} record {i}: we read {AvroJson.Write(reader.Schema, values[i])}, python3-avro wrote {c.Values[i]?.ToJsonString()}");
                }
            }
        }

        failures.ShouldBeEmpty();
    }
}
