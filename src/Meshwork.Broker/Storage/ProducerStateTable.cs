using System.Text.Json;
using System.Text.Json.Serialization;
using Meshwork.Kafka.Protocol;

namespace Meshwork.Broker.Storage;

/// <summary>
/// Idempotent-producer state of one partition (kafka-wire.md §2, Kafka's <c>ProducerStateEntry</c>): per producer
/// id the epoch and the last <see cref="RetainedBatches"/> batches' sequence ranges and offsets, which is what lets a
/// retried batch be answered with its original offsets. Mutated under the partition lock only.
/// </summary>
internal sealed class ProducerStateTable
{
    /// <summary>Kafka's NUM_BATCHES_TO_RETAIN; the reason clients cap max.in.flight at 5.</summary>
    public const int RetainedBatches = 5;

    private readonly Dictionary<long, ProducerEntry> _producers = [];

    /// <summary>Number of producers with state.</summary>
    public int Count => _producers.Count;

    /// <summary>Last sequence of a batch, wrapping at Int32.MaxValue to 0 like Kafka's <c>incrementSequence</c>.</summary>
    public static int LastSequence(int baseSequence, int lastOffsetDelta) =>
        baseSequence > int.MaxValue - lastOffsetDelta
            ? lastOffsetDelta - (int.MaxValue - baseSequence) - 1
            : baseSequence + lastOffsetDelta;

    /// <summary>
    /// Checks a batch against the producer's state. Returns the error, or None; <paramref name="duplicate"/> is set
    /// when the batch repeats one of the retained batches (answer with its offsets, write nothing).
    /// </summary>
    public ErrorCode Check(long producerId, short epoch, int baseSequence, int lastOffsetDelta, out BatchMetadata? duplicate)
    {
        duplicate = null;
        if (producerId < 0 || !_producers.TryGetValue(producerId, out var entry))
        {
            return ErrorCode.None;
        }

        if (epoch < entry.Epoch)
        {
            return ErrorCode.InvalidProducerEpoch;
        }

        if (epoch > entry.Epoch)
        {
            return baseSequence == 0 ? ErrorCode.None : ErrorCode.OutOfOrderSequenceNumber;
        }

        var lastSequence = LastSequence(baseSequence, lastOffsetDelta);
        foreach (var batch in entry.Batches)
        {
            if (batch.FirstSequence == baseSequence && batch.LastSequence == lastSequence)
            {
                duplicate = batch;
                return ErrorCode.None;
            }
        }

        if (entry.Batches.Count == 0)
        {
            return ErrorCode.None;
        }

        var expected = entry.Batches[^1].LastSequence == int.MaxValue ? 0 : entry.Batches[^1].LastSequence + 1;
        return baseSequence == expected ? ErrorCode.None : ErrorCode.OutOfOrderSequenceNumber;
    }

    /// <summary>Records an appended (or recovered) batch.</summary>
    public void Update(long producerId, short epoch, int baseSequence, int lastOffsetDelta, long firstOffset, long lastOffset)
    {
        if (producerId < 0)
        {
            return;
        }

        if (!_producers.TryGetValue(producerId, out var entry))
        {
            entry = new ProducerEntry { Epoch = epoch };
            _producers[producerId] = entry;
        }

        if (epoch != entry.Epoch)
        {
            entry.Epoch = epoch;
            entry.Batches.Clear();
        }

        entry.Batches.Add(new BatchMetadata(baseSequence, LastSequence(baseSequence, lastOffsetDelta), firstOffset, lastOffset));
        if (entry.Batches.Count > RetainedBatches)
        {
            entry.Batches.RemoveAt(0);
        }
    }

    /// <summary>Forgets everything (before a full rebuild).</summary>
    public void Clear() => _producers.Clear();

    /// <summary>Writes the snapshot, valid for the log up to <paramref name="nextOffset"/>.</summary>
    public void Save(string path, long nextOffset)
    {
        var snapshot = new ProducerSnapshot(nextOffset, _producers.Select(p => new ProducerSnapshotEntry(p.Key, p.Value.Epoch, [.. p.Value.Batches])).ToList());
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(snapshot, SnapshotJson.Options));
    }

    /// <summary>Loads a snapshot; returns the offset it is valid up to, or null when there is none or it is unreadable.</summary>
    public long? Load(string path, out string? problem)
    {
        problem = null;
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var snapshot = JsonSerializer.Deserialize<ProducerSnapshot>(File.ReadAllBytes(path), SnapshotJson.Options);
            if (snapshot is null)
            {
                problem = "empty snapshot";
                return null;
            }

            _producers.Clear();
            foreach (var producer in snapshot.Producers)
            {
                _producers[producer.ProducerId] = new ProducerEntry { Epoch = producer.Epoch, Batches = [.. producer.Batches] };
            }

            return snapshot.NextOffset;
        }
        catch (JsonException ex)
        {
            problem = ex.Message;
            _producers.Clear();
            return null;
        }
    }

    /// <summary>Sequence range and offsets of one retained batch.</summary>
    internal sealed record BatchMetadata(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset);

    private sealed class ProducerEntry
    {
        public short Epoch { get; set; }

        public List<BatchMetadata> Batches { get; init; } = [];
    }

    private sealed record ProducerSnapshotEntry(long ProducerId, short Epoch, List<BatchMetadata> Batches);

    private sealed record ProducerSnapshot(long NextOffset, List<ProducerSnapshotEntry> Producers);

    private static class SnapshotJson
    {
        public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never };
    }
}
