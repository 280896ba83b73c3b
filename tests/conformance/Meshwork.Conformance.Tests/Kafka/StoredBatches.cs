using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol.Records;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>Reads the batch headers a partition stored, to check what the client really sent (codec, producer id).</summary>
internal static class StoredBatches
{
    private const int ReadBytes = 1024 * 1024;

    /// <summary>Every stored batch header, from the log start to the end.</summary>
    public static List<RecordBatchHeader> Headers(PartitionLog partition)
    {
        var headers = new List<RecordBatchHeader>();
        var offset = partition.LogStartOffset;
        while (offset < partition.NextOffset)
        {
            using var read = partition.Read(offset, ReadBytes);
            if (read.Records.IsEmpty)
            {
                break;
            }

            foreach (var batch in RecordBatch.SplitBatches(read.Records, out _))
            {
                var header = RecordBatch.ReadHeader(batch.Span);
                if (header.LastOffset >= offset)
                {
                    headers.Add(header);
                }

                offset = Math.Max(offset, header.LastOffset + 1);
            }
        }

        return headers;
    }
}
