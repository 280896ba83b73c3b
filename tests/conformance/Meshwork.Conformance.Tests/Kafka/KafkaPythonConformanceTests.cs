using System.Text.Json;
using Shouldly;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>
/// kafka-python 2.0.2 (Debian's python3-kafka), which pins old request versions and no flexible ones
/// (kafka-wire.md §1.5): its producer, a three-member group across a rebalance, and a restart from committed offsets.
/// </summary>
public sealed class KafkaPythonConformanceTests(KafkaMeshFixture mesh) : IClassFixture<KafkaMeshFixture>
{
    private const int Partitions = 6;
    private const int PerPhase = 3_000;
    private const int Leaver = 2;
    private const int Restarted = 3;
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task ConsumerGroup_SeesEveryMessageExactlyOnce_AcrossARebalanceAndARestart()
    {
        var topic = $"kafka-python-group-{Guid.NewGuid():n}";
        var group = $"kafka-python-{Guid.NewGuid():n}";
        mesh.Server.Broker.Logs.CreateTopic(topic, Partitions, new Dictionary<string, string?>());

        var json = await KafkaTools.RunPythonAsync("kafka_python_group.py", [mesh.Bootstrap, topic, group, PerPhase.ToString(System.Globalization.CultureInfo.InvariantCulture)], ScriptTimeout);

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        root.GetProperty("errors").GetArrayLength().ShouldBe(0, json);
        var consumed = Records(root.GetProperty("consumed"));
        var resumed = Records(root.GetProperty("resumed"));

        // The first two phases (before and after the member left) were read by the group: every value once.
        consumed.Select(r => r.Value).Order().ShouldBe(Enumerable.Range(0, 2 * PerPhase));
        // The restarted member starts at the committed offsets: only the third phase, nothing read before.
        resumed.Select(r => r.Value).Order().ShouldBe(Enumerable.Range(2 * PerPhase, PerPhase));
        // Every partition was read as one dense run of offsets from 0: no gap, no repeat, across both hand-overs.
        foreach (var partition in consumed.Concat(resumed).GroupBy(r => r.Partition))
        {
            partition.Select(r => r.Offset).Order().ShouldBe(Enumerable.Range(0, partition.Count()).Select(o => (long)o), $"partition {partition.Key}");
        }

        consumed.Select(r => r.Partition).Distinct().Count().ShouldBe(Partitions);
        // All three members read before one left, and what the leaver owned was then read by the others.
        consumed.Select(r => r.Member).Distinct().Order().ShouldBe([0, 1, 2]);
        var leaverPartitions = consumed.Where(r => r.Member == Leaver).Select(r => r.Partition).ToHashSet();
        var leaverLast = consumed.Where(r => r.Member == Leaver).Max(r => r.Value);
        var handedOver = consumed.Where(r => r.Value > leaverLast && leaverPartitions.Contains(r.Partition)).ToList();
        handedOver.ShouldNotBeEmpty();
        handedOver.ShouldAllBe(r => r.Member != Leaver);
        resumed.ShouldAllBe(r => r.Member == Restarted);
        // The member that left made the group rebalance (one generation per join wave and one for the leave).
        var offsets = mesh.Server.Broker.Groups.Snapshot().Single(g => g.GroupId == group);
        offsets.GenerationId.ShouldBeGreaterThanOrEqualTo(2);
        offsets.Offsets.Values.Sum(o => o.Offset).ShouldBe(3 * PerPhase);
    }

    private static List<(int Partition, long Offset, int Value, int Member)> Records(JsonElement array) =>
        [.. array.EnumerateArray().Select(r => (r[0].GetInt32(), r[1].GetInt64(), r[2].GetInt32(), r[3].GetInt32()))];
}
