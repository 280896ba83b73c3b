using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Kafka.Protocol.Records;

namespace Meshwork.Bench.Broker;

/// <summary>
/// Produces with bare Produce requests (acks=all) built once by our own codec and resent on one connection with a few
/// requests in flight: the broker's produce path without a client library's per-record work.
/// </summary>
internal static class RawProducer
{
    private const short ProduceVersion = 7;
    private const int InFlight = 4;

    public static ProduceResult Produce(string host, int port, string topic, int partitions, int records, int recordBytes, int recordsPerBatch)
    {
        var value = new byte[recordBytes];
        Random.Shared.NextBytes(value);
        var builder = new RecordBatchBuilder();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < recordsPerBatch; i++)
        {
            builder.Add(now, null, value);
        }

        var batch = builder.Build();
        var request = new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 30_000,
            Topics = [new ProduceRequest.TopicProduceData { Name = topic, Partitions = [.. Enumerable.Range(0, partitions).Select(p => new ProduceRequest.PartitionProduceData { PartitionIndex = p, Records = batch })] }],
        };
        var frame = new ArrayBufferWriter<byte>();
        KafkaCodec.WriteRequest(frame, new RequestHeader { ApiKey = ApiKey.Produce, ApiVersion = ProduceVersion, CorrelationId = 1, ClientId = "bench" }, request);
        var bytes = frame.WrittenSpan.ToArray();

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(host, port);
        var requests = Math.Max(1, records / (recordsPerBatch * partitions));
        var sentAt = new long[requests];
        var latencies = new double[requests];
        var started = Stopwatch.GetTimestamp();
        var sent = 0;
        for (var answered = 0; answered < requests; answered++)
        {
            while (sent < requests && sent - answered < InFlight)
            {
                sentAt[sent++] = Stopwatch.GetTimestamp();
                socket.Send(bytes);
            }

            var response = (ProduceResponse)KafkaCodec.DecodeResponse(ReadFrame(socket), ApiKey.Produce, ProduceVersion, out _);
            latencies[answered] = Stopwatch.GetElapsedTime(sentAt[answered]).TotalMilliseconds;
            if (response.Responses.SelectMany(t => t.Partitions).FirstOrDefault(p => p.ErrorCode != ErrorCode.None) is { } failed)
            {
                throw new InvalidOperationException($"Produce to partition {failed.PartitionIndex} failed: {failed.ErrorCode} {failed.ErrorMessage}");
            }
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Array.Sort(latencies);
        var total = (long)requests * partitions * recordsPerBatch;
        return new ProduceResult(partitions, total, total * recordBytes, seconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), Percentile(latencies, 0.999), (long)requests * partitions, (long)requests * partitions * batch.Length);
    }

    private static double Percentile(double[] sorted, double quantile) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * quantile) - 1)];

    private static byte[] ReadFrame(Socket socket)
    {
        var prefix = new byte[KafkaFraming.SizePrefixLength];
        ReadExactly(socket, prefix);
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        ReadExactly(socket, frame);
        return frame;
    }

    internal static void ReadExactly(Socket socket, Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            var n = socket.Receive(buffer);
            if (n == 0)
            {
                throw new IOException("The broker closed the connection.");
            }

            buffer = buffer[n..];
        }
    }
}
