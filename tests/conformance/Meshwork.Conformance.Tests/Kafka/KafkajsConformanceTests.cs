using System.Text.Json;
using Shouldly;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>
/// kafkajs 2.2.4 (tests/conformance/package.json), which negotiates min(its max, our max) and sends InitProducerId to
/// the controller (kafka-wire.md §1.6): plain and idempotent producers, and a consumer group that commits and resumes.
/// </summary>
public sealed class KafkajsConformanceTests(KafkaMeshFixture mesh) : IClassFixture<KafkaMeshFixture>
{
    private const int Partitions = 4;
    private const int Count = 2_000;
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(150);

    [Theory]
    [InlineData("plain")]
    [InlineData("idempotent")]
    public async Task Producer_DeliversEveryMessageOnce_InPerPartitionOrder_WithKeysAndHeaders(string mode)
    {
        var topic = $"kafkajs-{mode}-{Guid.NewGuid():n}";
        mesh.Server.Broker.Logs.CreateTopic(topic, Partitions, new Dictionary<string, string?>());

        using var document = JsonDocument.Parse(await KafkaTools.RunNodeAsync("kafkajs_client.mjs", ["produce", mesh.Bootstrap, topic, Invariant(Count), mode], ScriptTimeout));

        var received = document.RootElement.GetProperty("received").EnumerateArray()
            .Select(r => (Partition: r[0].GetInt32(), Offset: r[1].GetInt64(), Key: r[2].GetString(), Value: int.Parse(r[3].GetString()!, System.Globalization.CultureInfo.InvariantCulture), Header: r[4].GetString()))
            .ToList();
        received.Select(r => r.Value).Order().ShouldBe(Enumerable.Range(0, Count));
        received.ShouldAllBe(r => r.Key == $"k{r.Value % 101}" && r.Header == $"h{r.Value}");
        foreach (var partition in received.GroupBy(r => r.Partition))
        {
            // Keys hash to partitions and batches were sent in order: per partition, values rise with offsets.
            var byOffset = partition.OrderBy(r => r.Offset).ToList();
            byOffset.Select(r => r.Offset).ShouldBe(Enumerable.Range(0, byOffset.Count).Select(o => (long)o));
            byOffset.Select(r => r.Value).ShouldBeInOrder(SortDirection.Ascending);
        }

        var stored = mesh.Server.Broker.Logs.GetTopic(topic)!.Partitions.SelectMany(StoredBatches.Headers).ToList();
        stored.Sum(h => h.RecordCount).ShouldBe(Count);
        if (mode == "idempotent")
        {
            // kafkajs found the controller (Metadata ControllerId) and got a producer id from InitProducerId.
            stored.ShouldAllBe(h => h.ProducerId >= 0 && h.BaseSequence >= 0);
            stored.Select(h => h.ProducerId).Distinct().ShouldHaveSingleItem();
        }
        else
        {
            stored.ShouldAllBe(h => h.ProducerId == -1);
        }
    }

    [Fact]
    public async Task ConsumerGroup_SharesPartitionsBetweenMembers_AndAFreshMemberResumesFromCommittedOffsets()
    {
        var topic = $"kafkajs-group-{Guid.NewGuid():n}";
        var group = $"kafkajs-{Guid.NewGuid():n}";
        mesh.Server.Broker.Logs.CreateTopic(topic, Partitions, new Dictionary<string, string?>());

        using var document = JsonDocument.Parse(await KafkaTools.RunNodeAsync("kafkajs_client.mjs", ["group", mesh.Bootstrap, topic, group, Invariant(Count)], ScriptTimeout));

        var consumed = Records(document.RootElement.GetProperty("consumed"));
        var resumed = Records(document.RootElement.GetProperty("resumed"));
        consumed.Select(r => r.Value).Order().ShouldBe(Enumerable.Range(0, Count));
        resumed.Select(r => r.Value).Order().ShouldBe(Enumerable.Range(Count, Count));
        // Both members owned partitions, and no partition was read by both.
        consumed.Select(r => r.Member).Distinct().Order().ShouldBe([0, 1]);
        consumed.GroupBy(r => r.Partition).ShouldAllBe(p => p.Select(r => r.Member).Distinct().Count() == 1);
        foreach (var partition in consumed.Concat(resumed).GroupBy(r => r.Partition))
        {
            partition.Select(r => r.Offset).Order().ShouldBe(Enumerable.Range(0, partition.Count()).Select(o => (long)o), $"partition {partition.Key}");
        }

        mesh.Server.Broker.Groups.Snapshot().Single(g => g.GroupId == group).Offsets.Values.Sum(o => o.Offset).ShouldBe(2 * Count);
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static List<(int Partition, long Offset, int Value, int Member)> Records(JsonElement array) =>
        [.. array.EnumerateArray().Select(r => (r[0].GetInt32(), r[1].GetInt64(), r[2].GetInt32(), r[3].GetInt32()))];
}
