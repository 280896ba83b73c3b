using System.Text;
using Meshwork.Formats.Avro;
using Shouldly;

namespace Meshwork.Formats.Tests.Avro;

public class CanonicalFormTests
{
    public sealed record Vector(string Id, string Input, string Canonical, long? Fingerprint)
    {
        public override string ToString() => Id;
    }

    /// <summary>The vectors of apache/avro share/test/data/schema-tests.txt, which the Java tests verify.</summary>
    public static TheoryData<Vector> SpecVectors()
    {
        var data = new TheoryData<Vector>();
        foreach (var v in LoadVectors())
        {
            data.Add(v);
        }

        return data;
    }

    public static TheoryData<Vector> FingerprintVectors()
    {
        var data = new TheoryData<Vector>();
        foreach (var v in LoadVectors().Where(v => v.Fingerprint is not null))
        {
            data.Add(v);
        }

        return data;
    }

    internal static List<Vector> LoadVectors()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Avro", "TestData", "schema-tests.txt"));
        var vectors = new List<Vector>();
        string? id = null, input = null, canonical = null;
        long? fingerprint = null;
        void Flush()
        {
            if (id is not null && input is not null && canonical is not null)
            {
                vectors.Add(new Vector(id, input, canonical, fingerprint));
            }

            input = canonical = null;
            fingerprint = null;
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("// ", StringComparison.Ordinal) && line.Length == 6 && char.IsAsciiDigit(line[3]))
            {
                Flush();
                id = line[3..];
            }
            else if (line == "<<INPUT")
            {
                var sb = new StringBuilder();
                while (lines[++i] != "INPUT")
                {
                    sb.AppendLine(lines[i]);
                }

                input = sb.ToString();
            }
            else if (line.StartsWith("<<INPUT ", StringComparison.Ordinal))
            {
                input = line["<<INPUT ".Length..];
            }
            else if (line.StartsWith("<<canonical ", StringComparison.Ordinal))
            {
                canonical = line["<<canonical ".Length..];
            }
            else if (line.StartsWith("<<fingerprint ", StringComparison.Ordinal))
            {
                fingerprint = long.Parse(line["<<fingerprint ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        Flush();
        return vectors;
    }

    [Fact]
    public void SpecVectors_AreAllLoaded() => LoadVectors().Count.ShouldBe(34);

    [Theory]
    [MemberData(nameof(SpecVectors))]
    public void CanonicalForm_MatchesSpecVector(Vector vector)
    {
        // Vector 026 carries the legacy default "true" for a boolean, which only a lenient parser accepts.
        var schema = AvroSchema.Parse(vector.Input, new AvroParseOptions { ValidateDefaults = false });
        schema.ToCanonicalForm().ShouldBe(vector.Canonical);
    }

    [Theory]
    [MemberData(nameof(FingerprintVectors))]
    public void Crc64Fingerprint_MatchesSpecVector(Vector vector)
    {
        var schema = AvroSchema.Parse(vector.Input, new AvroParseOptions { ValidateDefaults = false });
        ((long)AvroFingerprint.Crc64(schema)).ShouldBe(vector.Fingerprint!.Value);
    }

    [Fact]
    public void Crc64_OfEmptyInput_IsTheSeed() => AvroFingerprint.Crc64([]).ShouldBe(0xc15d213aa4d7a795UL);

    [Fact]
    public void Md5AndSha256_HashTheCanonicalForm()
    {
        var schema = AvroSchema.Parse("""{"type":"record","name":"test","namespace":"x","doc":"ignored","fields":[{"name":"a","type":"long"}]}""");
        var canonical = Encoding.UTF8.GetBytes(schema.ToCanonicalForm());
        AvroFingerprint.Md5(schema).ShouldBe(System.Security.Cryptography.MD5.HashData(canonical));
        AvroFingerprint.Sha256(schema).ShouldBe(System.Security.Cryptography.SHA256.HashData(canonical));

        // "null" has well-known digests (md5/sha256 of the 6 bytes "null" with quotes).
        Convert.ToHexStringLower(AvroFingerprint.Md5(AvroSchema.Parse("\"null\""))).ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData("\"null\""u8)));
    }

    [Fact]
    public void CanonicalForm_StripsLogicalTypesAndCustomProperties_AndUsesFullnamesForReferences()
    {
        var schema = AvroSchema.Parse("""
            {"namespace":"a","type":"record","name":"R","aliases":["Q"],"fields":[
              {"name":"d","type":{"type":"int","logicalType":"date"},"field-id":3,"default":0},
              {"name":"e","type":{"type":"enum","name":"E","symbols":["X"],"default":"X"}},
              {"name":"e2","type":"E"},
              {"name":"f","type":{"type":"fixed","name":"b.F","size":0010}}]}
            """.Replace("0010", "10", StringComparison.Ordinal));
        schema.ToCanonicalForm().ShouldBe(
            """{"name":"a.R","type":"record","fields":[{"name":"d","type":"int"},{"name":"e","type":{"name":"a.E","type":"enum","symbols":["X"]}},{"name":"e2","type":"a.E"},{"name":"f","type":{"name":"b.F","type":"fixed","size":10}}]}""");
    }

    [Fact]
    public void CanonicalForm_UnescapesStrings()
    {
        // \u0041 is "A": the STRINGS rule writes the character, not the escape.
        AvroSchema.Parse("""{"type":"enum","name":"\u0045","symbols":["\u0041"]}""").ToCanonicalForm()
            .ShouldBe("""{"name":"E","type":"enum","symbols":["A"]}""");
    }
}
