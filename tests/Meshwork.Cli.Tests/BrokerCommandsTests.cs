using System.Text;
using System.Text.Json;
using Meshwork.Kafka.Protocol.Records;
using Shouldly;

namespace Meshwork.Cli.Tests;

public sealed class BrokerCommandsTests : CliMeshTest
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var log = Server.Broker.Logs.CreateTopic("orders", 2, new Dictionary<string, string?>()).Partitions[0];
        var builder = new RecordBatchBuilder();
        for (var i = 0; i < 20; i++)
        {
            builder.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Encoding.UTF8.GetBytes($"o{i}"), Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"));
        }

        log.Append(builder.Build(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await Server.Broker.Groups.CommitOffsetsAsync("billing", -1, "", null, [new Broker.Groups.OffsetCommitEntry("orders", 0, 15)], Cancel);
    }

    [Fact]
    public async Task Topics_ListsTopics_AsJson()
    {
        var (exit, output, _) = await Mesh("topics", "--output", "json");

        exit.ShouldBe(ExitCodes.Ok);
        var topic = JsonDocument.Parse(output).RootElement.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "orders");
        topic.GetProperty("partitions").GetInt32().ShouldBe(2);
        topic.GetProperty("records").GetInt64().ShouldBe(20);
    }

    [Fact]
    public async Task Topics_PrintsATable()
    {
        var (exit, output, _) = await Mesh("topics");

        exit.ShouldBe(ExitCodes.Ok);
        output.ShouldContain("orders");
        output.ShouldContain("Partitions");
    }

    [Fact]
    public async Task Groups_ShowsLag()
    {
        var (exit, output, _) = await Mesh("groups", "--output", "json");

        exit.ShouldBe(ExitCodes.Ok);
        var group = JsonDocument.Parse(output).RootElement.EnumerateArray().Single(g => g.GetProperty("groupId").GetString() == "billing");
        group.GetProperty("lag").GetInt64().ShouldBe(5);
    }

    [Fact]
    public async Task Tail_PrintsTheLastRecords()
    {
        var (exit, output, _) = await Mesh("tail", "orders", "-n", "2");

        exit.ShouldBe(ExitCodes.Ok);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split("  ")[0]).ShouldBe(["0:18", "0:19"]);
        output.ShouldContain("o19 = {\"n\":19}");
    }

    [Fact]
    public async Task Tail_FromBeginning_AsJsonLines()
    {
        var (exit, output, _) = await Mesh("tail", "orders", "--from-beginning", "-n", "3", "--output", "json");

        exit.ShouldBe(ExitCodes.Ok);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("offset").GetInt64()).ShouldBe([0L, 1L, 2L]);
    }

    [Fact]
    public async Task Tail_ExitsWith1_ForAnUnknownTopic_NamingIt()
    {
        var (exit, _, error) = await Mesh("tail", "no-such-topic");

        exit.ShouldBe(ExitCodes.Failure);
        error.ShouldContain("Topic 'no-such-topic' does not exist");
    }

    [Fact]
    public async Task Tail_ExitsWith1_ForAPartitionTheTopicLacks()
    {
        var (exit, _, error) = await Mesh("tail", "orders", "--partition", "7");

        exit.ShouldBe(ExitCodes.Failure);
        error.ShouldContain("has no partition 7");
    }
}
