using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;

namespace Meshwork.Registry.Tests;

/// <summary>The Confluent REST API over a real Kestrel listener, driven with HttpClient.</summary>
public sealed class RestApiTests(RegistryServerFixture server) : IClassFixture<RegistryServerFixture>
{
    private const string VndJson = "application/vnd.schemaregistry.v1+json";
    private const string User = """{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"name","type":"string"}]}""";
    private const string UserV2 = """{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]}""";
    private const string UserBreaking = """{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]}""";

    private const string Noise = "{}[]\",:0-e\\";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private HttpClient Http => server.Client;

    private static string NewSubject(string hint) => $"{hint}-{Guid.NewGuid():n}";

    private static string Unique(string name) =>
        $$"""{"type":"record","name":"{{name}}","namespace":"com.acme.n{{Guid.NewGuid():n}}","fields":[{"name":"name","type":"string"}]}""";

    private static string Body(string schema, string? extra = null) =>
        new JsonObject { ["schema"] = schema }.ToJsonString()[..^1] + (extra is null ? "" : "," + extra) + "}";

    private async Task<(HttpStatusCode Status, JsonNode? Json, string Text, HttpResponseMessage Response)> SendAsync(
        HttpMethod method, string path, string? body = null, string contentType = VndJson)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await Http.SendAsync(request, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        JsonNode? json = null;
        try
        {
            json = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
        }

        return (response.StatusCode, json, text, response);
    }

    private Task<(HttpStatusCode Status, JsonNode? Json, string Text, HttpResponseMessage Response)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    private Task<(HttpStatusCode Status, JsonNode? Json, string Text, HttpResponseMessage Response)> PostAsync(string path, string body, string contentType = VndJson) =>
        SendAsync(HttpMethod.Post, path, body, contentType);

    private Task<(HttpStatusCode Status, JsonNode? Json, string Text, HttpResponseMessage Response)> PutAsync(string path, string body) => SendAsync(HttpMethod.Put, path, body);

    private Task<(HttpStatusCode Status, JsonNode? Json, string Text, HttpResponseMessage Response)> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    private static void ShouldBeError((HttpStatusCode Status, JsonNode? Json, string Text, HttpResponseMessage Response) r, int errorCode)
    {
        r.Json.ShouldNotBeNull($"body was: {r.Text}");
        r.Json!["error_code"]!.GetValue<int>().ShouldBe(errorCode, r.Text);
        r.Json["message"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        ((int)r.Status).ShouldBe(SchemaRegistryException.HttpStatusOf(errorCode), r.Text);
        r.Response.Content.Headers.ContentType!.MediaType.ShouldBe(VndJson);
    }

    private async Task<int> RegisterAsync(string subject, string schema)
    {
        var r = await PostAsync($"/subjects/{Uri.EscapeDataString(subject)}/versions", Body(schema));
        r.Status.ShouldBe(HttpStatusCode.OK, r.Text);
        return r.Json!["id"]!.GetValue<int>();
    }

    [Fact]
    public async Task Root_AndContexts_AndMetadata()
    {
        (await GetAsync("/")).Text.ShouldBe("{}");
        (await PostAsync("/", "{}")).Text.ShouldBe("{}");
        (await GetAsync("/contexts")).Text.ShouldBe("[\".\"]");
        var id = await GetAsync("/v1/metadata/id");
        id.Json!["scope"]!["clusters"]!["schema-registry-cluster"]!.GetValue<string>().ShouldBe("schema-registry");
        (await GetAsync("/schemas/types")).Text.ShouldBe("[\"AVRO\",\"JSON\"]");
    }

    [Fact]
    public async Task Register_ThenReadBackEveryWay()
    {
        var subject = NewSubject("rest");
        var schema = Unique("Rest");
        var r = await PostAsync($"/subjects/{subject}/versions", Body(schema));
        r.Status.ShouldBe(HttpStatusCode.OK);
        r.Response.Content.Headers.ContentType!.MediaType.ShouldBe(VndJson);
        var id = r.Json!["id"]!.GetValue<int>();
        r.Json["version"]!.GetValue<int>().ShouldBe(1);

        (await PostAsync($"/subjects/{subject}/versions", Body(schema))).Json!["id"]!.GetValue<int>().ShouldBe(id);

        var latest = await GetAsync($"/subjects/{subject}/versions/latest");
        latest.Json!["subject"]!.GetValue<string>().ShouldBe(subject);
        latest.Json["version"]!.GetValue<int>().ShouldBe(1);
        latest.Json["id"]!.GetValue<int>().ShouldBe(id);
        latest.Json["schema"]!.GetValue<string>().ShouldBe(JsonNode.Parse(schema)!.ToJsonString());
        latest.Json.AsObject().ContainsKey("schemaType").ShouldBeFalse("AVRO is the default and left out, as Confluent does");
        (await GetAsync($"/subjects/{subject}/versions/-1")).Json!["version"]!.GetValue<int>().ShouldBe(1);
        (await GetAsync($"/subjects/{subject}/versions/1")).Json!["id"]!.GetValue<int>().ShouldBe(id);
        (await GetAsync($"/subjects/{subject}/versions/1/schema")).Text.ShouldBe(JsonNode.Parse(schema)!.ToJsonString());
        (await GetAsync($"/subjects/{subject}/versions")).Text.ShouldBe("[1]");
        (await GetAsync($"/subjects/{subject}/versions/1/referencedby")).Text.ShouldBe("[]");

        var byId = await GetAsync($"/schemas/ids/{id}");
        byId.Json!["schema"]!.GetValue<string>().ShouldBe(latest.Json["schema"]!.GetValue<string>());
        (await GetAsync($"/schemas/ids/{id}?fetchMaxId=true")).Json!["maxId"]!.GetValue<int>().ShouldBeGreaterThanOrEqualTo(id);
        (await GetAsync($"/schemas/ids/{id}/schema")).Text.ShouldBe(latest.Json["schema"]!.GetValue<string>());
        (await GetAsync($"/schemas/ids/{id}/subjects")).Json!.AsArray().Select(n => n!.GetValue<string>()).ShouldContain(subject);
        var versions = (await GetAsync($"/schemas/ids/{id}/versions")).Json!.AsArray();
        versions.ShouldContain(n => n!["subject"]!.GetValue<string>() == subject && n["version"]!.GetValue<int>() == 1);

        (await GetAsync("/subjects")).Json!.AsArray().Select(n => n!.GetValue<string>()).ShouldContain(subject);
        (await GetAsync($"/subjects?subjectPrefix={subject}")).Text.ShouldBe($"[\"{subject}\"]");
        (await GetAsync($"/schemas?subjectPrefix={subject}")).Json!.AsArray().Single()!["id"]!.GetValue<int>().ShouldBe(id);

        var lookup = await PostAsync($"/subjects/{subject}", Body(schema));
        lookup.Json!["version"]!.GetValue<int>().ShouldBe(1);
        lookup.Json["id"]!.GetValue<int>().ShouldBe(id);
    }

    [Fact]
    public async Task Register_AcceptsEveryDocumentedContentType_AndRejectsOthers()
    {
        foreach (var contentType in new[] { "application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json", "application/json", "application/octet-stream" })
        {
            (await PostAsync($"/subjects/{NewSubject("ct")}/versions", Body(User), contentType)).Status.ShouldBe(HttpStatusCode.OK, contentType);
        }

        ShouldBeError(await PostAsync($"/subjects/{NewSubject("ct")}/versions", Body(User), "text/plain"), 415);
    }

    [Fact]
    public async Task Register_Incompatible_Is409_AndCompatibilityEndpointsExplain()
    {
        var subject = NewSubject("compat");
        await RegisterAsync(subject, User);

        var ok = await PostAsync($"/compatibility/subjects/{subject}/versions/latest", Body(UserV2));
        ok.Text.ShouldBe("{\"is_compatible\":true}");
        var bad = await PostAsync($"/compatibility/subjects/{subject}/versions/latest?verbose=true", Body(UserBreaking));
        bad.Json!["is_compatible"]!.GetValue<bool>().ShouldBeFalse();
        bad.Json["messages"]!.AsArray().Select(m => m!.GetValue<string>()).ShouldContain(m => m.Contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
        (await PostAsync($"/compatibility/subjects/{subject}/versions", Body(UserBreaking))).Json!["is_compatible"]!.GetValue<bool>().ShouldBeFalse();
        (await PostAsync($"/compatibility/subjects/{subject}/versions/1", Body(UserV2))).Json!["is_compatible"]!.GetValue<bool>().ShouldBeTrue();
        (await PostAsync($"/compatibility/subjects/{NewSubject("fresh")}/versions/latest", Body(UserBreaking))).Json!["is_compatible"]!.GetValue<bool>().ShouldBeTrue();
        ShouldBeError(await PostAsync($"/compatibility/subjects/{subject}/versions/9", Body(UserV2)), 40402);
        ShouldBeError(await PostAsync($"/compatibility/subjects/{NewSubject("none")}/versions/1", Body(UserV2)), 40401);
        ShouldBeError(await PostAsync($"/compatibility/subjects/{subject}/versions/zero", Body(UserV2)), 42202);

        var rejected = await PostAsync($"/subjects/{subject}/versions", Body(UserBreaking));
        ShouldBeError(rejected, 409);
        rejected.Json!["message"]!.GetValue<string>().ShouldContain("incompatible");
    }

    [Fact]
    public async Task Config_GetPutDelete_WithTheConfluentFieldNames()
    {
        (await GetAsync("/config")).Json!["compatibilityLevel"]!.GetValue<string>().ShouldBe("BACKWARD");
        var subject = NewSubject("config");

        ShouldBeError(await GetAsync($"/config/{subject}"), 40408);
        (await GetAsync($"/config/{subject}?defaultToGlobal=true")).Json!["compatibilityLevel"]!.GetValue<string>().ShouldBe("BACKWARD");
        (await PutAsync($"/config/{subject}", """{"compatibility":"FULL"}""")).Text.ShouldBe("{\"compatibility\":\"FULL\"}");
        (await GetAsync($"/config/{subject}")).Text.ShouldBe("{\"compatibilityLevel\":\"FULL\"}");
        ShouldBeError(await PutAsync($"/config/{subject}", """{"compatibility":"SIDEWAYS"}"""), 42203);
        ShouldBeError(await PutAsync($"/config/{subject}", """{"compatibility":7}"""), 42203);
        ShouldBeError(await PutAsync($"/config/{subject}", """{}"""), 42203);
        (await DeleteAsync($"/config/{subject}")).Json!["compatibilityLevel"]!.GetValue<string>().ShouldBe("FULL");
        ShouldBeError(await DeleteAsync($"/config/{subject}"), 40401);
    }

    [Fact]
    public async Task Mode_GetPutDelete()
    {
        (await GetAsync("/mode")).Text.ShouldBe("{\"mode\":\"READWRITE\"}");
        var subject = NewSubject("mode");
        await RegisterAsync(subject, Unique("Moded"));
        ShouldBeError(await GetAsync($"/mode/{subject}"), 40409);
        (await GetAsync($"/mode/{subject}?defaultToGlobal=true")).Text.ShouldBe("{\"mode\":\"READWRITE\"}");
        (await PutAsync($"/mode/{subject}", """{"mode":"READONLY"}""")).Text.ShouldBe("{\"mode\":\"READONLY\"}");
        ShouldBeError(await PostAsync($"/subjects/{subject}/versions", Body(Unique("Blocked"))), 42205);
        ShouldBeError(await DeleteAsync($"/subjects/{subject}"), 42205);
        ShouldBeError(await PutAsync($"/mode/{subject}", """{"mode":"SOMETIMES"}"""), 42204);
        ShouldBeError(await PutAsync($"/mode/{subject}", """{"mode":"IMPORT"}"""), 42205);
        (await PutAsync($"/mode/{subject}?force=true", """{"mode":"IMPORT"}""")).Text.ShouldBe("{\"mode\":\"IMPORT\"}");
        (await DeleteAsync($"/mode/{subject}")).Text.ShouldBe("{\"mode\":\"IMPORT\"}");
        ShouldBeError(await DeleteAsync($"/mode/{subject}"), 40409);

        var imported = NewSubject("import");
        (await PutAsync($"/mode/{imported}", """{"mode":"IMPORT"}""")).Status.ShouldBe(HttpStatusCode.OK);
        var id = 2_000_000 + Random.Shared.Next(1_000_000);
        var r = await PostAsync($"/subjects/{imported}/versions", Body(Unique("Imp"), $"\"id\":{id},\"version\":3"));
        r.Text.ShouldBe($"{{\"id\":{id},\"version\":3}}");
        ShouldBeError(await PostAsync($"/subjects/{NewSubject("rw")}/versions", Body(Unique("Imp"), "\"id\":99")), 42205);
    }

    [Fact]
    public async Task Delete_SoftThenHard_OverHttp()
    {
        var subject = NewSubject("del");
        await RegisterAsync(subject, User);
        await RegisterAsync(subject, UserV2);

        ShouldBeError(await DeleteAsync($"/subjects/{subject}/versions/2?permanent=true"), 40407);
        (await DeleteAsync($"/subjects/{subject}/versions/2")).Text.ShouldBe("2");
        ShouldBeError(await DeleteAsync($"/subjects/{subject}/versions/2"), 40406);
        (await DeleteAsync($"/subjects/{subject}/versions/2?permanent=true")).Text.ShouldBe("2");
        ShouldBeError(await DeleteAsync($"/subjects/{subject}/versions/2?permanent=true"), 40402);
        ShouldBeError(await DeleteAsync($"/subjects/{subject}?permanent=true"), 40405);
        (await DeleteAsync($"/subjects/{subject}")).Text.ShouldBe("[1]");
        ShouldBeError(await DeleteAsync($"/subjects/{subject}"), 40404);
        ShouldBeError(await GetAsync($"/subjects/{subject}/versions"), 40401);
        (await GetAsync($"/subjects/{subject}/versions?deleted=true")).Text.ShouldBe("[1]");
        (await GetAsync($"/subjects/{subject}/versions/1?deleted=true")).Json!["deleted"]!.GetValue<bool>().ShouldBeTrue();
        (await GetAsync($"/subjects?deletedOnly=true&subjectPrefix={subject}")).Text.ShouldBe($"[\"{subject}\"]");
        (await DeleteAsync($"/subjects/{subject}?permanent=true")).Text.ShouldBe("[1]");
        ShouldBeError(await DeleteAsync($"/subjects/{subject}"), 40401);
    }

    [Fact]
    public async Task References_OverHttp()
    {
        var addressSubject = NewSubject("addr");
        var ns = $"n{Guid.NewGuid():n}";
        await RegisterAsync(addressSubject, $$"""{"type":"record","name":"Address","namespace":"{{ns}}","fields":[{"name":"city","type":"string"}]}""");
        var referrer = $$"""{"type":"record","name":"Customer","namespace":"{{ns}}","fields":[{"name":"home","type":"{{ns}}.Address"}]}""";
        var refs = $$"""
            "references":[{"name":"{{ns}}.Address","subject":"{{addressSubject}}","version":1}]
            """;
        var r = await PostAsync($"/subjects/{NewSubject("cust")}/versions", Body(referrer, refs));
        r.Status.ShouldBe(HttpStatusCode.OK, r.Text);
        var id = r.Json!["id"]!.GetValue<int>();

        (await GetAsync($"/subjects/{addressSubject}/versions/1/referencedby")).Text.ShouldBe($"[{id}]");
        var byId = await GetAsync($"/schemas/ids/{id}");
        byId.Json!["references"]![0]!["subject"]!.GetValue<string>().ShouldBe(addressSubject);
        ShouldBeError(await DeleteAsync($"/subjects/{addressSubject}/versions/1"), 42206);
        ShouldBeError(await PostAsync($"/subjects/{NewSubject("cust")}/versions", Body(referrer)), 42201);
        ShouldBeError(await PostAsync($"/subjects/{NewSubject("cust")}/versions", Body(referrer, "\"references\":{}")), 400);
        ShouldBeError(await PostAsync($"/subjects/{NewSubject("cust")}/versions", Body(referrer, "\"references\":[{\"name\":1}]")), 42201);
    }

    [Fact]
    public async Task SchemaTypes_ProtobufAndUnknown_AreRefusedClearly()
    {
        var proto = await PostAsync($"/subjects/{NewSubject("proto")}/versions", Body("syntax = \"proto3\";", "\"schemaType\":\"PROTOBUF\""));
        ShouldBeError(proto, 42201);
        proto.Json!["message"]!.GetValue<string>().ShouldContain("PROTOBUF is not supported");
        ShouldBeError(await PostAsync($"/subjects/{NewSubject("xml")}/versions", Body("<x/>", "\"schemaType\":\"XML\"")), 42201);
    }

    [Fact]
    public async Task JsonSchema_RegistersAndReadsBack_WithItsType()
    {
        var subject = NewSubject("json");
        var schema = """{"$schema":"http://json-schema.org/draft-07/schema#","title":"Invoice","type":"object","properties":{"total":{"type":"number"}},"required":["total"]}""";
        var r = await PostAsync($"/subjects/{subject}/versions", Body(schema, "\"schemaType\":\"JSON\""));
        r.Status.ShouldBe(HttpStatusCode.OK, r.Text);
        var id = r.Json!["id"]!.GetValue<int>();

        var byId = await GetAsync($"/schemas/ids/{id}");
        byId.Json!["schemaType"]!.GetValue<string>().ShouldBe("JSON");
        byId.Json["schema"]!.GetValue<string>().ShouldBe(schema, "JSON schemas are stored compact, in the order written");
        (await GetAsync($"/subjects/{subject}/versions/latest")).Json!["schemaType"]!.GetValue<string>().ShouldBe("JSON");
        (await PostAsync($"/subjects/{subject}", Body(schema, "\"schemaType\":\"JSON\""))).Json!["id"]!.GetValue<int>().ShouldBe(id);

        // The same text as AVRO is a different (and here invalid) schema: the type is part of the identity.
        ShouldBeError(await PostAsync($"/subjects/{subject}", Body(schema)), 42201);
    }

    [Fact]
    public async Task JsonSchema_Incompatible_Is409_WithConfluentDifferenceNames()
    {
        var subject = NewSubject("json-compat");
        var v1 = """{"type":"object","properties":{"id":{"type":"string"}}}""";
        var v2 = """{"type":"object","properties":{"id":{"type":"string"},"n":{"type":"integer"}}}""";
        (await PostAsync($"/subjects/{subject}/versions", Body(v1, "\"schemaType\":\"JSON\""))).Status.ShouldBe(HttpStatusCode.OK);

        var verdict = await PostAsync($"/compatibility/subjects/{subject}/versions/latest?verbose=true", Body(v2, "\"schemaType\":\"JSON\""));
        verdict.Json!["is_compatible"]!.GetValue<bool>().ShouldBeFalse();
        verdict.Json["messages"]!.AsArray().Select(m => m!.GetValue<string>()).ShouldContain(m => m.Contains("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL") && m.Contains("#/properties/n"));
        ShouldBeError(await PostAsync($"/subjects/{subject}/versions", Body(v2, "\"schemaType\":\"JSON\"")), 409);

        // Registering an AVRO schema under a JSON subject is refused as a type change (Confluent: "different schema type").
        var avro = await PostAsync($"/subjects/{subject}/versions", Body(User));
        ShouldBeError(avro, 409);
        avro.Json!["message"]!.GetValue<string>().ShouldContain("different schema type");
    }

    [Fact]
    public async Task JsonSchema_References_ResolveByName()
    {
        var addressSubject = NewSubject("json-addr");
        var address = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";
        (await PostAsync($"/subjects/{addressSubject}/versions", Body(address, "\"schemaType\":\"JSON\""))).Status.ShouldBe(HttpStatusCode.OK);
        var customer = """{"type":"object","properties":{"home":{"$ref":"address.json"}}}""";
        var refs = $$"""
            "schemaType":"JSON","references":[{"name":"address.json","subject":"{{addressSubject}}","version":1}]
            """;

        var r = await PostAsync($"/subjects/{NewSubject("json-cust")}/versions", Body(customer, refs));
        r.Status.ShouldBe(HttpStatusCode.OK, r.Text);
        var id = r.Json!["id"]!.GetValue<int>();
        (await GetAsync($"/schemas/ids/{id}")).Json!["references"]![0]!["name"]!.GetValue<string>().ShouldBe("address.json");
        (await GetAsync($"/subjects/{addressSubject}/versions/1/referencedby")).Text.ShouldBe($"[{id}]");

        // Validation follows the reference: the broker's full check sees the referenced schema's "required".
        server.Registry.TryValidatePayload(id, """{"home":{"city":"Lyon"}}"""u8, out _).ShouldBeTrue();
        server.Registry.TryValidatePayload(id, """{"home":{}}"""u8, out var error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain("city");

        var unresolved = await PostAsync($"/subjects/{NewSubject("json-cust")}/versions", Body(customer, "\"schemaType\":\"JSON\""));
        ShouldBeError(unresolved, 42201);
        unresolved.Json!["message"]!.GetValue<string>().ShouldContain("address.json");
    }

    [Theory]
    [InlineData("{\"type\":\"objekt\"}")]
    [InlineData("{\"type\":\"string\",\"minLength\":-1}")]
    [InlineData("{\"properties\":[]}")]
    [InlineData("{\"pattern\":\"(unclosed\"}")]
    [InlineData("{\"$ref\":\"#/definitions/missing\"}")]
    [InlineData("{not json")]
    [InlineData("42")]
    public async Task InvalidJsonSchemas_Are42201_NamingWhere(string schema)
    {
        var r = await PostAsync($"/subjects/{NewSubject("bad-json")}/versions", Body(schema, "\"schemaType\":\"JSON\""));
        ShouldBeError(r, 42201);
        r.Json!["message"]!.GetValue<string>().ShouldStartWith("Invalid JSON schema: #");
        ShouldBeError(await PostAsync($"/compatibility/subjects/{NewSubject("bad-json")}/versions/latest", Body(schema, "\"schemaType\":\"JSON\"")), 42201);
    }

    [Fact]
    public async Task JsonSchema_Normalize_MatchesKeyOrderVariants()
    {
        var subject = NewSubject("json-norm");
        var a = """{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}""";
        var b = """{"properties":{"a":{"type":"integer"},"b":{"type":"string"}},"type":"object"}""";
        var first = await PostAsync($"/subjects/{subject}/versions?normalize=true", Body(a, "\"schemaType\":\"JSON\""));
        var second = await PostAsync($"/subjects/{subject}/versions?normalize=true", Body(b, "\"schemaType\":\"JSON\""));
        second.Json!["id"]!.GetValue<int>().ShouldBe(first.Json!["id"]!.GetValue<int>());
        (await GetAsync($"/subjects/{subject}/versions")).Text.ShouldBe("[1]");
        (await PostAsync($"/subjects/{subject}?normalize=true", Body(b, "\"schemaType\":\"JSON\""))).Json!["version"]!.GetValue<int>().ShouldBe(1);
        // Without normalize=true a lookup compares the text as given with the stored (normalized, key-sorted) form.
        ShouldBeError(await PostAsync($"/subjects/{subject}", Body(a, "\"schemaType\":\"JSON\"")), 40403);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"schema\": ")]
    [InlineData("[]")]
    [InlineData("\"just a string\"")]
    [InlineData("{\"schema\": {\"type\": \"string\"}}")]
    [InlineData("{\"schema\": \"\\\"string\\\"\", \"version\": \"one\"}")]
    [InlineData("{\"schema\": \"\\\"string\\\"\", \"id\": 99999999999}")]
    [InlineData("{\"schema\": \"\\\"string\\\"\", \"metadata\": [1]}")]
    [InlineData("{\"schema\": \"\\\"string\\\"\", \"references\": {}}")]
    [InlineData("{\"schema\": \"\\\"string\\\"\", \"references\": [1]}")]
    public async Task UnreadableBodies_Are400_AsConfluentRestUtilsAnswers_NeverA500(string body)
    {
        // Confluent's rest-utils maps Jackson parse and mapping errors to HTTP 400, error_code 400.
        ShouldBeError(await PostAsync($"/subjects/{NewSubject("malformed")}/versions", body), 400);
        ShouldBeError(await PostAsync($"/subjects/{NewSubject("malformed")}", body), 400);
        ShouldBeError(await PostAsync($"/compatibility/subjects/{NewSubject("malformed")}/versions/latest", body), 400);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"schema\": 42}")]
    [InlineData("{\"schema\": \"\"}")]
    [InlineData("{\"schema\": \"{\\\"type\\\": \\\"nope\\\"}\"}")]
    [InlineData("{\"schema\": \"{not json\"}")]
    [InlineData("{\"schema\": \"\\\"string\\\"\", \"schemaType\": 5}")]
    [InlineData("{\"schema\": \"\\ud800\"}")]
    [InlineData("{\"schema\": \"[\\\"null\\\", \\\"null\\\"]\"}")]
    [InlineData("{\"schema\": \"\\\"string\\\"\", \"references\": [{\"name\": 1}]}")]
    public async Task InvalidSchemas_Are42201_NeverA500(string body)
    {
        var r = await PostAsync($"/subjects/{NewSubject("malformed")}/versions", body);
        ShouldBeError(r, 42201);
        var lookup = await PostAsync($"/subjects/{NewSubject("malformed")}", body);
        ((int)lookup.Status).ShouldBeLessThan(500, lookup.Text);
        var compat = await PostAsync($"/compatibility/subjects/{NewSubject("malformed")}/versions/latest", body);
        ShouldBeError(compat, 42201);
    }

    [Theory]
    [InlineData("AVRO", 100)]
    [InlineData("AVRO", 20_000)]
    [InlineData("JSON", 100)]
    [InlineData("JSON", 20_000)]
    public async Task DeeplyNestedSchemas_AreAnsweredWithoutCrashing(string type, int depth)
    {
        // A schema nested deeper than any parser's stack allows must be refused, not take the server down.
        var schema = type == "AVRO"
            ? string.Concat(Enumerable.Repeat("{\"type\":\"array\",\"items\":", depth)) + "\"int\"" + new string('}', depth)
            : string.Concat(Enumerable.Repeat("{\"items\":", depth)) + "{}" + new string('}', depth);
        var r = await PostAsync($"/subjects/{NewSubject("deep")}/versions", Body(schema, $"\"schemaType\":\"{type}\""));
        if (depth > 1000)
        {
            ShouldBeError(r, 42201);
        }
        else
        {
            r.Status.ShouldBe(HttpStatusCode.OK, r.Text);
        }

        (await GetAsync("/")).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/config/{0}", "{\"compatibility\": ")]
    [InlineData("/config/{0}", "[\"FULL\"]")]
    [InlineData("/config/{0}", "{\"compatibility\": [\"FULL\"]}")]
    [InlineData("/mode/{0}", "{\"mode\"")]
    [InlineData("/mode/{0}", "{\"mode\": {}}")]
    [InlineData("/config", "not json")]
    public async Task UnreadableConfigAndModeBodies_Are400(string path, string body)
    {
        ShouldBeError(await PutAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, path, NewSubject("cfg")), body), 400);
    }

    [Fact]
    public async Task EmptyBody_AndOversizedBody_AreRejected()
    {
        ShouldBeError(await PostAsync($"/subjects/{NewSubject("empty")}/versions", ""), 400);
        var huge = "{\"schema\":\"" + new string('x', SchemaRegistryEndpoints.MaxBodyBytes) + "\"}";
        ShouldBeError(await PostAsync($"/subjects/{NewSubject("huge")}/versions", huge), 42209);
    }

    [Fact]
    public async Task OversizedChunkedBody_WithoutContentLength_Is42209()
    {
        // No Content-Length: the limit must hold while reading, not only from the header.
        var huge = Encoding.UTF8.GetBytes("{\"schema\":\"" + new string('x', SchemaRegistryEndpoints.MaxBodyBytes) + "\"}");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/subjects/{NewSubject("chunked")}/versions")
        {
            Content = new StreamContent(new MemoryStream(huge)),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(VndJson);
        request.Headers.TransferEncodingChunked = true;

        using var response = await Http.SendAsync(request, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);

        ((int)response.StatusCode).ShouldBe(422, text);
        JsonNode.Parse(text)!["error_code"]!.GetValue<int>().ShouldBe(42209);
    }

    [Theory]
    [InlineData("abc", 40403)]
    [InlineData("0", 40403)]
    [InlineData("-5", 40403)]
    [InlineData("2147483648", 40403)]
    [InlineData("99999999999999999999999", 40403)]
    [InlineData("2147483647", 40403)]
    [InlineData("1.5", 40403)]
    public async Task AbsurdSchemaIds_Are40403(string id, int errorCode)
    {
        ShouldBeError(await GetAsync($"/schemas/ids/{id}"), errorCode);
        ShouldBeError(await GetAsync($"/schemas/ids/{id}/schema"), errorCode);
        ShouldBeError(await GetAsync($"/schemas/ids/{id}/subjects"), errorCode);
        ShouldBeError(await GetAsync($"/schemas/ids/{id}/versions"), errorCode);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("2147483648")]
    [InlineData("1e3")]
    public async Task AbsurdVersions_Are42202(string version)
    {
        var subject = NewSubject("ver");
        await RegisterAsync(subject, User);
        ShouldBeError(await GetAsync($"/subjects/{subject}/versions/{version}"), 42202);
        ShouldBeError(await GetAsync($"/subjects/{subject}/versions/{version}/schema"), 42202);
        ShouldBeError(await GetAsync($"/subjects/{subject}/versions/{version}/referencedby"), 42202);
        ShouldBeError(await DeleteAsync($"/subjects/{subject}/versions/{version}"), 42202);
    }

    [Fact]
    public async Task UnknownSubjectsAndVersions_Are404s()
    {
        var subject = NewSubject("unknown");
        ShouldBeError(await GetAsync($"/subjects/{subject}/versions"), 40401);
        ShouldBeError(await GetAsync($"/subjects/{subject}/versions/latest"), 40401);
        ShouldBeError(await GetAsync($"/subjects/{subject}/versions/1/schema"), 40401);
        ShouldBeError(await PostAsync($"/subjects/{subject}", Body(User)), 40401);
        ShouldBeError(await DeleteAsync($"/subjects/{subject}"), 40401);
        ShouldBeError(await DeleteAsync($"/subjects/{subject}/versions/1"), 40401);
        await RegisterAsync(subject, User);
        ShouldBeError(await GetAsync($"/subjects/{subject}/versions/2"), 40402);
        ShouldBeError(await PostAsync($"/subjects/{subject}", Body(UserV2)), 40403);
    }

    [Fact]
    public async Task InvalidSubjectNames_Are42208()
    {
        ShouldBeError(await PostAsync($"/subjects/{Uri.EscapeDataString("bad\u0001subject")}/versions", Body(User)), 42208);
        ShouldBeError(await PostAsync("/subjects/__GLOBAL/versions", Body(User)), 42208);
        ShouldBeError(await PostAsync($"/subjects/{new string('s', 300)}/versions", Body(User)), 42208);
    }

    [Fact]
    public async Task SubjectsWithSlashesAndSpaces_RoundTrip()
    {
        var subject = $"a/b c-{Guid.NewGuid():n}";
        await RegisterAsync(subject, User);
        (await GetAsync($"/subjects/{Uri.EscapeDataString(subject)}/versions/latest")).Json!["subject"]!.GetValue<string>().ShouldBe(subject);
    }

    [Fact]
    public async Task EveryRequest_AsksThePolicyOnce_AndDenialIs403()
    {
        var before = server.Policy.Decisions;
        await GetAsync("/subjects");
        server.Policy.Decisions.ShouldBe(before + 1);

        var denied = await PostAsync($"/subjects/forbidden-{Guid.NewGuid():n}/versions", Body(User));
        ShouldBeError(denied, 40301);
        ShouldBeError(await GetAsync($"/config/forbidden-x"), 40301);
    }

    [Fact]
    public async Task Normalize_MatchesCosmeticVariants()
    {
        var subject = NewSubject("norm");
        var a = """{"type":"record","name":"N","namespace":"com.acme","fields":[{"name":"x","type":"int","doc":"d"}]}""";
        var b = """{"fields":[{"doc":"d","type":"int","name":"x"}],"namespace":"com.acme","name":"N","type":"record"}""";
        var first = await PostAsync($"/subjects/{subject}/versions?normalize=true", Body(a));
        var second = await PostAsync($"/subjects/{subject}/versions?normalize=true", Body(b));
        second.Json!["version"]!.GetValue<int>().ShouldBe(first.Json!["version"]!.GetValue<int>());
        (await PostAsync($"/subjects/{subject}?normalize=true", Body(b))).Json!["version"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task Metadata_AndRuleSet_AreStored_AndChangeTheIdentity()
    {
        var subject = NewSubject("contract");
        var schema = Unique("Contract");
        var plain = await PostAsync($"/subjects/{subject}/versions", Body(schema));
        var withMetadata = await PostAsync($"/subjects/{subject}/versions", Body(schema, "\"metadata\":{\"properties\":{\"owner\":\"sales\"}}"));
        withMetadata.Status.ShouldBe(HttpStatusCode.OK, withMetadata.Text);
        withMetadata.Json!["id"]!.GetValue<int>().ShouldNotBe(plain.Json!["id"]!.GetValue<int>());
        var latest = await GetAsync($"/subjects/{subject}/versions/latest");
        latest.Json!["metadata"]!["properties"]!["owner"]!.GetValue<string>().ShouldBe("sales");
    }

    [Fact]
    public async Task PythonClientFlow_RegisterGetLatestVersionsSetCompatibilityTestDelete()
    {
        // The calls confluent-kafka-python's SchemaRegistryClient makes (reference §2.1), in order.
        var subject = NewSubject("py");
        var id = await RegisterAsync(subject, User);
        (await GetAsync($"/schemas/ids/{id}")).Json!["schema"].ShouldNotBeNull();
        (await GetAsync($"/subjects/{subject}/versions/latest")).Json!["id"]!.GetValue<int>().ShouldBe(id);
        (await GetAsync($"/subjects/{subject}/versions")).Text.ShouldBe("[1]");
        (await PutAsync($"/config/{subject}", """{"compatibility":"FULL"}""")).Json!["compatibility"]!.GetValue<string>().ShouldBe("FULL");
        (await GetAsync($"/config/{subject}")).Json!["compatibilityLevel"]!.GetValue<string>().ShouldBe("FULL");
        (await PostAsync($"/compatibility/subjects/{subject}/versions/latest", Body(UserV2))).Json!["is_compatible"]!.GetValue<bool>().ShouldBeTrue();
        (await DeleteAsync($"/subjects/{subject}")).Text.ShouldBe("[1]");
        (await DeleteAsync($"/subjects/{subject}?permanent=true")).Text.ShouldBe("[1]");
    }

    [Fact]
    public async Task KafkajsClientFlow_ConfigIs404_ThenRegister_ThenPutConfig()
    {
        // @kafkajs/confluent-schema-registry register(): GET /config/{s} must 404 for a new subject (reference §2.2).
        var subject = NewSubject("kjs");
        var config = await GetAsync($"/config/{subject}");
        config.Status.ShouldBe(HttpStatusCode.NotFound);
        var id = await RegisterAsync(subject, User);
        (await PutAsync($"/config/{subject}", """{"compatibility":"BACKWARD"}""")).Status.ShouldBe(HttpStatusCode.OK);
        (await GetAsync($"/subjects/{subject}/versions/latest")).Json!["id"]!.GetValue<int>().ShouldBe(id);
        (await PostAsync($"/subjects/{subject}", Body(User))).Json!["id"]!.GetValue<int>().ShouldBe(id);
    }
    [Fact]
    public async Task RandomlyMutatedRequests_NeverGetA500()
    {
        var random = new Random(20261122);
        var subject = NewSubject("fuzz");
        await RegisterAsync(subject, User);
        var bodies = new[]
        {
            Body(UserV2),
            Body(User, $"\"references\":[{{\"name\":\"x\",\"subject\":\"{subject}\",\"version\":1}}],\"metadata\":{{\"properties\":{{\"a\":\"b\"}}}}"),
            """{"compatibility":"FULL"}""",
            """{"mode":"READWRITE"}""",
        };
        var targets = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Post, $"/subjects/{subject}/versions"),
            (HttpMethod.Post, $"/subjects/{subject}"),
            (HttpMethod.Post, $"/compatibility/subjects/{subject}/versions/latest?verbose=true"),
            (HttpMethod.Put, $"/config/{subject}"),
            (HttpMethod.Put, $"/mode/{subject}"),
        };

        for (var i = 0; i < 300; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(bodies[random.Next(bodies.Length)]);
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                switch (random.Next(3))
                {
                    case 0:
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                        break;
                    case 1:
                        bytes = bytes[..random.Next(bytes.Length)];
                        break;
                    default:
                        var at = random.Next(bytes.Length + 1);
                        bytes = [.. bytes[..at], (byte)Noise[random.Next(Noise.Length)], .. bytes[at..]];
                        break;
                }

                if (bytes.Length == 0)
                {
                    bytes = [(byte)'{'];
                }
            }

            var (method, path) = targets[random.Next(targets.Length)];
            using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(VndJson);
            using var response = await Http.SendAsync(request, Cancel);
            var text = await response.Content.ReadAsStringAsync(Cancel);
            ((int)response.StatusCode).ShouldBeLessThan(500, $"{method} {path} with {Convert.ToBase64String(bytes)} → {text}");
            if (!response.IsSuccessStatusCode)
            {
                JsonNode.Parse(text)!["error_code"]!.GetValue<int>().ShouldBeGreaterThan(0);
            }
        }
    }

    [Fact]
    public async Task UnknownPaths_AreJson404s()
    {
        ShouldBeError(await GetAsync("/no/such/endpoint"), 404);
        ShouldBeError(await GetAsync("/subjects/x/versions/1/extra/segments"), 404);
    }

    [Fact]
    public async Task GlobalConfigAndMode_SetAndReset()
    {
        // Tests in this class run one at a time, so changing the global settings here is safe when reset before returning.
        (await PutAsync("/config", """{"compatibility":"NONE"}""")).Text.ShouldBe("{\"compatibility\":\"NONE\"}");
        (await GetAsync("/config")).Text.ShouldBe("{\"compatibilityLevel\":\"NONE\"}");
        var subject = NewSubject("global");
        await RegisterAsync(subject, User);
        await RegisterAsync(subject, """{"type":"record","name":"Other","fields":[{"name":"x","type":"int"}]}""");
        (await DeleteAsync("/config")).Text.ShouldBe("{\"compatibilityLevel\":\"NONE\"}");
        (await GetAsync("/config")).Text.ShouldBe("{\"compatibilityLevel\":\"BACKWARD\"}");
        ShouldBeError(await PutAsync("/config", """{"compatibility":"ANY"}"""), 42203);

        ShouldBeError(await PutAsync("/mode", """{"mode":"IMPORT"}"""), 42205);
        (await PutAsync("/mode", """{"mode":"READONLY"}""")).Text.ShouldBe("{\"mode\":\"READONLY\"}");
        try
        {
            ShouldBeError(await PostAsync($"/subjects/{NewSubject("ro")}/versions", Body(User)), 42205);
            ShouldBeError(await PutAsync("/config", """{"compatibility":"FULL"}"""), 42205);
            (await GetAsync($"/subjects/{subject}/versions")).Text.ShouldBe("[1,2]");
        }
        finally
        {
            (await DeleteAsync("/mode")).Text.ShouldBe("{\"mode\":\"READONLY\"}");
        }

        (await GetAsync("/mode")).Text.ShouldBe("{\"mode\":\"READWRITE\"}");
    }
}
