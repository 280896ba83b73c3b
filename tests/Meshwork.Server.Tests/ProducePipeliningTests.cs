using System.Buffers.Binary;
using System.Net.Sockets;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Kafka.Protocol.Records;
using Meshwork.Testing.Mesh;
using Shouldly;

namespace Meshwork.Server.Tests;

/// <summary>
/// A client that pipelines requests on one connection gets every response, in request order, each after its records
/// are durable — Produce requests overlap their fsyncs, everything else is answered one at a time.
/// </summary>
public sealed class ProducePipeliningTests : MeshServerTest
{
    [Fact]
    public async Task PipelinedProduceAndMetadataRequests_AreAnsweredInOrder_WithDenseOffsets()
    {
        const string topic = "pipelined";
        Server.Broker.Logs.CreateTopic(topic, 2, new Dictionary<string, string?>());
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Server.Broker.Advertised.Port, Cancel);
        var stream = client.GetStream();

        // 40 requests written back to back before reading anything: Produce to both partitions, a Metadata every tenth.
        var sent = new List<(int Correlation, ApiKey Api, short Version)>();
        using (var frames = new PooledBufferWriter())
        {
            for (var i = 1; i <= 40; i++)
            {
                IKafkaRequest request = i % 10 == 0
                    ? new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }] }
                    : new ProduceRequest
                    {
                        Acks = ProduceRequest.AcksAll,
                        TimeoutMs = 10_000,
                        Topics = [new ProduceRequest.TopicProduceData
                        {
                            Name = topic,
                            Partitions = [new ProduceRequest.PartitionProduceData { PartitionIndex = i % 2, Records = new RecordBatchBuilder().Add(0, null, new byte[100]).Add(0, null, new byte[100]).Build() }],
                        }],
                    };
                var version = (short)(request is ProduceRequest ? 7 : 4);
                KafkaCodec.WriteRequest(frames, new RequestHeader { ApiKey = request.Api, ApiVersion = version, CorrelationId = i, ClientId = "pipeline" }, request);
                sent.Add((i, request.Api, version));
            }

            await stream.WriteAsync(frames.WrittenMemory, Cancel);
        }

        var next = new Dictionary<int, long> { [0] = 0, [1] = 0 };
        foreach (var (correlation, api, version) in sent)
        {
            var frame = await ReadFrameAsync(stream);
            var response = KafkaCodec.DecodeResponse(frame, api, version, out var answered);
            answered.ShouldBe(correlation, "responses come back in request order");
            if (response is ProduceResponse produce)
            {
                var partition = produce.Responses.Single().Partitions.Single();
                partition.ErrorCode.ShouldBe(ErrorCode.None);
                partition.BaseOffset.ShouldBe(next[partition.PartitionIndex]);
                next[partition.PartitionIndex] += 2;
            }
        }

        next.Values.Sum().ShouldBe(72);
        Server.Broker.Logs.GetTopic(topic)!.Partitions.Sum(p => p.NextOffset).ShouldBe(72);
    }

    private static async Task<byte[]> ReadFrameAsync(NetworkStream stream)
    {
        var size = new byte[4];
        await stream.ReadExactlyAsync(size, Cancel);
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        await stream.ReadExactlyAsync(frame, Cancel);
        return frame;
    }
}
