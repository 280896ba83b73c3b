using System.Text;
using System.Text.Json;
using Meshwork.Formats.JsonSchema;
using Shouldly;

namespace Meshwork.Formats.Tests.JsonSchema;

public class ValidatorTests
{
    internal static IReadOnlyList<JsonSchemaError> Errors(string schema, string instance)
    {
        using var document = JsonDocument.Parse(instance);
        return JsonSchemaDocument.Parse(schema).Validate(document.RootElement);
    }

    private static void Valid(string schema, string instance) => Errors(schema, instance).ShouldBeEmpty();

    private static JsonSchemaError Invalid(string schema, string instance, string keyword)
    {
        var errors = Errors(schema, instance);
        errors.ShouldNotBeEmpty();
        errors.Select(e => e.Keyword).ShouldContain(keyword);
        return errors.First(e => e.Keyword == keyword);
    }

    [Theory]
    [InlineData("""{"type":"integer"}""", "1.0", true)]
    [InlineData("""{"type":"integer"}""", "1.5", false)]
    [InlineData("""{"type":"integer"}""", "1e3", true)]
    [InlineData("""{"type":"number"}""", "1", true)]
    [InlineData("""{"type":"string"}""", "1", false)]
    [InlineData("""{"type":["null","boolean"]}""", "false", true)]
    [InlineData("""{"type":"object"}""", "[]", false)]
    [InlineData("""{"type":"array"}""", "[]", true)]
    [InlineData("""{"type":"null"}""", "null", true)]
    public void Type_MatchesJsonKinds(string schema, string instance, bool valid) =>
        (Errors(schema, instance).Count == 0).ShouldBe(valid);

    [Fact]
    public void Enum_AndConst_UseJsonEquality()
    {
        Valid("""{"enum":[{"a":1,"b":2}]}""", """{"b":2.0,"a":1}""");
        Invalid("""{"enum":[1,2]}""", "3", "enum");
        Valid("""{"const":[1,{"x":null}]}""", """[1.0,{"x":null}]""");
        Invalid("""{"const":"a"}""", "\"b\"", "const");
    }

    [Fact]
    public void NumericKeywords_ReportTheirKeyword()
    {
        Invalid("""{"multipleOf":0.1}""", "0.35", "multipleOf").Message.ShouldContain("0.1");
        Valid("""{"multipleOf":0.1}""", "0.3");
        Invalid("""{"maximum":3}""", "3.5", "maximum");
        Invalid("""{"exclusiveMaximum":3}""", "3", "exclusiveMaximum");
        Invalid("""{"minimum":3}""", "2", "minimum");
        Invalid("""{"exclusiveMinimum":3}""", "3", "exclusiveMinimum");
        Valid("""{"maximum":3,"minimum":3}""", "3.0");
    }

    [Fact]
    public void StringLengths_CountCodePoints()
    {
        Valid("""{"maxLength":1}""", "\"\\ud83d\\ude00\"");
        Invalid("""{"minLength":2}""", "\"\\ud83d\\ude00\"", "minLength");
        Invalid("""{"maxLength":1}""", "\"ab\"", "maxLength");
    }

    [Fact]
    public void Pattern_IsEcmaScriptSearch()
    {
        Valid("""{"pattern":"\\d"}""", "\"a1b\"");
        Invalid("""{"pattern":"^\\d+$"}""", "\"12a\"", "pattern");
        // ECMAScript \d is ASCII-only: an Arabic-Indic digit does not match.
        Invalid("""{"pattern":"^\\d$"}""", "\"\u0663\"", "pattern");
        // \p{..} is rejected by .NET's ECMAScript mode; the fallback dialect still compiles it.
        Valid("""{"pattern":"^\\p{L}+$"}""", "\"héllo\"");
    }

    [Fact]
    public void Items_SchemaAndTupleForms()
    {
        Invalid("""{"items":{"type":"integer"}}""", "[1,\"a\"]", "type").InstancePointer.ShouldBe("/1");
        Valid("""{"items":[{"type":"integer"}]}""", "[1,\"extra\"]");
        Invalid("""{"items":[{"type":"integer"}],"additionalItems":false}""", "[1,\"extra\"]", "false").InstancePointer.ShouldBe("/1");
        Invalid("""{"items":[{}],"additionalItems":{"type":"string"}}""", "[1,2]", "type").InstancePointer.ShouldBe("/1");
    }

    [Fact]
    public void ArrayCounts_UniqueAndContains()
    {
        Invalid("""{"maxItems":1}""", "[1,2]", "maxItems");
        Invalid("""{"minItems":3}""", "[1,2]", "minItems");
        Invalid("""{"uniqueItems":true}""", """[{"a":[1]},{"a":[1.0]}]""", "uniqueItems").Message.ShouldContain("items 0 and 1");
        Valid("""{"uniqueItems":true}""", """[{"a":[1]},{"a":[2]}]""");
        Valid("""{"uniqueItems":false}""", "[1,1]");
        Invalid("""{"contains":{"const":5}}""", "[1,2]", "contains");
        Valid("""{"contains":{"const":5}}""", "[1,5]");
    }

    [Fact]
    public void ObjectKeywords_ReportPropertyPointers()
    {
        Invalid("""{"required":["id"]}""", "{}", "required").Message.ShouldContain("\"id\"");
        Invalid("""{"maxProperties":1}""", """{"a":1,"b":2}""", "maxProperties");
        Invalid("""{"minProperties":1}""", "{}", "minProperties");
        Invalid("""{"properties":{"a/b":{"type":"string"}}}""", """{"a/b":1}""", "type").InstancePointer.ShouldBe("/a~1b");
        Invalid("""{"patternProperties":{"^n":{"type":"number"}}}""", """{"name":"x"}""", "type").InstancePointer.ShouldBe("/name");
        var extra = Invalid("""{"properties":{"a":{}},"additionalProperties":false}""", """{"a":1,"b":2}""", "additionalProperties");
        extra.InstancePointer.ShouldBe("/b");
        extra.Message.ShouldContain("\"b\" is not allowed");
    }

    [Fact]
    public void Dependencies_ArrayAndSchemaForms()
    {
        Invalid("""{"dependencies":{"a":["b"]}}""", """{"a":1}""", "dependencies");
        Valid("""{"dependencies":{"a":["b"]}}""", """{"b":1}""");
        Invalid("""{"dependencies":{"a":{"required":["c"]}}}""", """{"a":1}""", "required");
    }

    [Fact]
    public void PropertyNames_AreValidatedAsStrings()
    {
        Invalid("""{"propertyNames":{"maxLength":2}}""", """{"abc":1}""", "propertyNames").InstancePointer.ShouldBe("/abc");
        Valid("""{"propertyNames":{"maxLength":2}}""", """{"ab":1}""");
    }

    [Fact]
    public void Conditionals_PickTheBranch()
    {
        const string schema = """{"if":{"minimum":10},"then":{"multipleOf":10},"else":{"maximum":5}}""";
        Valid(schema, "20");
        Invalid(schema, "15", "multipleOf");
        Valid(schema, "4");
        Invalid(schema, "7", "maximum");
    }

    [Fact]
    public void Combinators_CountMatches()
    {
        Invalid("""{"allOf":[{"type":"integer"},{"minimum":2}]}""", "1", "minimum");
        Invalid("""{"anyOf":[{"type":"string"},{"type":"null"}]}""", "1", "anyOf");
        Invalid("""{"oneOf":[{"type":"integer"},{"minimum":0}]}""", "1", "oneOf").Message.ShouldContain("2 of the oneOf");
        Invalid("""{"not":{"type":"integer"}}""", "1", "not");
        Valid("""{"not":false}""", "1");
    }

    [Fact]
    public void BooleanSchemas()
    {
        Valid("true", "{}");
        Invalid("false", "{}", "false");
    }

    [Theory]
    [InlineData("date-time", "2024-05-06T07:08:09.123Z", true)]
    [InlineData("date-time", "2024-05-06 07:08:09+02:00", true)]
    [InlineData("date-time", "2024-05-06T25:08:09Z", false)]
    [InlineData("date", "2023-02-29", false)]
    [InlineData("time", "23:59:60Z", true)]
    [InlineData("time", "23:59", false)]
    [InlineData("email", "a@b.c", true)]
    [InlineData("email", "nope", false)]
    [InlineData("hostname", "api.example.com", true)]
    [InlineData("hostname", "-bad-.example", false)]
    [InlineData("ipv4", "010.1.1.1", false)]
    [InlineData("ipv6", "fe80::1", true)]
    [InlineData("uri", "https://example.com/a?b#c", true)]
    [InlineData("uri", "relative/path", false)]
    [InlineData("uri-reference", "relative/path", true)]
    [InlineData("uuid", "123e4567-e89b-12d3-a456-426614174000", true)]
    [InlineData("uuid", "123e4567e89b12d3a456426614174000", false)]
    [InlineData("regex", "[a-", false)]
    [InlineData("json-pointer", "/a~1b", true)]
    [InlineData("json-pointer", "a", false)]
    [InlineData("unknown-format", "anything", true)]
    public void Formats_AreAssertedByDefault(string format, string value, bool valid)
    {
        var schema = JsonSchemaDocument.Parse($$"""{"format":"{{format}}"}""");
        using var instance = JsonDocument.Parse(JsonSerializer.Serialize(value));
        schema.IsValid(instance.RootElement).ShouldBe(valid);
        schema.IsValid(instance.RootElement, assertFormat: false).ShouldBeTrue();
    }

    [Fact]
    public void Refs_ResolveDefinitionsIdsAndEscapes()
    {
        const string schema = """
            {"$id":"https://example.com/schemas/order.json",
             "definitions":{"money":{"$id":"money.json","type":"number","minimum":0},
                            "odd~name/x":{"type":"string"},
                            "named":{"$id":"#line","required":["sku"]}},
             "properties":{"total":{"$ref":"money.json"},
                           "code":{"$ref":"#/definitions/odd~0name~1x"},
                           "lines":{"items":{"$ref":"#line"}}}}
            """;
        Valid(schema, """{"total":1.5,"code":"A","lines":[{"sku":1}]}""");
        Invalid(schema, """{"total":-1}""", "minimum").InstancePointer.ShouldBe("/total");
        Invalid(schema, """{"code":1}""", "type");
        Invalid(schema, """{"lines":[{}]}""", "required").InstancePointer.ShouldBe("/lines/0");
    }

    [Fact]
    public void RemoteRefs_UseTheResolver()
    {
        var customer = JsonSchemaDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"definitions":{"id":{"type":"integer"}}}""");
        var asked = new List<string>();
        var order = JsonSchemaDocument.Parse(
            """{"properties":{"customer":{"$ref":"customer.json"},"customerId":{"$ref":"customer.json#/definitions/id"}}}""",
            name =>
            {
                asked.Add(name);
                return name == "customer.json" ? customer : null;
            });
        asked.ShouldContain("customer.json");
        using var good = JsonDocument.Parse("""{"customer":{"name":"Ada"},"customerId":7}""");
        order.Validate(good.RootElement).ShouldBeEmpty();
        using var bad = JsonDocument.Parse("""{"customer":{},"customerId":"7"}""");
        order.Validate(bad.RootElement).Select(e => e.Keyword).ShouldBe(["required", "type"], ignoreOrder: true);
    }

    [Fact]
    public void ValidatePayload_ParsesAndValidates()
    {
        var schema = JsonSchemaDocument.Parse("""{"type":"object","required":["id"]}""");
        schema.ValidatePayload("""{"id":1}"""u8).ShouldBeEmpty();
        schema.ValidatePayload("{}"u8).Single().Keyword.ShouldBe("required");
        var malformed = schema.ValidatePayload("{\"id\":"u8).Single();
        malformed.Keyword.ShouldBe("json");
        malformed.Message.ShouldContain("malformed JSON");
        schema.ValidatePayload("{} {}"u8).Single().Message.ShouldContain("after the value");
        schema.ValidatePayload(Encoding.UTF8.GetBytes("")).Single().Keyword.ShouldBe("json");
    }

    [Fact]
    public void Errors_CarrySchemaPointers()
    {
        var error = Errors("""{"properties":{"a":{"maxLength":1}}}""", """{"a":"xy"}""").Single();
        error.SchemaPointer.ShouldBe("/properties/a/maxLength");
        error.InstancePointer.ShouldBe("/a");
        error.ToString().ShouldContain("maxLength");
    }

    [Fact]
    public void Validate_CollectsAllErrors()
    {
        var errors = Errors("""{"properties":{"a":{"type":"string"},"b":{"minimum":5}},"required":["c"]}""", """{"a":1,"b":1}""");
        errors.Select(e => e.Keyword).ShouldBe(["required", "type", "minimum"], ignoreOrder: true);
    }
}
