using System.Text.Json;
using Meshwork.Broker;
using Meshwork.Conformance.Tests.Kafka;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Conformance.Tests.Registry;

/// <summary>
/// The schema registry driven by the clients the ecosystem uses: Debian's python3-confluent-kafka
/// (SchemaRegistryClient, the JSON serializer and the legacy Avro serializer) and kafkajs with
/// @kafkajs/confluent-schema-registry (avsc inside), each producing through our broker and reading back. Topics the
/// serializers write to validate every value (<c>meshwork.value.schema.validation=full</c>), so the broker also checks
/// what the real serializers produce.
/// </summary>
public sealed class RegistryConformanceTests(KafkaMeshFixture mesh) : IClassFixture<KafkaMeshFixture>
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(120);

    private static string Script(string name) => Repository.Path("tests", "conformance", "registry", name);

    private string RegistryUrl => mesh.Server.RegistryAddress.ToString().TrimEnd('/');

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():n}"[..(prefix.Length + 13)];

    private string ValidatedTopic(string prefix)
    {
        var topic = Unique(prefix);
        mesh.Server.Broker.Logs.CreateTopic(topic, 1, new Dictionary<string, string?> { [ValueSchemaValidationConfig.MeshworkKey] = "full" });
        return topic;
    }

    private async Task<JsonElement> PythonAsync(string scenario, string prefix)
    {
        var output = await KafkaTools.RunAsync(KafkaTools.Python, [Script("python_registry.py"), scenario, RegistryUrl, mesh.Bootstrap, prefix],
            ClientTimeout, "apt-get install python3-confluent-kafka python3-avro python3-requests python3-jsonschema");
        return JsonDocument.Parse(output).RootElement;
    }

    [Fact]
    public async Task PythonSchemaRegistryClient_RegistersReadsTestsCompatibilityAndDeletes()
    {
        var result = await PythonAsync("client-api", Unique("py-client"));

        var id = result.GetProperty("id1").GetInt32();
        result.GetProperty("id1_again").GetInt32().ShouldBe(id, "registering the same schema again is idempotent");
        result.GetProperty("by_id").GetProperty("name").GetString().ShouldBe("Customer");
        result.GetProperty("get_compat").GetString().ShouldBe("BACKWARD");
        result.GetProperty("v2_compatible").GetBoolean().ShouldBeTrue("adding a field with a default is backward compatible");
        result.GetProperty("breaking_compatible").GetBoolean().ShouldBeFalse("changing a field's type string→long is not");
        result.GetProperty("latest").GetProperty("version").GetInt32().ShouldBe(2);
        result.GetProperty("latest").GetProperty("schema_id").GetInt32().ShouldBe(result.GetProperty("id2").GetInt32());
        result.GetProperty("versions").EnumerateArray().Select(v => v.GetInt32()).ShouldBe([1, 2]);
        result.GetProperty("lookup").GetInt32().ShouldBe(1);
        result.GetProperty("breaking_register").GetProperty("http").GetInt32().ShouldBe(409);
        result.GetProperty("missing_id").GetProperty("code").GetInt32().ShouldBe(40403);
        result.GetProperty("version_1").GetInt32().ShouldBe(id);
        result.GetProperty("deleted_version").GetInt32().ShouldBe(2);
        result.GetProperty("versions_after_version_delete").EnumerateArray().Select(v => v.GetInt32()).ShouldBe([1]);
        result.GetProperty("deleted_version_again").GetProperty("code").GetInt32().ShouldBe(40406);
        result.GetProperty("global_compat").GetString().ShouldBe("BACKWARD");
        result.GetProperty("subjects_contains").GetBoolean().ShouldBeTrue();
        result.GetProperty("deleted_versions").EnumerateArray().Select(v => v.GetInt32()).ShouldBe([1], "version 2 was already deleted");
        result.GetProperty("subjects_after_delete").GetBoolean().ShouldBeFalse();
        result.GetProperty("versions_after_hard_delete").GetProperty("code").GetInt32().ShouldBe(40401);
    }

    [Fact]
    public async Task PythonLegacyAvroSerializer_ProducesThroughTheBroker_AndReadsBack()
    {
        var topic = ValidatedTopic("py-avro");
        var result = await PythonAsync("legacy-avro", topic);

        mesh.Server.Registry.IsRegisteredUnderSubject(result.GetProperty("value_schema_id").GetInt32(), $"{topic}-value").ShouldBeTrue();

        var sent = result.GetProperty("sent").EnumerateArray().Select(v => v.GetRawText()).ToList();
        var received = result.GetProperty("received").EnumerateArray().Select(r => r.GetProperty("value").GetRawText()).ToList();
        received.ShouldBe(sent);
        result.GetProperty("received").EnumerateArray().Select(r => r.GetProperty("key").GetString())
            .ShouldBe(result.GetProperty("sent").EnumerateArray().Select(v => v.GetProperty("orderId").GetString()));
    }

    [Fact]
    public async Task PythonJsonSerializer_RegistersJsonSchema_ProducesThroughTheBroker_AndReadsBack()
    {
        var topic = ValidatedTopic("py-json");
        var result = await PythonAsync("json-serializer", topic);

        var sent = result.GetProperty("sent").EnumerateArray().Select(v => v.GetRawText()).ToList();
        result.GetProperty("received").EnumerateArray().Select(v => v.GetRawText()).ShouldBe(sent);
        result.GetProperty("subject_versions").EnumerateArray().Select(v => v.GetInt32()).ShouldBe([1], "auto-registration happens once");
        result.GetProperty("schema_type").GetString().ShouldBe("JSON");
        result.GetProperty("registered_schema").GetProperty("title").GetString().ShouldBe("Invoice");
        result.GetProperty("refused_locally").GetBoolean().ShouldBeTrue("the serializer validates against the schema it registered");
    }

    [Fact]
    public async Task PythonSchemaRegistryClient_RegistersAndReadsSchemaReferences()
    {
        var prefix = Unique("py-refs");
        var result = await PythonAsync("references", prefix);

        var customerId = result.GetProperty("customer_id").GetInt32();
        result.GetProperty("customer_id_again").GetInt32().ShouldBe(customerId);
        string[] expected = ["mesh.ref.Address", $"{prefix}-address", "1"];
        result.GetProperty("by_id_references").EnumerateArray().Single().EnumerateArray().Select(e => e.ToString()).ShouldBe(expected);
        result.GetProperty("latest_references").EnumerateArray().Single().EnumerateArray().Select(e => e.ToString()).ShouldBe(expected);
        // Stored as Avro Java writes it: the referenced type by name (relative to the enclosing namespace), not inlined.
        result.GetProperty("by_id_schema").GetProperty("fields")[1].GetProperty("type").GetString().ShouldBe("Address");
        result.GetProperty("lookup_version").GetInt32().ShouldBe(1);
        result.GetProperty("without_references").GetProperty("code").GetInt32().ShouldBe(42201);
        result.GetProperty("delete_referenced").GetProperty("code").GetInt32().ShouldBe(42206);
        result.GetProperty("json_by_id").GetProperty("type").GetString().ShouldBe("JSON");
        result.GetProperty("json_by_id").GetProperty("references").EnumerateArray().Single()[0].GetString().ShouldBe("address.json");
    }

    [Fact]
    public async Task KafkajsWithConfluentSchemaRegistry_EncodesProducesConsumesAndDecodes()
    {
        var topic = ValidatedTopic("js-avro");
        if (!Directory.Exists(Repository.Path("tests", "conformance", "node_modules", "@kafkajs", "confluent-schema-registry")))
        {
            throw new InvalidOperationException("@kafkajs/confluent-schema-registry is not installed: cd tests/conformance && npm install (./test.sh does it).");
        }

        var output = await KafkaTools.RunAsync("node", [Script("kafkajs_registry.mjs"), RegistryUrl, mesh.Bootstrap, topic], ClientTimeout,
            "apt-get install nodejs npm && cd tests/conformance && npm install");
        var result = JsonDocument.Parse(output).RootElement;

        result.GetProperty("latestId").GetInt32().ShouldBe(result.GetProperty("id").GetInt32());
        var sent = result.GetProperty("sent").EnumerateArray().Select(v => v.GetRawText()).ToList();
        result.GetProperty("received").EnumerateArray().Select(v => v.GetRawText()).Order().ShouldBe(sent.Order());
    }
}
