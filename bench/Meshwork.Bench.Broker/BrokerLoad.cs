using System.Diagnostics;
using Confluent.Kafka;
using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol.Records;
using Meshwork.Server;

namespace Meshwork.Bench.Broker;

/// <summary>One produce run: throughput, per-record latency (produce call to acknowledgement) and what was stored.</summary>
internal sealed record ProduceResult(int Partitions, long Records, long Bytes, double Seconds, double P50Ms, double P99Ms, double P999Ms, long Batches, long StoredBytes)
{
    public double MegabytesPerSecond => Bytes / 1_000_000.0 / Seconds;

    public double RecordsPerSecond => Records / Seconds;

    public int AverageBatchBytes => (int)(StoredBytes / Math.Max(1, Batches));
}

/// <summary>One consume run: a consumer reading a whole topic from offset 0.</summary>
internal sealed record ConsumeResult(int Partitions, long Records, long Bytes, double Seconds)
{
    public double MegabytesPerSecond => Bytes / 1_000_000.0 / Seconds;

    public double RecordsPerSecond => Records / Seconds;
}

/// <summary>Drives the in-process broker with Confluent.Kafka over Debian's librdkafka (acks=all, no compression).</summary>
internal static class BrokerLoad
{
    /// <summary>
    /// Produces <paramref name="records"/> records: as fast as the client queues them, or at <paramref name="recordsPerSecond"/>
    /// (latency at a load the broker keeps up with, instead of the queueing delay of a saturated client).
    /// </summary>
    public static ProduceResult Produce(MeshServer server, string topic, int partitions, int records, int recordBytes, int? recordsPerSecond = null)
    {
        if (server.Broker.Logs.GetTopic(topic) is null)
        {
            server.Broker.Logs.CreateTopic(topic, partitions, new Dictionary<string, string?>());
        }

        var config = new ProducerConfig
        {
            BootstrapServers = server.BootstrapServers,
            Acks = Acks.All,
            LingerMs = 5,
            BatchSize = 1_000_000,
            BatchNumMessages = 100_000,
            QueueBufferingMaxKbytes = 256 * 1024,
            CompressionType = CompressionType.None,
        };
        var value = new byte[recordBytes];
        Random.Shared.NextBytes(value);
        var sentAt = new long[records];
        var latencies = new double[records];
        var failed = 0;
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        // Warm-up: librdkafka's first record waits about a second for the broker connection it learns from metadata.
        foreach (var partition in Enumerable.Range(0, partitions))
        {
            producer.ProduceAsync(new TopicPartition(topic, partition), new Message<Null, byte[]> { Value = value }).GetAwaiter().GetResult();
        }

        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < records; i++)
        {
            var index = i;
            if (recordsPerSecond is { } rate)
            {
                var due = TimeSpan.FromSeconds((double)i / rate);
                while (Stopwatch.GetElapsedTime(started) < due)
                {
                    Thread.Sleep(1);
                }
            }

            sentAt[index] = Stopwatch.GetTimestamp();
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<Null, byte[]> { Value = value }, report =>
                    {
                        latencies[index] = Stopwatch.GetElapsedTime(sentAt[index]).TotalMilliseconds;
                        if (report.Error.IsError)
                        {
                            Interlocked.Increment(ref failed);
                        }
                    });
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(1));
                    sentAt[index] = Stopwatch.GetTimestamp();
                }
            }
        }

        if (producer.Flush(TimeSpan.FromMinutes(5)) != 0 || failed != 0)
        {
            throw new InvalidOperationException($"{failed} record(s) failed or were never acknowledged.");
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Array.Sort(latencies);
        var (batches, stored) = recordsPerSecond is null ? CountBatches(server.Broker.Logs.GetTopic(topic)!) : (0, 0);
        return new ProduceResult(partitions, records, (long)records * recordBytes, seconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), Percentile(latencies, 0.999), batches, stored);
    }

    public static ConsumeResult Consume(MeshServer server, string topic, int partitions, int records, int recordBytes)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = server.BootstrapServers,
            GroupId = $"bench-{Guid.NewGuid():n}",
            EnableAutoCommit = false,
            FetchMaxBytes = 64 * 1024 * 1024,
            MaxPartitionFetchBytes = 8 * 1024 * 1024,
        };
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, 0)));
        long bytes = 0;
        var count = 0;
        var started = Stopwatch.GetTimestamp();
        while (count < records)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException($"Consumed {count} of {records} records, then nothing for 30 s.");
            bytes += result.Message.Value.Length;
            count++;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        consumer.Close();
        if (bytes != (long)records * recordBytes)
        {
            throw new InvalidOperationException($"Consumed {bytes} value bytes, expected {(long)records * recordBytes}.");
        }

        return new ConsumeResult(partitions, count, bytes, seconds);
    }

    /// <summary>The segment files of a topic, for the sequential-read reference.</summary>
    public static IReadOnlyList<string> SegmentFiles(TopicLog topic) =>
        [.. topic.Partitions.SelectMany(p => Directory.GetFiles(p.Directory, "*" + ".log")).Order(StringComparer.Ordinal)];

    /// <summary>Batches and bytes stored, less the warm-up batch at offset 0 of each partition.</summary>
    private static (long Batches, long Bytes) CountBatches(TopicLog topic)
    {
        long batches = 0, bytes = 0;
        foreach (var partition in topic.Partitions)
        {
            var offset = partition.LogStartOffset;
            while (offset < partition.NextOffset)
            {
                using var read = partition.Read(offset, 8 << 20);
                if (read.Records.IsEmpty)
                {
                    break;
                }

                foreach (var batch in RecordBatch.SplitBatches(read.Records, out _))
                {
                    var header = RecordBatch.ReadHeader(batch.Span);
                    if (header.BaseOffset > 0)
                    {
                        batches++;
                        bytes += header.TotalSize;
                    }

                    offset = header.LastOffset + 1;
                }
            }
        }

        return (batches, bytes);
    }

    private static double Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * quantile) - 1)];
}
