using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Kafka.Protocol.Records;

namespace Meshwork.Bench.Broker;

/// <summary>
/// Reads a topic with bare Fetch requests built by our own codec on one connection: the broker's fetch path without a
/// client library's per-record work, to tell broker limits from client limits.
/// </summary>
internal static class RawFetcher
{
    private const short FetchVersion = 11;
    private const int PartitionMaxBytes = 8 * 1024 * 1024;

    public static ConsumeResult Consume(string host, int port, string topic, int partitions, long records)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(host, port);
        var offsets = new long[partitions];
        long count = 0, bytes = 0;
        var correlationId = 0;
        var started = Stopwatch.GetTimestamp();
        while (count < records)
        {
            var request = new FetchRequest
            {
                MaxWaitMs = 500,
                MinBytes = 1,
                MaxBytes = 64 * 1024 * 1024,
                Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [.. Enumerable.Range(0, partitions).Select(p => new FetchRequest.FetchPartition { Partition = p, FetchOffset = offsets[p], PartitionMaxBytes = PartitionMaxBytes })] }],
            };
            var frame = new ArrayBufferWriter<byte>();
            KafkaCodec.WriteRequest(frame, new RequestHeader { ApiKey = ApiKey.Fetch, ApiVersion = FetchVersion, CorrelationId = ++correlationId, ClientId = "bench" }, request);
            socket.Send(frame.WrittenSpan);
            var response = (FetchResponse)KafkaCodec.DecodeResponse(ReadFrame(socket), ApiKey.Fetch, FetchVersion, out _);
            foreach (var partition in response.Responses.SelectMany(t => t.Partitions))
            {
                if (partition.Records is not { Length: > 0 } data)
                {
                    continue;
                }

                foreach (var batch in RecordBatch.SplitBatches(data, out _))
                {
                    var header = RecordBatch.ReadHeader(batch.Span);
                    // A fetch starts at the batch holding the offset: count only what is new.
                    if (header.LastOffset < offsets[partition.PartitionIndex])
                    {
                        continue;
                    }

                    count += header.RecordCount;
                    bytes += header.TotalSize;
                    offsets[partition.PartitionIndex] = header.LastOffset + 1;
                }
            }
        }

        return new ConsumeResult(partitions, count, bytes, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static byte[] ReadFrame(Socket socket)
    {
        var prefix = new byte[KafkaFraming.SizePrefixLength];
        RawProducer.ReadExactly(socket, prefix);
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        RawProducer.ReadExactly(socket, frame);
        return frame;
    }
}
