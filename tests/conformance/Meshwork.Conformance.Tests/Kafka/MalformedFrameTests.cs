using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Kafka.Protocol.Records;
using Shouldly;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>
/// Fuzz-style malformed input over real sockets: 10,000 mutated, truncated, over-long and unknown-API frames built
/// from valid requests of every kind the broker serves, while a real producer keeps working on another connection.
/// The broker must close only the offending connections (with a log line), leak none, and keep serving.
/// </summary>
public sealed class MalformedFrameTests(KafkaMeshFixture mesh) : IClassFixture<KafkaMeshFixture>
{
    private const int Frames = 10_000;
    private const int Workers = 8;
    private const int Seed = 20260517;
    private const int MalformedClosedEventId = 4101;
    private const int UnexpectedErrorEventId = 4102;
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>How a frame is broken; the first two always make the broker close the connection without answering.</summary>
    private enum Mutation
    {
        AbsurdLength,
        UnknownApiKey,
        BitFlips,
        ByteEdits,
        TruncatedBody,
        TruncatedOnTheWire,
        Garbage,
        ValidThenMutated,
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Broker_ClosesOnlyTheOffendingConnections_AndLeaksNone_UnderTenThousandMutatedFrames()
    {
        var topic = $"fuzz-{Guid.NewGuid():n}";
        var bystanderTopic = $"fuzz-bystander-{Guid.NewGuid():n}";
        var group = $"fuzz-group-{Guid.NewGuid():n}";
        var log = mesh.Server.Broker.Logs.CreateTopic(topic, 2, new Dictionary<string, string?>()).Partitions[0];
        log.Append(Batch(10), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Error.ShouldBe(Meshwork.Kafka.Protocol.ErrorCode.None);
        mesh.Server.Broker.Logs.CreateTopic(bystanderTopic, 1, new Dictionary<string, string?>());
        var seeds = SeedFrames(topic, group);
        var (host, port) = mesh.Server.Broker.Advertised;
        var baseline = mesh.Server.Broker.Metrics.OpenConnections;

        // An idle connection opened before the storm, and a real producer writing throughout it.
        using var keeper = await ConnectAsync(host, port);
        (await RoundTripAsync(keeper, seeds[0].Frame)).ShouldBeGreaterThan(0);
        using var storm = new CancellationTokenSource();
        var bystander = Task.Run(() => ProduceUntilAsync(bystanderTopic, storm.Token), Cancel);

        var outcomes = new ConcurrentBag<(Mutation Mutation, int ClientPort, bool ClosedByBroker, int AnswerBytes)>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < Frames)
            {
                outcomes.Add(await SendOneAsync(host, port, seeds, index));
            }
        }, Cancel)));
        await storm.CancelAsync();
        var acknowledged = await bystander;

        // Every frame with an absurd length or an unknown API key closed its connection, unanswered, with a log line.
        outcomes.Count.ShouldBe(Frames);
        var mustClose = outcomes.Where(o => o.Mutation is Mutation.AbsurdLength or Mutation.UnknownApiKey).ToList();
        mustClose.ShouldAllBe(o => o.ClosedByBroker && o.AnswerBytes == 0);
        var loggedClients = mesh.Logs.Entries.Where(e => e.EventId.Id == MalformedClosedEventId).Select(e => e["Client"]).ToHashSet();
        mustClose.ShouldAllBe(o => loggedClients.Contains($"127.0.0.1:{o.ClientPort}"));
        mesh.Server.Broker.Metrics.Connections.ClosedForProtocolErrors.ShouldBeGreaterThanOrEqualTo(mustClose.Count);
        // Nothing reached the catch-all: every bad input was recognised as a protocol error, not a broker bug.
        mesh.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error || e.EventId.Id == UnexpectedErrorEventId)
            .Select(e => $"{e.Category}: {e.Message}").ShouldBeEmpty();

        // The connection opened before the storm still works, and so did the producer that ran through it.
        (await RoundTripAsync(keeper, seeds[0].Frame)).ShouldBeGreaterThan(0);
        acknowledged.ShouldNotBeEmpty();
        var readBack = ConsumeAll(bystanderTopic, acknowledged.Count);
        readBack.ShouldBe(acknowledged);

        // A real client after the storm: produce and read back on a fresh topic.
        var after = $"fuzz-after-{Guid.NewGuid():n}";
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = mesh.Bootstrap, Acks = Acks.All }).Build())
        {
            (await producer.ProduceAsync(after, new Message<Null, string> { Value = "still serving" }, Cancel)).Offset.Value.ShouldBe(0);
        }

        ConsumeAll(after, 1).ShouldBe(["still serving"]);

        keeper.Dispose();
        await WaitForOpenConnectionsAsync(baseline);
    }

    /// <summary>One case: connect, send a broken frame, then see whether the broker closes the connection.</summary>
    private static async Task<(Mutation, int, bool, int)> SendOneAsync(string host, int port, IReadOnlyList<(string Name, byte[] Frame)> seeds, int index)
    {
        var random = new Random(Seed + index);
        var mutation = (Mutation)(index % Enum.GetValues<Mutation>().Length);
        var seed = seeds[random.Next(seeds.Count)].Frame;
        var bytes = mutation switch
        {
            Mutation.AbsurdLength => AbsurdLength(random, seed),
            Mutation.UnknownApiKey => UnknownApiKey(random, seed),
            Mutation.BitFlips => BitFlips(random, seed),
            Mutation.ByteEdits => Reframe(ByteEdits(random, seed.AsSpan(KafkaFraming.SizePrefixLength).ToArray())),
            Mutation.TruncatedBody => Reframe(seed.AsSpan(KafkaFraming.SizePrefixLength, random.Next(seed.Length - KafkaFraming.SizePrefixLength)).ToArray()),
            Mutation.TruncatedOnTheWire => seed[..random.Next(1, seed.Length)],
            Mutation.Garbage => Reframe(RandomBytes(random, random.Next(0, 200))),
            _ => [.. seed, .. BitFlips(random, seeds[random.Next(seeds.Count)].Frame)],
        };

        using var socket = await ConnectAsync(host, port);
        var clientPort = ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
        await socket.SendAsync(bytes, SocketFlags.None, Cancel);
        if (mutation is Mutation.AbsurdLength or Mutation.UnknownApiKey)
        {
            // No half-close: the broker must end the connection on its own.
            var (closed, answered) = await ReadUntilClosedAsync(socket, CloseWait);
            return (mutation, clientPort, closed, answered);
        }

        // Anything else may be answered (the mutation can still be valid); the client then leaves.
        socket.Shutdown(SocketShutdown.Send);
        var (ended, answer) = await ReadUntilClosedAsync(socket, AnswerWait);
        return (mutation, clientPort, ended, answer);
    }

    private static async Task<(bool Closed, int Bytes)> ReadUntilClosedAsync(Socket socket, TimeSpan wait)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(wait);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var total = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    return (true, total);
                }

                total += read;
            }
        }
        catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
        {
            return (false, total);
        }
        catch (SocketException)
        {
            // A reset is a close too.
            return (true, total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<Socket> ConnectAsync(string host, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port, Cancel);
        return socket;
    }

    /// <summary>Sends a valid frame and reads one whole response frame; returns its size.</summary>
    private static async Task<int> RoundTripAsync(Socket socket, byte[] frame)
    {
        await socket.SendAsync(frame, SocketFlags.None, Cancel);
        var prefix = new byte[KafkaFraming.SizePrefixLength];
        await ReceiveExactlyAsync(socket, prefix);
        var size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        await ReceiveExactlyAsync(socket, new byte[size]);
        return size;
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(Patience);
        for (var read = 0; read < buffer.Length;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                throw new IOException($"The broker closed the connection after {read} of {buffer.Length} bytes.");
            }

            read += n;
        }
    }

    /// <summary>Produces numbered values one at a time until told to stop; returns what was acknowledged, in order.</summary>
    private async Task<List<string>> ProduceUntilAsync(string topic, CancellationToken stop)
    {
        var acknowledged = new List<string>();
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = mesh.Bootstrap, Acks = Acks.All, EnableIdempotence = true }).Build();
        for (var i = 0; !stop.IsCancellationRequested || acknowledged.Count == 0; i++)
        {
            var value = $"bystander-{i}";
            await producer.ProduceAsync(topic, new Message<Null, string> { Value = value }, Cancel);
            acknowledged.Add(value);
        }

        return acknowledged;
    }

    private List<string> ConsumeAll(string topic, int count)
    {
        var config = new ConsumerConfig { BootstrapServers = mesh.Bootstrap, GroupId = $"fuzz-reader-{Guid.NewGuid():n}", EnableAutoCommit = false };
        using var consumer = new ConsumerBuilder<Ignore, string>(config).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, 0));
        var values = new List<string>();
        while (values.Count < count && consumer.Consume(Patience) is { } result)
        {
            values.Add(result.Message.Value);
        }

        consumer.Close();
        return values;
    }

    private async Task WaitForOpenConnectionsAsync(long baseline)
    {
        // Closing is asynchronous on the broker side; give it a bounded moment, then the count must be exact.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(Patience);
        while (mesh.Server.Broker.Metrics.OpenConnections != baseline && !timeout.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        mesh.Server.Broker.Metrics.OpenConnections.ShouldBe(baseline);
    }

    /// <summary>Valid request frames (size prefix included) for every API a client uses, at old, middle and flexible versions.</summary>
    private static List<(string Name, byte[] Frame)> SeedFrames(string topic, string group)
    {
        var batch = Batch(3);
        var consumerMetadata = ConsumerSubscription(topic);
        IKafkaRequest[] requests =
        [
            new ApiVersionsRequest { ClientSoftwareName = "fuzz", ClientSoftwareVersion = "1" },
            new MetadataRequest { Topics = [new() { Name = topic }], AllowAutoTopicCreation = false },
            new MetadataRequest { Topics = null },
            new ProduceRequest { Acks = -1, TimeoutMs = 1000, Topics = [new() { Name = topic, Partitions = [new() { PartitionIndex = 1, Records = batch }] }] },
            new FetchRequest { MaxWaitMs = 0, MinBytes = 1, Topics = [new() { Topic = topic, Partitions = [new() { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }] }] },
            new ListOffsetsRequest { ReplicaId = -1, Topics = [new() { Name = topic, Partitions = [new() { PartitionIndex = 0, Timestamp = -2 }] }] },
            new FindCoordinatorRequest { Key = group },
            new JoinGroupRequest { GroupId = group, SessionTimeoutMs = 6000, RebalanceTimeoutMs = 6000, ProtocolType = "consumer", Protocols = [new() { Name = "range", Metadata = consumerMetadata }] },
            new SyncGroupRequest { GroupId = group, GenerationId = 1, MemberId = "member-1", Assignments = [] },
            new HeartbeatRequest { GroupId = group, GenerationId = 1, MemberId = "member-1" },
            new LeaveGroupRequest { GroupId = group, MemberId = "member-1", Members = [new() { MemberId = "member-1" }] },
            new OffsetCommitRequest { GroupId = group, Topics = [new() { Name = topic, Partitions = [new() { PartitionIndex = 0, CommittedOffset = 5 }] }] },
            new OffsetFetchRequest { GroupId = group, Topics = [new() { Name = topic, PartitionIndexes = [0, 1] }] },
            new DescribeConfigsRequest { Resources = [new() { ResourceType = 2, ResourceName = topic }] },
            new DescribeGroupsRequest { Groups = [group] },
            new ListGroupsRequest(),
            new InitProducerIdRequest { TransactionTimeoutMs = 60000 },
            new SaslHandshakeRequest { Mechanism = "PLAIN" },
        ];
        var frames = new List<(string, byte[])>();
        var correlationId = 0;
        foreach (var request in requests)
        {
            var range = ApiVersionTable.Get(request.Api);
            var versions = new[] { range.MinVersion, (short)((range.MinVersion + range.MaxVersion) / 2), range.MaxVersion }.Distinct();
            foreach (var version in versions)
            {
                if (request.Api == ApiKey.Produce && version < ApiVersionTable.FirstImplementedProduceVersion)
                {
                    continue;
                }

                var frame = new ArrayBufferWriter<byte>();
                try
                {
                    KafkaCodec.WriteRequest(frame, new RequestHeader { ApiKey = request.Api, ApiVersion = version, CorrelationId = ++correlationId, ClientId = "fuzz" }, request);
                }
                catch (InvalidOperationException)
                {
                    // A field this request sets does not exist at this version (null topics before Metadata v1).
                    continue;
                }

                frames.Add(($"{request.Api} v{version}", frame.WrittenSpan.ToArray()));
            }
        }

        return frames;
    }

    /// <summary>The consumer protocol's subscription v0: version, one topic, no user data.</summary>
    private static byte[] ConsumerSubscription(string topic)
    {
        var name = Encoding.UTF8.GetBytes(topic);
        var bytes = new byte[sizeof(short) + sizeof(int) + sizeof(short) + name.Length + sizeof(int)];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(sizeof(short)), 1);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(sizeof(short) + sizeof(int)), (short)name.Length);
        name.CopyTo(bytes, sizeof(short) + sizeof(int) + sizeof(short));
        return bytes;
    }

    private static byte[] Batch(int count)
    {
        var builder = new RecordBatchBuilder();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            builder.Add(now, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}"), [new RecordHeader("h", new byte[] { 1, 2 })]);
        }

        return builder.Build();
    }

    private static byte[] AbsurdLength(Random random, byte[] seed)
    {
        int[] sizes = [-1, int.MinValue, int.MaxValue, 100 * 1024 * 1024 + 1, -random.Next(2, int.MaxValue), random.Next(100 * 1024 * 1024 + 2, int.MaxValue)];
        var bytes = seed.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes, sizes[random.Next(sizes.Length)]);
        return bytes;
    }

    private static byte[] UnknownApiKey(Random random, byte[] seed)
    {
        short key;
        do
        {
            key = (short)random.Next(short.MinValue, short.MaxValue + 1);
        }
        while (ApiVersionTable.TryGet(key, out _));

        var bytes = seed.ToArray();
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(KafkaFraming.SizePrefixLength), key);
        return bytes;
    }

    private static byte[] BitFlips(Random random, byte[] seed)
    {
        var bytes = seed.ToArray();
        for (var flips = random.Next(1, 5); flips > 0; flips--)
        {
            var position = random.Next(KafkaFraming.SizePrefixLength, bytes.Length);
            bytes[position] ^= (byte)(1 << random.Next(8));
        }

        return bytes;
    }

    private static byte[] ByteEdits(Random random, byte[] payload)
    {
        var bytes = payload.ToList();
        for (var edits = random.Next(1, 5); edits > 0 && bytes.Count > 0; edits--)
        {
            var position = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0:
                    bytes[position] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.Insert(position, (byte)random.Next(256));
                    break;
                case 2:
                    bytes.RemoveAt(position);
                    break;
                default:
                    // Lengths and counts at their extremes.
                    bytes[position] = random.Next(2) == 0 ? (byte)0xFF : (byte)0x7F;
                    break;
            }
        }

        return [.. bytes];
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Puts a correct size prefix in front of <paramref name="payload"/>.</summary>
    private static byte[] Reframe(byte[] payload)
    {
        var frame = new byte[KafkaFraming.SizePrefixLength + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, KafkaFraming.SizePrefixLength);
        return frame;
    }
}
