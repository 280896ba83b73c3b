using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using Meshwork.Broker;
using Meshwork.Conformance.Tests.Kafka;
using Meshwork.Formats.Avro;
using Meshwork.Registry;
using Shouldly;

namespace Meshwork.Conformance.Tests.Registry;

/// <summary>
/// Broker-side schema validation seen from Confluent.Kafka 1.9.3 over Debian's librdkafka 2.0.2: records that name a
/// wrong schema id, lack the wire-format prefix or do not decode are refused with INVALID_RECORD (87); valid records
/// are stored and read back; tombstones pass on compacted topics.
/// <para>
/// librdkafka 2.0.2 speaks Produce v7, whose response has no error message, so the client reports librdkafka's text
/// for code 87 ("Broker failed to validate record"); the broker's reason (which id, which subject, why the payload
/// does not decode) goes to v8+ clients in <c>error_message</c>/<c>record_errors</c> (ProduceSchemaValidationTests)
/// and to the broker log, which these tests read.
/// </para>
/// </summary>
public sealed class BrokerSchemaValidationTests(KafkaMeshFixture mesh) : IClassFixture<KafkaMeshFixture>
{
    private const string OrderSchema = """{"type":"record","name":"Order","namespace":"mesh.validation","fields":[{"name":"id","type":"string"},{"name":"total","type":"double"}]}""";
    private const string OtherSchema = """{"type":"record","name":"Unrelated","namespace":"mesh.validation","fields":[{"name":"x","type":"int"}]}""";
    private const string InvoiceJsonSchema = """{"type":"object","properties":{"invoiceId":{"type":"string"},"total":{"type":"number"}},"required":["invoiceId","total"]}""";
    private const string LibrdkafkaInvalidRecordText = "Broker: Broker failed to validate record";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():n}";

    private string CreateTopic(string prefix, params (string Key, string Value)[] configs)
    {
        var topic = Unique(prefix);
        mesh.Server.Broker.Logs.CreateTopic(topic, 1, configs.ToDictionary(c => c.Key, c => (string?)c.Value));
        return topic;
    }

    private async Task<int> RegisterAsync(string subject, string schema, string type = "AVRO") =>
        (await mesh.Server.Registry.RegisterAsync(subject, new SchemaRequest(schema, type), cancellationToken: Cancel)).Id;

    private static byte[] Framed(int id, ReadOnlySpan<byte> payload)
    {
        var bytes = new byte[5 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), id);
        payload.CopyTo(bytes.AsSpan(5));
        return bytes;
    }

    private static byte[] Order(string id, double total)
    {
        var schema = AvroSchema.Parse(OrderSchema);
        return AvroBinary.Encode(schema, new AvroRecord((RecordSchema)schema, id, total));
    }

    private IProducer<byte[], byte[]?> Producer() => new ProducerBuilder<byte[], byte[]?>(new ProducerConfig
    {
        BootstrapServers = mesh.Bootstrap,
        Acks = Acks.All,
        LingerMs = 0,
        MessageTimeoutMs = (int)Patience.TotalMilliseconds,
    }).Build();

    private static async Task<DeliveryResult<byte[], byte[]?>> ProduceAsync(IProducer<byte[], byte[]?> producer, string topic, string key, byte[]? value) =>
        await producer.ProduceAsync(topic, new Message<byte[], byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = value }, Cancel);

    /// <summary>Produces one record that must be refused with code 87; returns the reason the broker logged for it.</summary>
    private async Task<string> RefusedAsync(IProducer<byte[], byte[]?> producer, string topic, byte[]? value)
    {
        var before = mesh.Logs.Entries.Count;
        var e = await Should.ThrowAsync<ProduceException<byte[], byte[]?>>(() => ProduceAsync(producer, topic, "refused", value));
        e.Error.Code.ShouldBe(ErrorCode.InvalidRecord, e.Error.Reason);
        ((int)e.Error.Code).ShouldBe(87);
        e.Error.Reason.ShouldBe(LibrdkafkaInvalidRecordText);
        e.DeliveryResult.Status.ShouldBe(PersistenceStatus.NotPersisted);
        return mesh.Logs.Lines.Skip(before).Single(l => l.Contains($"Refused a produce to {topic} [0] with INVALID_RECORD", StringComparison.Ordinal));
    }

    private List<byte[]?> ReadBack(string topic, int count)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]?>(new ConsumerConfig
        {
            BootstrapServers = mesh.Bootstrap,
            GroupId = Unique("validation-reader"),
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var values = new List<byte[]?>();
        while (values.Count < count && consumer.Consume(Patience) is { } result)
        {
            values.Add(result.Message.Value);
        }

        consumer.Close();
        return values;
    }

    private long StoredRecords(string topic) => mesh.Server.Broker.Logs.GetTopic(topic)!.Partitions[0].NextOffset;

    [Fact]
    public async Task ConfluentSwitch_StoresValidRecords_AndRefusesWrongIdsAndMissingMagicByte()
    {
        var topic = CreateTopic("validate-confluent", (ValueSchemaValidationConfig.ConfluentKey, "true"));
        var id = await RegisterAsync($"{topic}-value", OrderSchema);
        var elsewhere = await RegisterAsync(Unique("elsewhere-value"), OtherSchema);
        var valid = Framed(id, Order("o-1", 12.5));
        using var producer = Producer();

        (await ProduceAsync(producer, topic, "o-1", valid)).Status.ShouldBe(PersistenceStatus.Persisted);
        (await RefusedAsync(producer, topic, Framed(elsewhere, Order("o-2", 1)))).ShouldContain($"schema id {elsewhere} is not registered under subject '{topic}-value'");
        (await RefusedAsync(producer, topic, Framed(int.MaxValue, Order("o-3", 1)))).ShouldContain($"schema id {int.MaxValue} is not registered");
        (await RefusedAsync(producer, topic, Encoding.UTF8.GetBytes("""{"id":"o-4","total":1}"""))).ShouldContain("magic byte 0");
        (await RefusedAsync(producer, topic, [0, 0, 0])).ShouldContain("wire format");
        (await RefusedAsync(producer, topic, [1, .. valid[1..]])).ShouldContain("magic byte 0");

        StoredRecords(topic).ShouldBe(1, "only the valid record is stored");
        ReadBack(topic, 1).ShouldHaveSingleItem().ShouldBe(valid);
    }

    [Fact]
    public async Task FullMode_RefusesUndecodablePayloads_ThatIdModeLetsThrough()
    {
        var full = CreateTopic("validate-full", (ValueSchemaValidationConfig.MeshworkKey, "full"));
        var idOnly = CreateTopic("validate-id", (ValueSchemaValidationConfig.MeshworkKey, "id"));
        var fullId = await RegisterAsync($"{full}-value", OrderSchema);
        var idOnlyId = await RegisterAsync($"{idOnly}-value", OrderSchema);
        var order = Order("o-1", 99.5);
        byte[] truncated = order[..^3];
        byte[] trailing = [.. order, 0x02];
        using var producer = Producer();

        (await ProduceAsync(producer, full, "o-1", Framed(fullId, order))).Status.ShouldBe(PersistenceStatus.Persisted);
        (await RefusedAsync(producer, full, Framed(fullId, truncated))).ShouldContain($"the payload does not decode with schema id {fullId}");
        (await RefusedAsync(producer, full, Framed(fullId, trailing))).ShouldContain($"the payload does not decode with schema id {fullId}");
        (await RefusedAsync(producer, full, Framed(fullId, []))).ShouldContain("does not decode");
        (await ProduceAsync(producer, idOnly, "o-1", Framed(idOnlyId, truncated))).Status.ShouldBe(PersistenceStatus.Persisted, "id mode checks the id only");

        StoredRecords(full).ShouldBe(1);
        ReadBack(full, 1).ShouldHaveSingleItem().ShouldBe(Framed(fullId, order));
    }

    [Fact]
    public async Task FullMode_WithJsonSchema_StoresValidDocuments_AndRefusesInvalidOnes()
    {
        var topic = CreateTopic("validate-json", (ValueSchemaValidationConfig.MeshworkKey, "full"));
        var id = await RegisterAsync($"{topic}-value", InvoiceJsonSchema, "JSON");
        var valid = Framed(id, """{"invoiceId":"inv-1","total":10.5}"""u8);
        using var producer = Producer();

        (await ProduceAsync(producer, topic, "inv-1", valid)).Status.ShouldBe(PersistenceStatus.Persisted);
        (await RefusedAsync(producer, topic, Framed(id, """{"invoiceId":"inv-2"}"""u8))).ShouldContain("total");
        (await RefusedAsync(producer, topic, Framed(id, """{"invoiceId":"inv-3","total":"ten"}"""u8))).ShouldContain("/total");
        (await RefusedAsync(producer, topic, Framed(id, """{"invoiceId":"inv-4","total":1"""u8))).ShouldContain("malformed JSON");

        ReadBack(topic, 1).ShouldHaveSingleItem().ShouldBe(valid);
    }

    [Fact]
    public async Task Tombstones_PassOnCompactedValidatedTopics()
    {
        var topic = CreateTopic("validate-compacted", (ValueSchemaValidationConfig.MeshworkKey, "full"), ("cleanup.policy", "compact"));
        var id = await RegisterAsync($"{topic}-value", OrderSchema);
        var order = Framed(id, Order("o-1", 1));
        using var producer = Producer();

        (await ProduceAsync(producer, topic, "o-1", order)).Status.ShouldBe(PersistenceStatus.Persisted);
        (await ProduceAsync(producer, topic, "o-1", null)).Status.ShouldBe(PersistenceStatus.Persisted);
        await RefusedAsync(producer, topic, [0, 0, 0, 0, 0]);

        var values = ReadBack(topic, 2);
        values.Count.ShouldBe(2);
        values[0].ShouldBe(order);
        values[1].ShouldBeNull();
    }

    [Fact]
    public async Task Tombstones_AreRefused_OnValidatedTopicsThatDoNotCompact()
    {
        var topic = CreateTopic("validate-delete", (ValueSchemaValidationConfig.ConfluentKey, "true"));
        await RegisterAsync($"{topic}-value", OrderSchema);
        using var producer = Producer();

        (await RefusedAsync(producer, topic, null)).ShouldContain("only compacted topics accept tombstones");
    }
}
