using Confluent.Kafka;
using Meshwork.Broker.Storage;
using Shouldly;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>
/// Log compaction seen by a real consumer (Confluent.Kafka over librdkafka 2.0.2) reading from offset 0, with the
/// data written by a real producer. Segments are tiny so the data is in sealed (cleanable) segments, and the cleaner
/// is run explicitly with the clock value it should judge <c>delete.retention.ms</c> by, so no test waits for time.
/// </summary>
public sealed class CompactionConformanceTests(KafkaMeshFixture mesh) : IClassFixture<KafkaMeshFixture>
{
    private const int Keys = 12;
    private const int Updates = 6;
    private const long DeleteRetentionMs = 3_600_000;
    private static readonly string[] Deleted = ["key-00", "key-05", "key-11"];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Consumer_FromOffsetZero_SeesTheLatestValuePerKey_AndNoDeletedKeyPastDeleteRetention()
    {
        var topic = $"compaction-{Guid.NewGuid():n}";
        var partition = mesh.Server.Broker.Logs.CreateTopic(topic, 1, new Dictionary<string, string?>
        {
            [TopicConfig.CleanupPolicyKey] = "compact",
            [TopicConfig.SegmentBytesKey] = TopicConfig.MinSegmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [TopicConfig.MinCleanableDirtyRatioKey] = "0",
            [TopicConfig.DeleteRetentionMsKey] = DeleteRetentionMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Partitions[0];

        var latest = new Dictionary<string, string?>(StringComparer.Ordinal);
        using (var producer = new ProducerBuilder<string, string?>(new ProducerConfig { BootstrapServers = mesh.Bootstrap, Acks = Acks.All, LingerMs = 0 }).Build())
        {
            // One record per batch (awaited one at a time), so updates of a key land in different segments.
            for (var round = 0; round < Updates; round++)
            {
                for (var k = 0; k < Keys; k++)
                {
                    var key = $"key-{k:D2}";
                    latest[key] = $"{key}-v{round}-{new string('x', 100)}";
                    await producer.ProduceAsync(topic, new Message<string, string?> { Key = key, Value = latest[key] }, Cancel);
                }
            }

            foreach (var key in Deleted)
            {
                latest[key] = null;
                await producer.ProduceAsync(topic, new Message<string, string?> { Key = key, Value = null }, Cancel);
            }

            // The cleaner never touches the active segment: write filler until the data's segment is sealed.
            var segments = partition.SegmentCount;
            while (partition.SegmentCount == segments)
            {
                await producer.ProduceAsync(topic, new Message<string, string?> { Key = "filler", Value = new string('f', 200) }, Cancel);
            }
        }

        var before = partition.NextOffset;
        var producedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Within delete.retention.ms: every key once with its latest value; deleted keys as tombstones.
        partition.Compact(producedAt).ShouldBeGreaterThan(0);
        var withTombstones = ConsumeFromZero(topic, partition.NextOffset);
        var dataRecords = withTombstones.Where(r => r.Message.Key != "filler").ToList();
        dataRecords.Select(r => r.Message.Key).ShouldBe(latest.Keys, ignoreOrder: true);
        dataRecords.ShouldAllBe(r => r.Message.Value == latest[r.Message.Key]);
        dataRecords.Where(r => r.Message.Value == null).Select(r => r.Message.Key).ShouldBe(Deleted, ignoreOrder: true);
        withTombstones.Select(r => r.Offset.Value).ShouldBeInOrder(SortDirection.Ascending);

        // Past delete.retention.ms the tombstones are gone as well: the deleted keys have disappeared entirely.
        partition.Compact(producedAt + DeleteRetentionMs + 1).ShouldBeGreaterThan(0);
        var compacted = ConsumeFromZero(topic, partition.NextOffset).Where(r => r.Message.Key != "filler").ToList();
        compacted.Select(r => r.Message.Key).ShouldBe(latest.Keys.Except(Deleted), ignoreOrder: true);
        compacted.ShouldAllBe(r => r.Message.Value == latest[r.Message.Key]);
        // Compaction leaves gaps, never new offsets.
        partition.NextOffset.ShouldBe(before);
        partition.LogStartOffset.ShouldBe(0);
    }

    /// <summary>Assigns partition 0 at offset 0 and reads until the consumer reaches <paramref name="end"/>.</summary>
    private List<ConsumeResult<string, string?>> ConsumeFromZero(string topic, long end)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = mesh.Bootstrap,
            GroupId = $"compaction-reader-{Guid.NewGuid():n}",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        };
        using var consumer = new ConsumerBuilder<string, string?>(config).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, 0));
        var records = new List<ConsumeResult<string, string?>>();
        while (true)
        {
            Cancel.ThrowIfCancellationRequested();
            var result = consumer.Consume(Patience) ?? throw new TimeoutException($"No record and no end of partition within {Patience}; read {records.Count}.");
            if (result.IsPartitionEOF)
            {
                result.Offset.Value.ShouldBe(end);
                break;
            }

            records.Add(result);
        }

        consumer.Close();
        return records;
    }
}
