using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Records;

namespace Meshwork.Broker.Storage;

/// <summary>
/// Reads records out of stored batches: of a partition log from an offset (the HTTP API and the embedded monitors, which
/// are not consumers: no group, no fetch session), or of the batches a Fetch response carries (the embedded processors).
/// </summary>
public static class LogReader
{
    private const int ReadChunkBytes = 1024 * 1024;

    /// <summary>
    /// Up to <paramref name="limit"/> records from <paramref name="from"/>, each turned into a result by
    /// <paramref name="map"/> while its bytes are still valid (they are pooled: copy what you keep).
    /// </summary>
    public static List<T> Read<T>(PartitionLog log, long from, int limit, Func<Record, T> map)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(map);
        var results = new List<T>(Math.Min(limit, 1024));
        var next = from;
        while (results.Count < limit && next < log.NextOffset)
        {
            using var read = log.Read(next, ReadChunkBytes);
            if (read.Error != ErrorCode.None || read.Records.Length == 0)
            {
                break;
            }

            var before = next;
            next = ReadBatches(read.Records, next, (record, _) =>
            {
                if (results.Count >= limit)
                {
                    return false;
                }

                results.Add(map(record));
                return true;
            });
            if (next == before)
            {
                break;
            }
        }

        return results;
    }

    /// <summary>
    /// Hands every record at or after <paramref name="from"/> in <paramref name="batches"/> (whole record batches, as
    /// stored and fetched; a trailing partial batch is ignored) to <paramref name="onRecord"/> with its batch header, until
    /// it returns false. Returns the offset to read next: past the last batch read whole, even one that compaction
    /// emptied, so a reader never fetches the same batch twice.
    /// </summary>
    public static long ReadBatches(ReadOnlyMemory<byte> batches, long from, Func<Record, RecordBatchHeader, bool> onRecord)
    {
        ArgumentNullException.ThrowIfNull(onRecord);
        var next = from;
        foreach (var batch in RecordBatch.SplitBatches(batches, out _))
        {
            var header = RecordBatch.ReadHeader(batch.Span);
            foreach (var record in RecordBatch.ReadRecords(batch, KafkaCompression.Instance))
            {
                // A read starts at the batch holding `from`, so skip what came before it.
                if (record.Offset >= from && !onRecord(record, header))
                {
                    // Stopped inside this batch: the next read starts at the record not taken.
                    return Math.Max(next, record.Offset);
                }
            }

            next = Math.Max(next, header.LastOffset + 1);
        }

        return next;
    }
}
