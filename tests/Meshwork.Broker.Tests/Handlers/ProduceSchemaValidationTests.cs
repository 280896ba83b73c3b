using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Kafka.Protocol.Records;
using Shouldly;

namespace Meshwork.Broker.Tests.Handlers;

/// <summary>
/// How the Produce handler applies a topic's value validation: the whole batch is refused with INVALID_RECORD, the
/// reason and the bad record's index travel in the v8+ response, tombstones pass only on compacted topics. The
/// registry-backed validator itself is exercised end to end in the conformance suite (BrokerSchemaValidationTests).
/// </summary>
public sealed class ProduceSchemaValidationTests
{
    private const short FirstVersionWithErrorMessage = 8;

    /// <summary>
    /// A stand-in for the registry at the broker's own interface: values starting with "ok" pass. The broker under test
    /// is real; only its answer source is fixed, so each test can name exactly which record is bad.
    /// </summary>
    private sealed class PrefixValidator : IValueSchemaValidator
    {
        public List<(string Topic, ValueSchemaValidation Mode)> Calls { get; } = [];

        public string? Validate(string topic, ValueSchemaValidation mode, ReadOnlySpan<byte> value)
        {
            Calls.Add((topic, mode));
            return value.StartsWith("ok"u8) ? null : $"value '{System.Text.Encoding.UTF8.GetString(value)}' is not ok";
        }
    }

    private static ProduceRequest Produce(string topic, params byte[]?[] values)
    {
        var builder = new RecordBatchBuilder();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < values.Length; i++)
        {
            // A null array would convert to an empty, non-null memory: spell the tombstone out.
            builder.Add(now, System.Text.Encoding.UTF8.GetBytes($"k{i}"), values[i] is { } v ? (ReadOnlyMemory<byte>?)v : null);
        }

        return new ProduceRequest
        {
            Acks = ProduceRequest.AcksAll,
            TimeoutMs = 5000,
            Topics = [new ProduceRequest.TopicProduceData { Name = topic, Partitions = [new ProduceRequest.PartitionProduceData { PartitionIndex = 0, Records = builder.Build() }] }],
        };
    }

    private static async Task<(DispatcherTestKit Kit, PrefixValidator Validator)> StartAsync(string topic, params (string Key, string Value)[] configs)
    {
        var kit = await DispatcherTestKit.StartAsync();
        var validator = new PrefixValidator();
        kit.Broker.ValueValidator = validator;
        kit.Broker.Logs.CreateTopic(topic, 1, configs.ToDictionary(c => c.Key, c => (string?)c.Value));
        return (kit, validator);
    }

    private static async Task<ProduceResponse.PartitionProduceResponse> SendAsync(DispatcherTestKit kit, ProduceRequest request, short version = 9) =>
        (await kit.SendAsync<ProduceResponse>(request, version)).Responses.ShouldHaveSingleItem().Partitions.ShouldHaveSingleItem();

    [Fact]
    public async Task Produce_RefusesTheWholeBatch_WithTheReasonAndRecordIndex_WhenOneValueFails()
    {
        var (kit, _) = await StartAsync("t", (ValueSchemaValidationConfig.MeshworkKey, "full"));
        await using var _ = kit;

        var answer = await SendAsync(kit, Produce("t", "ok 1"u8.ToArray(), "bad"u8.ToArray(), "ok 3"u8.ToArray()));

        answer.ErrorCode.ShouldBe(ErrorCode.InvalidRecord);
        answer.ErrorMessage.ShouldBe("Record at offset delta 1 rejected by schema validation: value 'bad' is not ok");
        answer.RecordErrors.ShouldHaveSingleItem().BatchIndex.ShouldBe(1);
        answer.BaseOffset.ShouldBe(-1);
        kit.Broker.Logs.GetTopic("t")!.Partitions[0].NextOffset.ShouldBe(0, "nothing of a refused batch is stored");
    }

    [Fact]
    public async Task Produce_StoresTheBatch_WhenEveryValuePasses_AndPassesTheModeToTheValidator()
    {
        var (kit, validator) = await StartAsync("t", (ValueSchemaValidationConfig.ConfluentKey, "true"));
        await using var _ = kit;

        var answer = await SendAsync(kit, Produce("t", "ok 1"u8.ToArray(), "ok 2"u8.ToArray()));

        answer.ErrorCode.ShouldBe(ErrorCode.None);
        kit.Broker.Logs.GetTopic("t")!.Partitions[0].NextOffset.ShouldBe(2);
        validator.Calls.ShouldAllBe(c => c.Topic == "t" && c.Mode == ValueSchemaValidation.Id);
    }

    [Fact]
    public async Task Produce_BeforeV8_StillAnswersInvalidRecord()
    {
        var (kit, _) = await StartAsync("t", (ValueSchemaValidationConfig.MeshworkKey, "id"));
        await using var _ = kit;

        var answer = await SendAsync(kit, Produce("t", "bad"u8.ToArray()), version: FirstVersionWithErrorMessage - 1);

        answer.ErrorCode.ShouldBe(ErrorCode.InvalidRecord);
    }

    [Fact]
    public async Task Tombstones_PassOnCompactedTopics_AndAreRefusedElsewhere()
    {
        var (kit, validator) = await StartAsync("compacted", (ValueSchemaValidationConfig.MeshworkKey, "full"), (TopicConfig.CleanupPolicyKey, "compact"));
        await using var _ = kit;
        kit.Broker.Logs.CreateTopic("deleting", 1, new Dictionary<string, string?> { [ValueSchemaValidationConfig.MeshworkKey] = "full" });

        var compacted = await SendAsync(kit, Produce("compacted", "ok"u8.ToArray(), null));
        var deleting = await SendAsync(kit, Produce("deleting", "ok"u8.ToArray(), null));

        compacted.ErrorCode.ShouldBe(ErrorCode.None);
        validator.Calls.Count(c => c.Topic == "compacted").ShouldBe(1, "the tombstone is not handed to the validator");
        deleting.ErrorCode.ShouldBe(ErrorCode.InvalidRecord);
        deleting.ErrorMessage.ShouldNotBeNull().ShouldContain("null value");
        deleting.RecordErrors.ShouldHaveSingleItem().BatchIndex.ShouldBe(1);
    }

    [Fact]
    public async Task Produce_IsRefused_WhenTheTopicValidatesButTheBrokerHasNoRegistry()
    {
        await using var kit = await DispatcherTestKit.StartAsync();
        kit.Broker.Logs.CreateTopic("t", 1, new Dictionary<string, string?> { [ValueSchemaValidationConfig.MeshworkKey] = "id" });

        var answer = await SendAsync(kit, Produce("t", "ok"u8.ToArray()));

        answer.ErrorCode.ShouldBe(ErrorCode.InvalidRecord);
        answer.ErrorMessage.ShouldNotBeNull().ShouldContain("no schema registry");
    }

    [Fact]
    public async Task Produce_IsNotValidated_WhenTheModeIsNone()
    {
        var (kit, validator) = await StartAsync("t", (ValueSchemaValidationConfig.MeshworkKey, "none"), (ValueSchemaValidationConfig.ConfluentKey, "true"));
        await using var _ = kit;

        (await SendAsync(kit, Produce("t", "anything"u8.ToArray()))).ErrorCode.ShouldBe(ErrorCode.None);
        validator.Calls.ShouldBeEmpty("Meshwork's key wins over Confluent's");
    }
}
