namespace Meshwork.Processing.Sources;

/// <summary>One record read from a topic partition; key and value are copies the caller may keep.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">Its offset.</param>
/// <param name="Timestamp">The record timestamp (create time, or log append time when the topic says so).</param>
/// <param name="Key">The key, or null.</param>
/// <param name="Value">The value, or null for a tombstone.</param>
public sealed record SourceRecord(int Partition, long Offset, DateTimeOffset Timestamp, byte[]? Key, byte[]? Value);

/// <summary>What one fetch returned.</summary>
/// <param name="Records">Records in offset order per partition.</param>
/// <param name="NextOffsets">Per fetched partition, the offset to fetch next (past batches that compaction emptied too).</param>
/// <param name="EndOffsets">Per fetched partition, the log end offset (high watermark) the broker reported.</param>
/// <param name="OutOfRange">Per partition whose fetch offset was outside the log, the offsets the log holds.</param>
public sealed record FetchResult(
    IReadOnlyList<SourceRecord> Records,
    IReadOnlyDictionary<int, long> NextOffsets,
    IReadOnlyDictionary<int, long> EndOffsets,
    IReadOnlyDictionary<int, LogRange> OutOfRange);

/// <summary>The offsets a partition's log holds: from <paramref name="Start"/> (log start) to before <paramref name="End"/> (log end).</summary>
/// <param name="Start">The first offset still in the log.</param>
/// <param name="End">The offset the next record will get.</param>
public readonly record struct LogRange(long Start, long End);

/// <summary>
/// Where a processor reads a topic from: the seam between processing and the event bus. The embedded mesh reads through
/// the broker's own request path (<see cref="BrokerRecordSource"/>); at scale the same processors run over Apache Kafka
/// or MSK with an implementation on a Kafka client (Confluent.Kafka: <c>Assign</c> with explicit offsets,
/// <c>Consume</c>, <c>QueryWatermarkOffsets</c>, <c>CommitOffsets</c> for the group). Positions are always the caller's:
/// a source never decides where to read from, so the lake's snapshot summary stays the one resume point.
/// </summary>
public interface IRecordSource : IAsyncDisposable
{
    /// <summary>How many partitions <paramref name="topic"/> has.</summary>
    /// <exception cref="RecordSourceException">The topic does not exist or cannot be described.</exception>
    Task<int> PartitionCountAsync(string topic, CancellationToken cancellationToken);

    /// <summary>
    /// Reads from each partition of <paramref name="positions"/> at its offset, waiting up to <paramref name="maxWait"/>
    /// for a first record when there is none yet.
    /// </summary>
    /// <exception cref="RecordSourceException">The fetch failed (authorization, unknown topic, ...).</exception>
    Task<FetchResult> FetchAsync(string topic, IReadOnlyDictionary<int, long> positions, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>
    /// Records <paramref name="offsets"/> (next offsets to read) as <paramref name="group"/>'s committed offsets, so
    /// consumer-group tooling shows the processor's progress and lag. Informational: processors never resume from it.
    /// </summary>
    Task CommitGroupOffsetsAsync(string group, string topic, IReadOnlyDictionary<int, long> offsets, CancellationToken cancellationToken);
}

/// <summary>A source could not do what was asked; the message says what and why.</summary>
public sealed class RecordSourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RecordSourceException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
