using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Meshwork.Broker.Storage;
using Shouldly;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>Confluent.Kafka 1.9.3 over Debian's librdkafka 2.0.2: idempotent produce, consume, admin, codecs.</summary>
public sealed class ConfluentKafkaConformanceTests(KafkaMeshFixture mesh) : IClassFixture<KafkaMeshFixture>
{
    private const int Partitions = 4;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IdempotentProducer_100kMessagesOverFourPartitions_AreReadBackExactlyOnceInOrder()
    {
        const int Count = 100_000;
        var topic = $"confluent-idempotent-{Guid.NewGuid():n}";
        mesh.Server.Broker.Logs.CreateTopic(topic, Partitions, new Dictionary<string, string?>());

        using (var producer = new ProducerBuilder<string, string>(ProducerConfig(enableIdempotence: true)).Build())
        {
            for (var i = 0; i < Count; i++)
            {
                ProduceWithBackpressure(producer, topic, new Message<string, string> { Key = $"k{i % 1000}", Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }

            producer.Flush(Patience).ShouldBe(0);
        }

        var consumed = Consume(topic, Count);

        consumed.Count.ShouldBe(Count);
        consumed.Select(r => int.Parse(r.Message.Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().Count().ShouldBe(Count);
        foreach (var partition in consumed.GroupBy(r => r.Partition.Value))
        {
            // Keys hash to partitions, so each partition's values must come back strictly increasing, offsets dense.
            var values = partition.Select(r => int.Parse(r.Message.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            values.ShouldBeInOrder(SortDirection.Ascending);
            partition.Select(r => r.Offset.Value).ShouldBe(Enumerable.Range(0, values.Count).Select(o => (long)o));
        }

        // Every stored batch carries the producer id: the broker saw an idempotent producer.
        foreach (var log in mesh.Server.Broker.Logs.GetTopic(topic)!.Partitions)
        {
            StoredBatches.Headers(log).ShouldAllBe(h => h.ProducerId >= 0);
        }
    }

    [Theory]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    public async Task Producer_RoundTripsCompressedBatches_WithKeysAndHeaders(CompressionType codec)
    {
        const int Count = 2_000;
        var topic = $"confluent-{codec.ToString().ToLowerInvariant()}-{Guid.NewGuid():n}";
        mesh.Server.Broker.Logs.CreateTopic(topic, 1, new Dictionary<string, string?>());
        var config = ProducerConfig(enableIdempotence: false);
        config.CompressionType = codec;
        config.LingerMs = 20;

        using (var producer = new ProducerBuilder<string, string>(config).Build())
        {
            for (var i = 0; i < Count; i++)
            {
                var headers = new Headers { { "n", Encoding.UTF8.GetBytes($"h{i}") } };
                ProduceWithBackpressure(producer, topic, new Message<string, string> { Key = $"key-{i}", Value = $"value-{i}-{new string('x', 64)}", Headers = headers });
            }

            producer.Flush(Patience).ShouldBe(0);
        }

        var consumed = Consume(topic, Count);

        consumed.Select(r => r.Message.Key).ShouldBe(Enumerable.Range(0, Count).Select(i => $"key-{i}"));
        consumed.Select(r => r.Message.Value).ShouldBe(Enumerable.Range(0, Count).Select(i => $"value-{i}-{new string('x', 64)}"));
        consumed.Select(r => Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes("n"))).ShouldBe(Enumerable.Range(0, Count).Select(i => $"h{i}"));
        var codecs = StoredBatches.Headers(mesh.Server.Broker.Logs.GetTopic(topic)!.Partitions[0]).Select(h => h.Compression.ToString().ToLowerInvariant()).Distinct();
        codecs.ShouldBe([codec.ToString().ToLowerInvariant()]);
    }

    [Fact]
    public async Task AdminClient_CreatesDescribesWithEveryConfigAndDeletes_Topics()
    {
        var topic = $"confluent-admin-{Guid.NewGuid():n}";
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = mesh.Bootstrap }).Build();

        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic,
            NumPartitions = 3,
            ReplicationFactor = 1,
            Configs = new Dictionary<string, string> { ["retention.ms"] = "3600000", ["cleanup.policy"] = "compact" },
        }]);
        var metadata = admin.GetMetadata(topic, Patience);
        metadata.Topics.ShouldHaveSingleItem().Partitions.Count.ShouldBe(3);

        var described = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }])).ShouldHaveSingleItem();
        described.Entries.Keys.ShouldBe(TopicConfig.Definitions.Select(d => d.Name), ignoreOrder: true);
        described.Entries["retention.ms"].Value.ShouldBe("3600000");
        described.Entries["retention.ms"].IsDefault.ShouldBeFalse();
        described.Entries["cleanup.policy"].Value.ShouldBe("compact");
        foreach (var definition in TopicConfig.Definitions.Where(d => d.Name is not ("retention.ms" or "cleanup.policy")))
        {
            described.Entries[definition.Name].IsDefault.ShouldBeTrue(definition.Name);
            described.Entries[definition.Name].Value.ShouldBe(definition.Default, definition.Name);
        }

        await admin.DeleteTopicsAsync([topic]);
        mesh.Server.Broker.Logs.GetTopic(topic).ShouldBeNull();
        var duplicate = await Should.ThrowAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 2 }]));
        duplicate.Results.ShouldHaveSingleItem().Error.Code.ShouldBe(Confluent.Kafka.ErrorCode.InvalidReplicationFactor);
    }

    private ProducerConfig ProducerConfig(bool enableIdempotence) => new()
    {
        BootstrapServers = mesh.Bootstrap,
        EnableIdempotence = enableIdempotence,
        Acks = Acks.All,
        LingerMs = 5,
        BatchNumMessages = 10_000,
    };

    private static void ProduceWithBackpressure(IProducer<string, string> producer, string topic, Message<string, string> message)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, report => report.Error.IsError.ShouldBeFalse(report.Error.Reason));
                return;
            }
            catch (ProduceException<string, string> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    /// <summary>Reads <paramref name="count"/> records with a fresh group from the beginning (bounded by <see cref="Patience"/> of silence).</summary>
    private List<ConsumeResult<string, string>> Consume(string topic, int count)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = mesh.Bootstrap,
            GroupId = $"reader-{Guid.NewGuid():n}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            EnablePartitionEof = false,
        };
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        consumer.Subscribe(topic);
        var records = new List<ConsumeResult<string, string>>(count);
        while (records.Count < count)
        {
            Cancel.ThrowIfCancellationRequested();
            var result = consumer.Consume(Patience);
            if (result is null)
            {
                break;
            }

            records.Add(result);
        }

        // Anything beyond the expected count would be a duplicate: give it a moment to show up.
        while (consumer.Consume(TimeSpan.FromSeconds(1)) is { } extra)
        {
            records.Add(extra);
        }

        consumer.Close();
        return records;
    }
}
