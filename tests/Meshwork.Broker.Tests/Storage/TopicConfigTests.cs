using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Records;
using Shouldly;

namespace Meshwork.Broker.Tests.Storage;

public sealed class TopicConfigTests
{
    public static TheoryData<string, string> InvalidValues => new()
    {
        { "cleanup.policy", "archive" },
        { "cleanup.policy", "compact,compact" },
        { "retention.ms", "-2" },
        { "retention.ms", "soon" },
        { "retention.bytes", "-5" },
        { "segment.bytes", "1023" },
        { "segment.bytes", "4294967296" },
        { "segment.ms", "0" },
        { "max.message.bytes", "-1" },
        { "message.timestamp.type", "createtime" },
        { "message.timestamp.after.max.ms", "-1" },
        { "delete.retention.ms", "-1" },
        { "min.compaction.lag.ms", "x" },
        { "min.cleanable.dirty.ratio", "1.5" },
        { "compression.type", "brotli" },
        { "min.insync.replicas", "0" },
        { "flush.messages", "0" },
        { "index.interval.bytes", "-1" },
        { "unclean.leader.election.enable", "yes" },
        { "confluent.value.schema.validation", "yes" },
        { "meshwork.value.schema.validation", "fulll" },
        { "meshwork.value.schema.validation", "true" },
    };

    public static TheoryData<string, string> ValidValues => new()
    {
        { "cleanup.policy", "compact" },
        { "cleanup.policy", "compact,delete" },
        { "cleanup.policy", "delete, compact" },
        { "retention.ms", "-1" },
        { "segment.bytes", "1024" },
        { "message.timestamp.type", "LogAppendTime" },
        { "min.cleanable.dirty.ratio", "0.1" },
        { "compression.type", "zstd" },
        { "unclean.leader.election.enable", "true" },
        { "confluent.value.schema.validation", "true" },
        { "meshwork.value.schema.validation", "id" },
        { "meshwork.value.schema.validation", "FULL" },
        { "meshwork.value.schema.validation", "none" },
        { "meshwork.product", "orders" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void Create_BadValue_ThrowsNamingKeyAndValue(string key, string value)
    {
        var ex = Should.Throw<InvalidConfigException>(() => TopicConfig.Create(new Dictionary<string, string?> { [key] = value }));
        ex.Message.ShouldContain(key);
        ex.Message.ShouldContain(value);
        ex.Message.ShouldContain("expected");
        ex.ErrorCode.ShouldBe(ErrorCode.InvalidConfig);
    }

    [Theory]
    [MemberData(nameof(ValidValues))]
    public void Create_GoodValue_IsStoredAsOverride(string key, string value)
    {
        var config = TopicConfig.Create(new Dictionary<string, string?> { [key] = value });
        config[key].ShouldBe(value);
        config.Describe().Single(e => e.Name == key).IsDefault.ShouldBeFalse();
    }

    [Theory]
    [InlineData("retention.hours")]
    [InlineData("confluent.")]
    [InlineData("segment.byte")]
    public void Create_UnknownKey_ThrowsNamingIt(string key)
    {
        var ex = Should.Throw<InvalidConfigException>(() => TopicConfig.Create(new Dictionary<string, string?> { [key] = "1" }));
        ex.Message.ShouldContain($"'{key}'");
    }

    [Fact]
    public void Describe_ListsEveryDefault()
    {
        var described = TopicConfig.Default.Describe().ToDictionary(e => e.Name);
        var expected = new Dictionary<string, string>
        {
            ["cleanup.policy"] = "delete",
            ["retention.ms"] = "604800000",
            ["retention.bytes"] = "-1",
            ["segment.bytes"] = "1073741824",
            ["segment.ms"] = "604800000",
            ["max.message.bytes"] = "1048588",
            ["message.timestamp.type"] = "CreateTime",
            ["message.timestamp.difference.max.ms"] = "9223372036854775807",
            ["message.timestamp.before.max.ms"] = "9223372036854775807",
            ["message.timestamp.after.max.ms"] = "3600000",
            ["delete.retention.ms"] = "86400000",
            ["min.compaction.lag.ms"] = "0",
            ["min.cleanable.dirty.ratio"] = "0.5",
            ["compression.type"] = "producer",
            ["min.insync.replicas"] = "1",
            ["flush.messages"] = "9223372036854775807",
            ["flush.ms"] = "9223372036854775807",
            ["index.interval.bytes"] = "4096",
            ["file.delete.delay.ms"] = "60000",
            ["unclean.leader.election.enable"] = "false",
        };
        described.Count.ShouldBe(expected.Count);
        foreach (var (key, value) in expected)
        {
            described[key].Value.ShouldBe(value);
            described[key].IsDefault.ShouldBeTrue();
            described[key].IsReadOnly.ShouldBeFalse();
            described[key].IsSensitive.ShouldBeFalse();
            described[key].Documentation.ShouldNotBeNullOrEmpty();
        }
    }

    [Fact]
    public void BrokerDefaults_OverrideKafkaDefaults_AndTopicOverridesWin()
    {
        var brokerDefaults = new Dictionary<string, string> { ["retention.ms"] = "1000", ["segment.bytes"] = "2048" };
        var config = TopicConfig.Create(new Dictionary<string, string?> { ["segment.bytes"] = "4096" }, brokerDefaults);
        config.RetentionMs.ShouldBe(1000);
        config.SegmentBytes.ShouldBe(4096);
        var retention = config.Describe().Single(e => e.Name == "retention.ms");
        retention.Source.ShouldBe(ConfigSource.StaticBrokerConfig);
        retention.IsDefault.ShouldBeTrue();
        Should.Throw<InvalidConfigException>(() => TopicConfig.Create(new Dictionary<string, string?>(), new Dictionary<string, string> { ["bogus"] = "1" }));
    }

    [Fact]
    public void With_IncrementalAndFull_Semantics()
    {
        var config = TopicConfig.Create(new Dictionary<string, string?> { ["retention.ms"] = "1000", ["meshwork.product"] = "p" });
        var incremental = config.With(new Dictionary<string, string?> { ["segment.ms"] = "5000", ["meshwork.product"] = null }, incremental: true);
        incremental.Overrides.Keys.Order().ShouldBe(["retention.ms", "segment.ms"]);
        var full = config.With(new Dictionary<string, string?> { ["segment.ms"] = "5000" }, incremental: false);
        full.Overrides.Keys.ShouldBe(["segment.ms"]);
        full.RetentionMs.ShouldBe(604800000);
        Should.Throw<InvalidConfigException>(() => config.With(new Dictionary<string, string?> { ["nope"] = null }, incremental: true));
    }

    [Fact]
    public void TypedProperties_ReflectValues()
    {
        var config = TopicConfig.Create(new Dictionary<string, string?>
        {
            ["cleanup.policy"] = "compact,delete",
            ["message.timestamp.type"] = "LogAppendTime",
            ["message.timestamp.difference.max.ms"] = "1000",
        });
        config.Compact.ShouldBeTrue();
        config.Delete.ShouldBeTrue();
        config.TimestampType.ShouldBe(TimestampType.LogAppendTime);
        config.TimestampAfterMaxMs.ShouldBe(1000);
        config.TimestampBeforeMaxMs.ShouldBe(1000);
    }
}
