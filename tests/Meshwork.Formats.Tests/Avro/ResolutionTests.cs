using Meshwork.Formats.Avro;
using Shouldly;

namespace Meshwork.Formats.Tests.Avro;

/// <summary>Schema resolution as a table; each case names the rule of the specification's "Schema Resolution" section.</summary>
public class ResolutionTests
{
    private const string Rec = """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""";

    public sealed record Case(string Rule, string Writer, string Reader, AvroIncompatibilityKind? Expected)
    {
        public override string ToString() => Rule;
    }

    public static TheoryData<Case> Cases() =>
    [
        new Case("primitive: same type matches", "\"int\"", "\"int\"", null),
        new Case("promotion: int is promotable to long", "\"int\"", "\"long\"", null),
        new Case("promotion: int is promotable to float", "\"int\"", "\"float\"", null),
        new Case("promotion: int is promotable to double", "\"int\"", "\"double\"", null),
        new Case("promotion: long is promotable to float", "\"long\"", "\"float\"", null),
        new Case("promotion: long is promotable to double", "\"long\"", "\"double\"", null),
        new Case("promotion: float is promotable to double", "\"float\"", "\"double\"", null),
        new Case("promotion: string is promotable to bytes", "\"string\"", "\"bytes\"", null),
        new Case("promotion: bytes is promotable to string", "\"bytes\"", "\"string\"", null),
        new Case("no demotion: long cannot be read as int", "\"long\"", "\"int\"", AvroIncompatibilityKind.TypeMismatch),
        new Case("no demotion: double cannot be read as float", "\"double\"", "\"float\"", AvroIncompatibilityKind.TypeMismatch),
        new Case("mismatch: int vs string", "\"int\"", "\"string\"", AvroIncompatibilityKind.TypeMismatch),
        new Case("logical types are ignored: date int reads as int", """{"type":"int","logicalType":"date"}""", "\"int\"", null),
        new Case("records: same name, same fields", Rec, Rec, null),
        new Case("records: names must match", Rec, """{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}""", AvroIncompatibilityKind.NameMismatch),
        new Case("records: reader aliases match the writer name", Rec, """{"type":"record","name":"S","aliases":["R"],"fields":[{"name":"a","type":"int"}]}""", null),
        new Case("records: unqualified names match across namespaces", Rec, """{"type":"record","name":"R","namespace":"x","fields":[{"name":"a","type":"int"}]}""", null),
        new Case("records: writer field not in reader is ignored", """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""", Rec, null),
        new Case("records: reader field not in writer uses its default", Rec, """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}""", null),
        new Case("records: reader field not in writer without default is an error", Rec, """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""", AvroIncompatibilityKind.ReaderFieldMissingDefaultValue),
        new Case("records: fields matched by reader field alias", Rec, """{"type":"record","name":"R","fields":[{"name":"z","aliases":["a"],"type":"int"}]}""", null),
        new Case("records: field types resolve recursively", Rec, """{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}""", null),
        new Case("records: field type mismatch is reported", Rec, """{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}""", AvroIncompatibilityKind.TypeMismatch),
        new Case("enums: writer symbols all in reader", """{"type":"enum","name":"E","symbols":["A"]}""", """{"type":"enum","name":"E","symbols":["A","B"]}""", null),
        new Case("enums: unknown writer symbol without reader default is an error", """{"type":"enum","name":"E","symbols":["A","C"]}""", """{"type":"enum","name":"E","symbols":["A","B"]}""", AvroIncompatibilityKind.MissingEnumSymbols),
        new Case("enums: unknown writer symbol maps to the reader default", """{"type":"enum","name":"E","symbols":["A","C"]}""", """{"type":"enum","name":"E","symbols":["A","B"],"default":"B"}""", null),
        new Case("enums: names must match", """{"type":"enum","name":"E","symbols":["A"]}""", """{"type":"enum","name":"F","symbols":["A"]}""", AvroIncompatibilityKind.NameMismatch),
        new Case("fixed: same name and size", """{"type":"fixed","name":"F","size":4}""", """{"type":"fixed","name":"F","size":4}""", null),
        new Case("fixed: sizes must match", """{"type":"fixed","name":"F","size":4}""", """{"type":"fixed","name":"F","size":8}""", AvroIncompatibilityKind.FixedSizeMismatch),
        new Case("fixed: names must match", """{"type":"fixed","name":"F","size":4}""", """{"type":"fixed","name":"G","size":4}""", AvroIncompatibilityKind.NameMismatch),
        new Case("arrays: item schemas resolve", """{"type":"array","items":"int"}""", """{"type":"array","items":"long"}""", null),
        new Case("arrays: item mismatch", """{"type":"array","items":"long"}""", """{"type":"array","items":"int"}""", AvroIncompatibilityKind.TypeMismatch),
        new Case("maps: value schemas resolve", """{"type":"map","values":"float"}""", """{"type":"map","values":"double"}""", null),
        new Case("maps: value mismatch", """{"type":"map","values":"string"}""", """{"type":"map","values":"int"}""", AvroIncompatibilityKind.TypeMismatch),
        new Case("array vs map do not match", """{"type":"array","items":"int"}""", """{"type":"map","values":"int"}""", AvroIncompatibilityKind.TypeMismatch),
        new Case("reader union: writer matches a branch", "\"string\"", """["null","string"]""", null),
        new Case("reader union: writer promotable to a branch", "\"int\"", """["null","double"]""", null),
        new Case("reader union: the matching branch must itself resolve", Rec, """["null",{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}]""", AvroIncompatibilityKind.ReaderFieldMissingDefaultValue),
        new Case("reader union: no branch matches", "\"boolean\"", """["null","string"]""", AvroIncompatibilityKind.MissingUnionBranch),
        new Case("writer union: every branch must resolve against the reader", """["null","string"]""", """["null","string","int"]""", null),
        new Case("writer union: a branch missing from the reader union", """["null","string","int"]""", """["null","string"]""", AvroIncompatibilityKind.MissingUnionBranch),
        new Case("writer union vs non-union reader: all branches must match", """["int","long"]""", "\"long\"", null),
        new Case("writer union vs non-union reader: a branch that cannot be read", """["null","int"]""", "\"int\"", AvroIncompatibilityKind.TypeMismatch),
        new Case("recursive records resolve", """{"type":"record","name":"L","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","L"]}]}""",
            """{"type":"record","name":"L","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","L"]}]}""", null),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Check_FollowsTheSpecification(Case c)
    {
        var result = AvroResolver.Check(AvroSchema.Parse(c.Writer), AvroSchema.Parse(c.Reader));
        if (c.Expected is null)
        {
            result.ShouldBeEmpty();
        }
        else
        {
            result.Select(r => r.Kind).ShouldContain(c.Expected.Value, string.Join("; ", result));
        }
    }

    [Fact]
    public void Check_ReportsEveryProblemWithItsPath()
    {
        var writer = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"inner","type":{"type":"record","name":"I","fields":[{"name":"x","type":"string"}]}}]}""");
        var reader = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"inner","type":{"type":"record","name":"I","fields":[{"name":"x","type":"string"},{"name":"y","type":"int"}]}}]}""");
        var result = AvroResolver.Check(writer, reader);
        result.Select(r => r.Path).ShouldBe(["/a", "/inner/y"]);
        result[1].Kind.ShouldBe(AvroIncompatibilityKind.ReaderFieldMissingDefaultValue);
        result[1].ToString().ShouldContain("'y'");
    }

    [Fact]
    public void Decode_AppliesPromotionsDefaultsAliasesAndEnumDefaults()
    {
        var writer = AvroSchema.Parse("""
            {"type":"record","name":"R","fields":[
              {"name":"i","type":"int"},{"name":"dropped","type":{"type":"array","items":"string"}},
              {"name":"old","type":"string"},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","Z"]}},
              {"name":"u","type":["null","int"]},{"name":"s","type":"string"}]}
            """);
        var reader = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"R","fields":[
              {"name":"s","type":"bytes"},
              {"name":"i","type":"double"},{"name":"renamed","aliases":["old"],"type":"string"},
              {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"],"default":"B"}},
              {"name":"u","type":["null","long"]},
              {"name":"added","type":{"type":"map","values":"int"},"default":{"k":1}},
              {"name":"opt","type":["null","string"],"default":null}]}
            """);
        var bytes = AvroBinary.Encode(writer, new Dictionary<string, object?>
        {
            ["i"] = 7, ["dropped"] = new List<object?> { "x", "y" }, ["old"] = "o", ["e"] = "Z", ["u"] = 3, ["s"] = "hi",
        });
        var r = (AvroRecord)AvroResolver.Decode(writer, reader, bytes)!;
        r["i"].ShouldBe(7.0);
        r["renamed"].ShouldBe("o");
        r["e"].ShouldBe(new AvroEnum((EnumSchema)reader.GetField("e")!.Schema, "B"));
        r["u"].ShouldBe(3L);
        r["s"].ShouldBe("hi"u8.ToArray());
        r["added"].ShouldBe(new Dictionary<string, object?> { ["k"] = 1 });
        r["opt"].ShouldBeNull();
    }

    [Fact]
    public void Decode_WriterUnionIntoNonUnionReader_FailsOnlyForUnreadableBranches()
    {
        var writer = AvroSchema.Parse("""["null","int"]""");
        var reader = AvroSchema.Parse("\"long\"");
        AvroResolver.Decode(writer, reader, AvroBinary.Encode(writer, 5)).ShouldBe(5L);
        Should.Throw<AvroDataException>(() => AvroResolver.Decode(writer, reader, AvroBinary.Encode(writer, null)));
    }

    [Fact]
    public void Decode_UnknownEnumSymbolWithoutDefault_Throws()
    {
        var writer = AvroSchema.Parse("""{"type":"enum","name":"E","symbols":["A","Z"]}""");
        var reader = AvroSchema.Parse("""{"type":"enum","name":"E","symbols":["A"]}""");
        AvroResolver.Decode(writer, reader, [0]).ShouldBe(new AvroEnum((EnumSchema)reader, "A"));
        Should.Throw<AvroDataException>(() => AvroResolver.Decode(writer, reader, [2])).Message.ShouldContain("'Z'");
    }

    [Fact]
    public void Decode_RecursiveAndCollections()
    {
        var writer = AvroSchema.Parse("""{"type":"record","name":"L","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","L"]},{"name":"m","type":{"type":"map","values":{"type":"array","items":"float"}}}]}""");
        var reader = AvroSchema.Parse("""{"type":"record","name":"L","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","L"]},{"name":"m","type":{"type":"map","values":{"type":"array","items":"double"}}}]}""");
        var value = AvroJson.Read(writer, """{"v":1,"next":{"L":{"v":2,"next":null,"m":{}}},"m":{"a":[1.5]}}""");
        var decoded = AvroResolver.Decode(writer, reader, AvroBinary.Encode(writer, value));
        AvroJson.Write(reader, decoded).ShouldBe("""{"v":1,"next":{"L":{"v":2,"next":null,"m":{}}},"m":{"a":[1.5]}}""");
    }

    [Fact]
    public void ResolvingDecoder_AgreesWithCheck_ForSameSchema()
    {
        var schema = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":["null","string"]},{"name":"f","type":{"type":"fixed","name":"F","size":2}}]}""");
        AvroResolver.CanRead(schema, schema).ShouldBeTrue();
        var value = AvroJson.Read(schema, """{"a":{"string":"x"},"f":"ab"}""");
        new AvroResolvingDecoder(schema, schema).Decode(AvroBinary.Encode(schema, value)).ShouldBe(value);
    }
}
