using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Records;

namespace Meshwork.Server;

/// <summary>Reads records of a partition from an offset, for the HTTP API and the embedded monitors (not a consumer: no group, no fetch session).</summary>
internal static class LogReader
{
    private const int ReadChunkBytes = 1024 * 1024;

    /// <summary>
    /// Up to <paramref name="limit"/> records from <paramref name="from"/>, each turned into a result by
    /// <paramref name="map"/> while its bytes are still valid (they are pooled: copy what you keep).
    /// </summary>
    public static List<T> Read<T>(PartitionLog log, long from, int limit, Func<Record, T> map)
    {
        var results = new List<T>(Math.Min(limit, 1024));
        var next = from;
        while (results.Count < limit && next < log.NextOffset)
        {
            using var read = log.Read(next, ReadChunkBytes);
            if (read.Error != ErrorCode.None || read.Records.Length == 0)
            {
                break;
            }

            var progressed = false;
            foreach (var batch in RecordBatch.SplitBatches(read.Records, out _))
            {
                foreach (var record in RecordBatch.ReadRecords(batch, KafkaCompression.Instance))
                {
                    // A read starts at the batch holding `next`, so skip what came before it.
                    if (record.Offset >= next && results.Count < limit)
                    {
                        results.Add(map(record));
                    }
                }

                var header = RecordBatch.ReadHeader(batch.Span);
                next = Math.Max(next, header.BaseOffset + header.LastOffsetDelta + 1);
                progressed = true;
            }

            if (!progressed)
            {
                break;
            }
        }

        return results;
    }
}
