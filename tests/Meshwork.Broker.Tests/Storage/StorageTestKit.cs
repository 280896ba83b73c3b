using System.Text;
using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol.Records;
using Meshwork.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Shouldly;
using Record = Meshwork.Kafka.Protocol.Records.Record;

namespace Meshwork.Broker.Tests.Storage;

/// <summary>Builds batches and opens partitions for the storage tests.</summary>
internal static class StorageTestKit
{
    public static readonly long StartMs = new ManualTimeProvider().GetUtcNow().ToUnixTimeMilliseconds();

    public static byte[] Batch(int count, long timestamp, string prefix = "v", long producerId = -1, short epoch = -1, int baseSequence = -1, int valueSize = 8)
    {
        var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = baseSequence };
        for (var i = 0; i < count; i++)
        {
            var value = Encoding.UTF8.GetBytes($"{prefix}{i}".PadRight(valueSize, '.'));
            builder.Add(timestamp, Encoding.UTF8.GetBytes($"k{i}"), value);
        }

        return builder.Build();
    }

    public static byte[] KeyedBatch(long timestamp, params (string Key, string? Value)[] records)
    {
        var builder = new RecordBatchBuilder();
        foreach (var (key, value) in records)
        {
            // Not "value is null ? null : bytes": the conditional is typed byte[], and a null byte[] converts to an
            // empty, non-null memory, i.e. an empty value instead of a tombstone.
            ReadOnlyMemory<byte>? bytes = null;
            if (value is not null)
            {
                bytes = Encoding.UTF8.GetBytes(value);
            }

            builder.Add(timestamp, Encoding.UTF8.GetBytes(key), bytes);
        }

        return builder.Build();
    }

    public static PartitionLog Open(string directory, TopicConfig? config = null, TimeProvider? time = null, BrokerStorageOptions? options = null) =>
        PartitionLog.Open(directory, config ?? TopicConfig.Default, time ?? new ManualTimeProvider(), NullLogger.Instance, options ?? new BrokerStorageOptions());

    public static TopicConfig Config(params (string Key, string Value)[] overrides) =>
        TopicConfig.Create(overrides.ToDictionary(p => p.Key, p => (string?)p.Value));

    /// <summary>Every record readable from <paramref name="offset"/> to the end, following batch by batch.</summary>
    public static List<Record> ReadAll(PartitionLog log, long offset = 0)
    {
        var records = new List<Record>();
        var next = Math.Max(offset, log.LogStartOffset);
        while (next < log.NextOffset)
        {
            using var result = log.Read(next, 1 << 20);
            if (result.Records.IsEmpty)
            {
                break;
            }

            var batches = RecordBatch.SplitBatches(result.Records.ToArray(), out var trailing);
            trailing.ShouldBe(0);
            foreach (var batch in batches)
            {
                var header = RecordBatch.ReadHeader(batch.Span);
                foreach (var record in RecordBatch.ReadRecords(batch, KafkaCompression.Instance))
                {
                    if (record.Offset >= next)
                    {
                        records.Add(record);
                    }
                }

                next = Math.Max(next, header.LastOffset + 1);
            }
        }

        return records;
    }

    public static string Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : "<null>";
}
