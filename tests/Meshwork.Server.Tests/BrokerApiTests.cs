using System.Net;
using System.Net.Http.Json;
using System.Text;
using Meshwork.Kafka.Protocol.Records;
using Meshwork.Server.Http;
using Meshwork.Testing.Mesh;
using Shouldly;

namespace Meshwork.Server.Tests;

public sealed class BrokerApiTests : MeshServerTest
{
    private void Produce(string topic, int count, int partitions = 1)
    {
        var log = (Server.Broker.Logs.GetTopic(topic) ?? Server.Broker.Logs.CreateTopic(topic, partitions, new Dictionary<string, string?>())).Partitions[0];
        var builder = new RecordBatchBuilder();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            builder.Add(now, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}"), [new RecordHeader("h", Encoding.UTF8.GetBytes("x"))]);
        }

        log.Append(builder.Build(), now).Error.ShouldBe(Kafka.Protocol.ErrorCode.None);
    }

    [Fact]
    public async Task Topics_ListsEveryTopicWithItsRecordCount()
    {
        Produce("api-list", 5);

        var topics = (await Http.GetFromJsonAsync<List<TopicSummary>>("/api/v1/topics", Cancel))!;

        var topic = topics.Single(t => t.Name == "api-list");
        topic.Records.ShouldBe(5);
        topic.Partitions.ShouldBe(1);
        topic.CleanupPolicy.ShouldBe("delete");
    }

    [Fact]
    public async Task TopicDetail_ReturnsPartitionsAndEveryConfigWithDefaults()
    {
        Produce("api-detail", 3);

        var detail = (await Http.GetFromJsonAsync<TopicDetail>("/api/v1/topics/api-detail", Cancel))!;

        detail.Partitions.ShouldHaveSingleItem().EndOffset.ShouldBe(3);
        detail.Configs.Select(c => c.Name).ShouldContain("retention.ms");
        detail.Configs.Single(c => c.Name == "cleanup.policy").IsDefault.ShouldBeTrue();
    }

    [Fact]
    public async Task Records_ReturnsKeysValuesAndHeaders_FromAnOffset()
    {
        Produce("api-records", 10);

        var page = (await Http.GetFromJsonAsync<RecordPage>("/api/v1/topics/api-records/records?offset=7&limit=2", Cancel))!;

        page.Records.Select(r => (r.Offset, r.Key, r.Value)).ShouldBe([(7L, "k7", "v7"), (8L, "k8", "v8")]);
        page.Records[0].Headers["h"].ShouldBe("x");
        page.NextOffset.ShouldBe(9);
        page.EndOffset.ShouldBe(10);
    }

    [Theory]
    [InlineData("/api/v1/topics/missing", HttpStatusCode.NotFound)]
    [InlineData("/api/v1/topics/missing/records", HttpStatusCode.NotFound)]
    [InlineData("/api/v1/topics/api-errors/records?partition=5", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/topics/api-errors/records?limit=0", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/topics/api-errors/records?offset=99", HttpStatusCode.RequestedRangeNotSatisfiable)]
    [InlineData("/api/v1/topics/api-errors/records?offset=abc", HttpStatusCode.BadRequest)]
    public async Task Records_AnswersBadInputWithProblemDetails(string path, HttpStatusCode expected)
    {
        Produce("api-errors", 1);

        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative), Cancel);

        response.StatusCode.ShouldBe(expected);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Groups_ReportLag_FromCommittedOffsets()
    {
        Produce("api-lag", 10);
        await Server.Broker.Groups.CommitOffsetsAsync("api-lag-group", -1, "", null, [new Broker.Groups.OffsetCommitEntry("api-lag", 0, 4)], Cancel);

        var groups = (await Http.GetFromJsonAsync<List<GroupSummaryView>>("/api/v1/groups", Cancel))!;

        var group = groups.Single(g => g.GroupId == "api-lag-group");
        group.Lag.ShouldBe(6);
        group.Partitions.ShouldHaveSingleItem().EndOffset.ShouldBe(10);
    }

    [Fact]
    public async Task Metrics_CountOpenAndAcceptedKafkaConnections()
    {
        var (host, port) = Server.Broker.Advertised;
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(host, port, Cancel);
            // One ApiVersions v0 request (api 18, version 0, correlation 1, null client id) and its answer.
            await client.GetStream().WriteAsync(Convert.FromHexString("0000000A0012000000000001FFFF"), Cancel);
            await client.GetStream().ReadExactlyAsync(new byte[4], Cancel);

            var open = (await Http.GetFromJsonAsync<BrokerMetricsView>("/api/v1/broker/metrics", Cancel))!.Connections;
            open.Open.ShouldBe(1);
            open.Accepted.ShouldBe(1);
        }

        // The broker notices the close asynchronously.
        var closed = Server.Broker.Metrics.Connections;
        for (var attempt = 0; attempt < 100 && closed.Open != 0; attempt++)
        {
            await Task.Delay(50, Cancel);
            closed = Server.Broker.Metrics.Connections;
        }

        closed.ShouldBe(new Broker.ConnectionTotals(0, 1, 0));
    }
}
