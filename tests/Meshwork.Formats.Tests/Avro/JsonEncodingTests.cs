using Meshwork.Formats.Avro;
using Shouldly;

namespace Meshwork.Formats.Tests.Avro;

public class JsonEncodingTests
{
    // Specification, "JSON Encoding": unions are {"type": value} except null; bytes and fixed are ISO-8859-1 strings.
    [Theory]
    [InlineData("\"null\"", "null")]
    [InlineData("\"boolean\"", "true")]
    [InlineData("\"int\"", "-5")]
    [InlineData("\"long\"", "9223372036854775807")]
    [InlineData("\"double\"", "1.5")]
    [InlineData("\"double\"", "\"NaN\"")]
    [InlineData("\"float\"", "\"-Infinity\"")]
    [InlineData("\"string\"", "\"h\u00e9\"")]
    [InlineData("\"bytes\"", "\"\\u0000\u00ff\"")]
    [InlineData("""{"type":"fixed","name":"F","size":2}""", "\"a\u00e9\"")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A","B"]}""", "\"B\"")]
    [InlineData("""{"type":"array","items":["null","int"]}""", """[null,{"int":1}]""")]
    [InlineData("""{"type":"map","values":"long"}""", """{"a":1,"b":2}""")]
    [InlineData("""["null",{"type":"record","name":"x.R","fields":[{"name":"a","type":"int"}]}]""", """{"x.R":{"a":1}}""")]
    [InlineData("""["null",{"type":"map","values":"int"},{"type":"array","items":"int"}]""", """{"array":[1]}""")]
    public void Json_RoundTrips(string schemaJson, string json)
    {
        var schema = AvroSchema.Parse(schemaJson);
        var value = AvroJson.Read(schema, json);
        AvroJson.Write(schema, value).ShouldBe(json);
        AvroBinary.Decode(schema, AvroBinary.Encode(schema, value)).ShouldBe(value, AvroValueComparer.Instance);
    }

    [Fact]
    public void Json_MissingFieldsTakeDefaults_UnionDefaultIsFirstBranch()
    {
        var schema = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"u","type":["string","null"],"default":"d"}]}""");
        AvroJson.Write(schema, AvroJson.Read(schema, """{"a":1}""")).ShouldBe("""{"a":1,"u":{"string":"d"}}""");
    }

    [Theory]
    [InlineData("\"int\"", "\"1\"", "expected int")]
    [InlineData("\"int\"", "3000000000", "expected int")]
    [InlineData("""["null","int"]""", "1", "union value")]
    [InlineData("""["null","int"]""", """{"long":1}""", "not a branch")]
    [InlineData("""["null","int"]""", """{"int":1,"null":null}""", "exactly one")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""", "{}", "missing field 'a'")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"}}]}""", """{"a":[1,"x"]}""", "a[1]: expected int")]
    [InlineData("\"bytes\"", "\"\u0100\"", "above U+00FF")]
    public void Json_RejectsMismatches_WithAPath(string schemaJson, string json, string message) =>
        Should.Throw<AvroDataException>(() => AvroJson.Read(AvroSchema.Parse(schemaJson), json)).Message.ShouldContain(message);
}
