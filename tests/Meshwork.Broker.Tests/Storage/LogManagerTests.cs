using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol;
using Meshwork.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;
using static Meshwork.Broker.Tests.Storage.StorageTestKit;

namespace Meshwork.Broker.Tests.Storage;

public sealed class LogManagerTests
{
    private static readonly Dictionary<string, string?> NoConfigs = [];

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("has space")]
    [InlineData("slash/topic")]
    [InlineData("ünïcode")]
    public void CreateTopic_InvalidName_Throws(string name)
    {
        using var dir = new TempDirectory();
        using var manager = OpenManager(dir.Path);
        Should.Throw<InvalidTopicException>(() => manager.CreateTopic(name, 1, NoConfigs)).ErrorCode.ShouldBe(ErrorCode.InvalidTopicException);
    }

    [Fact]
    public void CreateTopic_NameLimits()
    {
        using var dir = new TempDirectory();
        using var manager = OpenManager(dir.Path);
        manager.CreateTopic(new string('a', 249), 1, NoConfigs).Partitions.Count.ShouldBe(1);
        Should.Throw<InvalidTopicException>(() => manager.CreateTopic(new string('a', 250), 1, NoConfigs));
        manager.CreateTopic("Orders_v1.events-x", 1, NoConfigs);
    }

    [Fact]
    public void CreateTopic_Exists_Throws_AndBadConfigCreatesNothing()
    {
        using var dir = new TempDirectory();
        using var manager = OpenManager(dir.Path);
        manager.CreateTopic("orders", 2, NoConfigs);
        Should.Throw<TopicExistsException>(() => manager.CreateTopic("orders", 2, NoConfigs)).ErrorCode.ShouldBe(ErrorCode.TopicAlreadyExists);
        Should.Throw<InvalidConfigException>(() => manager.CreateTopic("bad", 1, new Dictionary<string, string?> { ["retention.ms"] = "x" }));
        manager.GetTopic("bad").ShouldBeNull();
        Directory.Exists(Path.Combine(dir.Path, "bad-0")).ShouldBeFalse();
    }

    [Fact]
    public void Topics_PersistAcrossReopen_WithDataConfigAndId()
    {
        using var dir = new TempDirectory();
        Guid id;
        using (var manager = OpenManager(dir.Path))
        {
            var topic = manager.CreateTopic("orders", 3, new Dictionary<string, string?> { ["retention.ms"] = "1000", ["meshwork.product"] = "sales" });
            id = topic.Id;
            topic.Partitions[2].Append(Batch(4, StartMs), StartMs);
            manager.AlterConfigs("orders", new Dictionary<string, string?> { ["segment.ms"] = "60000" }, incremental: true);
            manager.CreatePartitions("orders", 5);
        }

        using var reopened = OpenManager(dir.Path);
        var loaded = reopened.GetTopic("orders").ShouldNotBeNull();
        loaded.Id.ShouldBe(id);
        loaded.Partitions.Count.ShouldBe(5);
        loaded.Partitions[2].NextOffset.ShouldBe(4);
        loaded.Config.RetentionMs.ShouldBe(1000);
        loaded.Config.SegmentMs.ShouldBe(60000);
        loaded.Config["meshwork.product"].ShouldBe("sales");
        reopened.Topics.Count.ShouldBe(1);
    }

    [Fact]
    public void CreatePartitions_OnlyIncreases()
    {
        using var dir = new TempDirectory();
        using var manager = OpenManager(dir.Path);
        manager.CreateTopic("t", 2, NoConfigs);
        Should.Throw<InvalidPartitionsException>(() => manager.CreatePartitions("t", 2)).ErrorCode.ShouldBe(ErrorCode.InvalidPartitions);
        Should.Throw<InvalidPartitionsException>(() => manager.CreatePartitions("t", 1));
        Should.Throw<UnknownTopicException>(() => manager.CreatePartitions("missing", 3));
        manager.CreatePartitions("t", 4).Partitions.Count.ShouldBe(4);
    }

    [Fact]
    public void DeleteTopic_ThenRecreate_StartsEmpty()
    {
        using var dir = new TempDirectory();
        using var manager = OpenManager(dir.Path);
        var topic = manager.CreateTopic("t", 1, NoConfigs);
        topic.Partitions[0].Append(Batch(3, StartMs), StartMs);
        manager.DeleteTopic("t");
        manager.GetTopic("t").ShouldBeNull();
        Directory.Exists(Path.Combine(dir.Path, "t-0")).ShouldBeFalse();
        Should.Throw<UnknownTopicException>(() => manager.DeleteTopic("t"));

        var recreated = manager.CreateTopic("t", 1, NoConfigs);
        recreated.Id.ShouldNotBe(topic.Id);
        recreated.Partitions[0].NextOffset.ShouldBe(0);
    }

    [Fact]
    public void Open_OrphanPartitionDirectory_IsRemoved()
    {
        using var dir = new TempDirectory();
        using (var manager = OpenManager(dir.Path))
        {
            manager.CreateTopic("t", 1, NoConfigs).Partitions[0].Append(Batch(1, StartMs), StartMs);
        }

        // A crash after the descriptor was deleted but before the data was.
        File.Delete(Path.Combine(dir.Path, LogManager.TopicsFolder, "t.json"));
        using var reopened = OpenManager(dir.Path);
        Directory.Exists(Path.Combine(dir.Path, "t-0")).ShouldBeFalse();
        reopened.CreateTopic("t", 1, NoConfigs).Partitions[0].NextOffset.ShouldBe(0);
    }

    [Fact]
    public void AlterConfigs_ValidatesAndAppliesLive()
    {
        using var dir = new TempDirectory();
        using var manager = OpenManager(dir.Path);
        var topic = manager.CreateTopic("t", 1, NoConfigs);
        Should.Throw<InvalidConfigException>(() => manager.AlterConfigs("t", new Dictionary<string, string?> { ["segment.bytes"] = "12" }, incremental: true));
        manager.AlterConfigs("t", new Dictionary<string, string?> { ["message.timestamp.type"] = "LogAppendTime" }, incremental: true);
        topic.Partitions[0].Append(Batch(1, StartMs - 10_000), StartMs).LogAppendTimeMs.ShouldBe(StartMs);
        manager.AlterConfigs("t", new Dictionary<string, string?> { ["message.timestamp.type"] = null }, incremental: true);
        topic.Config.Overrides.ShouldBeEmpty();
        topic.Partitions[0].Append(Batch(1, StartMs), StartMs).LogAppendTimeMs.ShouldBe(-1);
    }

    [Fact]
    public async Task RunMaintenanceAsync_EnforcesRetentionOnTimer()
    {
        using var dir = new TempDirectory();
        var time = new ManualTimeProvider();
        var options = new BrokerStorageOptions { MaintenanceInterval = TimeSpan.FromMinutes(1) };
        using var manager = LogManager.Open(dir.Path, options, time, NullLoggerFactory.Instance);
        var topic = manager.CreateTopic("t", 1, new Dictionary<string, string?> { ["segment.bytes"] = "1024", ["retention.ms"] = "60000" });
        var partition = topic.Partitions[0];
        for (var i = 0; i < 30; i++)
        {
            partition.Append(Batch(2, StartMs, valueSize: 20), StartMs);
        }

        var segments = partition.SegmentCount;
        using var cts = new CancellationTokenSource();
        var loop = manager.RunMaintenanceAsync(cts.Token);
        time.Advance(TimeSpan.FromSeconds(59));
        partition.SegmentCount.ShouldBe(segments);
        // The tick at 60 s finds the segments exactly 60 s old (not yet expired); the one at 120 s deletes them.
        time.Advance(TimeSpan.FromMinutes(2));
        partition.SegmentCount.ShouldBe(1);
        partition.LogStartOffset.ShouldBeGreaterThan(0);
        await cts.CancelAsync();
        await loop;
    }

    [Fact]
    public void Open_BadBrokerDefault_FailsNamingKey()
    {
        using var dir = new TempDirectory();
        var options = new BrokerStorageOptions { DefaultTopicConfig = new Dictionary<string, string> { ["retention.ms"] = "forever" } };
        Should.Throw<InvalidConfigException>(() => LogManager.Open(dir.Path, options, new ManualTimeProvider(), NullLoggerFactory.Instance))
            .Message.ShouldContain("retention.ms");
    }

    private static LogManager OpenManager(string root) =>
        LogManager.Open(root, new BrokerStorageOptions(), new ManualTimeProvider(), NullLoggerFactory.Instance);
}
