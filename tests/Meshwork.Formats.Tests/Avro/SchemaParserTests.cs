using System.Text.Json;
using Meshwork.Formats.Avro;
using Shouldly;

namespace Meshwork.Formats.Tests.Avro;

public class SchemaParserTests
{
    [Theory]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"long"},{"name":"c","type":"strng"}]}""", "fields[2].type", "unknown type 'strng'")]
    [InlineData("""{"name":"R","fields":[]}""", "", "missing 'type'")]
    [InlineData("""{"type":"record","fields":[]}""", "", "missing 'name'")]
    [InlineData("""{"type":"record","name":"R"}""", "", "missing 'fields'")]
    [InlineData("""{"type":"record","name":"1R","fields":[]}""", "name", "invalid name '1R'")]
    [InlineData("""{"type":"record","name":"R","namespace":"a..b","fields":[]}""", "namespace", "invalid namespace")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}""", "fields[1].name", "duplicate field name 'a'")]
    [InlineData("""{"type":"record","name":"R","fields":[{"type":"int"}]}""", "fields[0]", "missing 'name'")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}""", "fields[0].default", "does not match")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":1}]}""", "fields[0].default", "does not match")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"up"}]}""", "fields[0].order", "order must be")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A","A"]}""", "symbols[1]", "duplicate symbol 'A'")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A","9"]}""", "symbols[1]", "invalid symbol")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A"],"default":"B"}""", "default", "not one of the symbols")]
    [InlineData("""{"type":"fixed","name":"F","size":-1}""", "size", "non-negative integer")]
    [InlineData("""{"type":"fixed","name":"F"}""", "", "missing 'size'")]
    [InlineData("""{"type":"array"}""", "", "missing 'items'")]
    [InlineData("""{"type":"map","values":"nope"}""", "values", "unknown type 'nope'")]
    [InlineData("""["int",["null"]]""", "[1]", "may not immediately contain another union")]
    [InlineData("""["int","int"]""", "[1]", "duplicate 'int' in union")]
    [InlineData("""[{"type":"fixed","name":"F","size":1},{"type":"fixed","name":"F","size":2}]""", "[1].name", "already defined")]
    [InlineData("""{"type":"record","name":"int","fields":[]}""", "name", "primitive type name")]
    [InlineData("""{"type":"fixed","name":"x.string","size":1}""", "name", "primitive type name")]
    [InlineData("""42""", "", "a schema must be")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":{"type":"map","values":"what"}}}]}""", "fields[0].type.items.values", "unknown type 'what'")]
    [InlineData("""{not json""", "", "not valid JSON")]
    public void Parse_Rejects_InvalidSchema(string json, string path, string reason)
    {
        var e = Should.Throw<AvroSchemaException>(() => AvroSchema.Parse(json));
        e.Path.ShouldBe(path);
        e.Reason.ShouldContain(reason);
        e.Message.ShouldStartWith(path.Length == 0 ? reason[..3] : path + ": ");
    }

    [Fact]
    public void Parse_NamespacesAreInheritedAndDottedNamesWin()
    {
        var schema = (RecordSchema)AvroSchema.Parse("""
            {"type":"record","name":"Outer","namespace":"a.b","fields":[
              {"name":"x","type":{"type":"enum","name":"E","symbols":["A"]}},
              {"name":"y","type":{"type":"fixed","name":"c.F","namespace":"ignored","size":1}},
              {"name":"z","type":{"type":"record","name":"N","namespace":"","fields":[]}},
              {"name":"w","type":"E"},
              {"name":"v","type":"c.F"}]}
            """);
        schema.FullName.ShouldBe("a.b.Outer");
        ((NamedSchema)schema.Fields[0].Schema).FullName.ShouldBe("a.b.E");
        ((NamedSchema)schema.Fields[1].Schema).FullName.ShouldBe("c.F");
        ((NamedSchema)schema.Fields[2].Schema).FullName.ShouldBe("N");
        ((NamedSchema)schema.Fields[2].Schema).Namespace.ShouldBeNull();
        schema.Fields[3].Schema.ShouldBeSameAs(schema.Fields[0].Schema);
        schema.Fields[4].Schema.ShouldBeSameAs(schema.Fields[1].Schema);
    }

    [Fact]
    public void Parse_RecursiveRecord_RefersToItself()
    {
        var schema = (RecordSchema)AvroSchema.Parse("""{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}""");
        ((UnionSchema)schema.Fields[0].Schema).Branches[1].ShouldBeSameAs(schema);
    }

    [Fact]
    public void Parse_KeepsExtraPropertiesDocOrderAndAliases()
    {
        var json = """
            {"type":"record","name":"manifest_entry","namespace":"iceberg","doc":"d","aliases":["old","x.older"],"custom":{"k":[1,2]},"fields":[
              {"name":"status","type":"int","field-id":0,"doc":"s","order":"descending","aliases":["state"]},
              {"name":"tags","type":{"type":"array","items":"string","element-id":7},"field-id":1},
              {"name":"m","type":{"type":"map","values":"long","key-id":8,"value-id":9},"field-id":2}]}
            """;
        var schema = (RecordSchema)AvroSchema.Parse(json);
        schema.Properties["custom"].GetRawText().ShouldBe("""{"k":[1,2]}""");
        schema.Aliases.ShouldBe(["iceberg.old", "x.older"]);
        schema.Fields[0].Properties["field-id"].GetInt32().ShouldBe(0);
        schema.Fields[0].Order.ShouldBe(AvroSortOrder.Descending);
        schema.Fields[0].Aliases.ShouldBe(["state"]);
        schema.Fields[1].Schema.Properties["element-id"].GetInt32().ShouldBe(7);
        schema.Fields[2].Schema.Properties["value-id"].GetInt32().ShouldBe(9);

        // The full form round-trips: parsing our output gives the same output.
        var full = schema.ToJson();
        AvroSchema.Parse(full).ToJson().ShouldBe(full);
        full.ShouldContain("\"field-id\":0");
        full.ShouldContain("\"element-id\":7");
        full.ShouldContain("\"aliases\":[\"old\",\"x.older\"]");
        full.ShouldContain("\"order\":\"descending\"");
        using var doc = JsonDocument.Parse(full);
        doc.RootElement.GetProperty("namespace").GetString().ShouldBe("iceberg");
    }

    [Theory]
    [InlineData("""{"type":"int","logicalType":"date"}""", AvroLogicalKind.Date)]
    [InlineData("""{"type":"int","logicalType":"time-millis"}""", AvroLogicalKind.TimeMillis)]
    [InlineData("""{"type":"long","logicalType":"time-micros"}""", AvroLogicalKind.TimeMicros)]
    [InlineData("""{"type":"long","logicalType":"timestamp-millis"}""", AvroLogicalKind.TimestampMillis)]
    [InlineData("""{"type":"long","logicalType":"timestamp-micros"}""", AvroLogicalKind.TimestampMicros)]
    [InlineData("""{"type":"long","logicalType":"timestamp-nanos"}""", AvroLogicalKind.TimestampNanos)]
    [InlineData("""{"type":"long","logicalType":"local-timestamp-millis"}""", AvroLogicalKind.LocalTimestampMillis)]
    [InlineData("""{"type":"long","logicalType":"local-timestamp-micros"}""", AvroLogicalKind.LocalTimestampMicros)]
    [InlineData("""{"type":"long","logicalType":"local-timestamp-nanos"}""", AvroLogicalKind.LocalTimestampNanos)]
    [InlineData("""{"type":"string","logicalType":"uuid"}""", AvroLogicalKind.Uuid)]
    [InlineData("""{"type":"fixed","name":"U","size":16,"logicalType":"uuid"}""", AvroLogicalKind.Uuid)]
    [InlineData("""{"type":"fixed","name":"D","size":12,"logicalType":"duration"}""", AvroLogicalKind.Duration)]
    [InlineData("""{"type":"bytes","logicalType":"decimal","precision":5,"scale":2}""", AvroLogicalKind.Decimal)]
    [InlineData("""{"type":"fixed","name":"M","size":4,"logicalType":"decimal","precision":9}""", AvroLogicalKind.Decimal)]
    public void Parse_RecognisesValidLogicalTypes(string json, AvroLogicalKind kind) =>
        AvroSchema.Parse(json).LogicalType!.Kind.ShouldBe(kind);

    // Specification, "Logical Types": an invalid logical type is ignored and the underlying type is used.
    [Theory]
    [InlineData("""{"type":"string","logicalType":"date"}""")]
    [InlineData("""{"type":"int","logicalType":"timestamp-millis"}""")]
    [InlineData("""{"type":"bytes","logicalType":"decimal"}""")]
    [InlineData("""{"type":"bytes","logicalType":"decimal","precision":0}""")]
    [InlineData("""{"type":"bytes","logicalType":"decimal","precision":2,"scale":3}""")]
    [InlineData("""{"type":"bytes","logicalType":"decimal","precision":2,"scale":-1}""")]
    [InlineData("""{"type":"fixed","name":"M","size":4,"logicalType":"decimal","precision":10}""")]
    [InlineData("""{"type":"fixed","name":"D","size":11,"logicalType":"duration"}""")]
    [InlineData("""{"type":"fixed","name":"U","size":15,"logicalType":"uuid"}""")]
    [InlineData("""{"type":"string","logicalType":"no-such-type"}""")]
    public void Parse_InvalidLogicalType_FallsBackToUnderlyingType(string json)
    {
        var schema = AvroSchema.Parse(json);
        schema.LogicalType.ShouldBeNull();
        schema.Properties.ContainsKey("logicalType").ShouldBeTrue();
    }

    [Fact]
    public void MaxDecimalPrecision_MatchesSpecificationFormula()
    {
        AvroSchemaParser.MaxDecimalPrecision(1).ShouldBe(2);
        AvroSchemaParser.MaxDecimalPrecision(4).ShouldBe(9);
        AvroSchemaParser.MaxDecimalPrecision(8).ShouldBe(18);
        AvroSchemaParser.MaxDecimalPrecision(16).ShouldBe(38);
    }

    [Theory]
    [InlineData("\"null\"", "null")]
    [InlineData("\"boolean\"", "true")]
    [InlineData("\"int\"", "-3")]
    [InlineData("\"long\"", "12345678901")]
    [InlineData("\"float\"", "1.5")]
    [InlineData("\"double\"", "\"NaN\"")]
    [InlineData("\"bytes\"", "\"\\u00ff\"")]
    [InlineData("\"string\"", "\"s\"")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A","B"]}""", "\"B\"")]
    [InlineData("""{"type":"fixed","name":"F","size":2}""", "\"ab\"")]
    [InlineData("""{"type":"array","items":"int"}""", "[1,2]")]
    [InlineData("""{"type":"map","values":"int"}""", """{"a":1}""")]
    [InlineData("""["null","int"]""", "null")]
    [InlineData("""["int","null"]""", "5")]
    [InlineData("""{"type":"record","name":"P","fields":[{"name":"x","type":"int"},{"name":"y","type":"int","default":0}]}""", """{"x":1}""")]
    public void Parse_AcceptsDefaultsMatchingTheFieldType(string type, string defaultJson) =>
        AvroSchema.Parse($$"""{"type":"record","name":"R","fields":[{"name":"f","type":{{type}},"default":{{defaultJson}}}]}""")
            .ShouldBeOfType<RecordSchema>().Fields[0].HasDefault.ShouldBeTrue();

    [Theory]
    [InlineData("\"int\"", "2147483648")]
    [InlineData("\"int\"", "1.5")]
    [InlineData("\"boolean\"", "\"true\"")]
    [InlineData("\"bytes\"", "\"\\u0100\"")]
    [InlineData("""{"type":"fixed","name":"F","size":2}""", "\"abc\"")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A"]}""", "\"Z\"")]
    [InlineData("""["int","null"]""", "null")]
    [InlineData("""{"type":"record","name":"P","fields":[{"name":"x","type":"int"}]}""", "{}")]
    public void Parse_RejectsDefaultsNotMatchingTheFieldType(string type, string defaultJson)
    {
        var e = Should.Throw<AvroSchemaException>(() =>
            AvroSchema.Parse($$"""{"type":"record","name":"R","fields":[{"name":"f","type":{{type}},"default":{{defaultJson}}}]}"""));
        e.Path.ShouldBe("fields[0].default");
    }

    [Fact]
    public void Parse_WithoutDefaultValidation_AcceptsLegacyDefaults() =>
        AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"f","type":"boolean","default":"true"}]}""",
            new AvroParseOptions { ValidateDefaults = false }).ShouldBeOfType<RecordSchema>();

    public static TheoryData<string> CorpusFiles() => [.. Meshwork.Testing.AvroCorpus.FileNames()];

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void ToJson_RoundTripsEveryCorpusSchema(string file)
    {
        var schema = Meshwork.Testing.AvroCorpus.Case(file).Parse();
        var full = schema.ToJson();
        var again = AvroSchema.Parse(full);
        again.ToJson().ShouldBe(full);
        again.ToCanonicalForm().ShouldBe(schema.ToCanonicalForm());
        AvroSchema.Parse(schema.ToJson(indented: true)).ToJson().ShouldBe(full);
    }

    [Fact]
    public void Parse_UnionDefaultOfALaterBranch_IsAllowedOnlyWhenAskedFor()
    {
        const string Json = """{"type":"record","name":"R","fields":[{"name":"f","type":["null","string"],"default":"x"}]}""";
        Should.Throw<AvroSchemaException>(() => AvroSchema.Parse(Json)).Path.ShouldBe("fields[0].default");
        var schema = (RecordSchema)AvroSchema.Parse(Json, new AvroParseOptions { AllowUnionDefaultOfAnyBranch = true });
        AvroJson.ReadDefault(schema.Fields[0].Schema, schema.Fields[0].Default!.Value).ShouldBe("x");
    }

    [Fact]
    public void Parse_ErrorType_IsARecord()
    {
        var schema = (RecordSchema)AvroSchema.Parse("""{"type":"error","name":"Oops","fields":[]}""");
        schema.IsError.ShouldBeTrue();
        schema.ToJson().ShouldContain("\"type\":\"error\"");
    }

    [Fact]
    public void Parse_DeeplyNestedSchema_FailsCleanly()
    {
        var json = string.Concat(Enumerable.Repeat("""{"type":"array","items":""", 300)) + "\"int\"" + new string('}', 300);
        Should.Throw<AvroSchemaException>(() => AvroSchema.Parse(json)).Reason.ShouldContain("nested deeper");
    }
}
