using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Meshwork.Broker.Storage;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>
/// <c>mesh up</c> as a real process, SIGKILLed again and again while an idempotent acks=all producer (Confluent.Kafka
/// over librdkafka) writes to it: after every kill the partition directories pass the offline recovery check, and at
/// the end every acknowledged record is in the log exactly once, at the offset it was acknowledged with, in order.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const int Cycles = 24;
    private const int KillsDuringStartup = 4;
    private const int Partitions = 2;
    private const int MaxUnacknowledged = 2_000;
    private const int Seed = 20260601;
    private static readonly string MeshDll = Path.Combine(AppContext.BaseDirectory, "mesh.dll");
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new("meshwork-crash");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AcksAllProducer_LosesAndDuplicatesNothing_AcrossRepeatedSigkills()
    {
        var topic = $"crash-{Guid.NewGuid():n}";
        var port = FreePort();
        var bootstrap = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var random = new Random(Seed);
        var acks = new ConcurrentDictionary<int, (int Partition, long Offset)>();
        var failures = new ConcurrentQueue<string>();

        ChildProcess? mesh = await StartMeshAsync(port);
        try
        {
            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
            {
                await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = Partitions, ReplicationFactor = 1 }]);
            }

            using var producer = new ProducerBuilder<string, string>(ProducerConfig(bootstrap))
                .SetErrorHandler((_, e) =>
                {
                    if (e.IsFatal)
                    {
                        failures.Enqueue($"fatal: {e.Code} {e.Reason}");
                    }
                })
                .SetLogHandler((_, _) => { }) // refused connections while the broker is down are expected
                .Build();
            using var stop = new CancellationTokenSource();
            var produced = 0;
            var producing = Task.Run(() => ProduceAsync(producer, topic, acks, failures, () => produced++, stop.Token), Cancel);

            var killedWhileProducing = 0;
            for (var cycle = 0; cycle < Cycles; cycle++)
            {
                if (cycle < KillsDuringStartup)
                {
                    // Some kills land while the process starts: migrations, log recovery, binding the listener.
                    await KillAndCheckAsync(Take(ref mesh), topic, $"kill {cycle} (before a start-up kill)");
                    mesh = StartMesh(port);
                    await Task.Delay(random.Next(100, 1_500), Cancel);
                }
                else
                {
                    // The rest after a random number of new acknowledgements: mid-stream, with requests in flight.
                    var target = acks.Count + random.Next(50, 3_000);
                    await WaitUntilAsync(() => acks.Count >= target || !failures.IsEmpty, $"{target} acknowledgements (cycle {cycle})");
                    failures.ShouldBeEmpty();
                    await Task.Delay(random.Next(0, 20), Cancel);
                    killedWhileProducing++;
                }

                await KillAndCheckAsync(Take(ref mesh), topic, $"kill {cycle}");
                mesh = await StartMeshAsync(port);
            }

            // Let the producer finish everything it has sent, then read the log back through the restarted broker.
            await stop.CancelAsync();
            await producing;
            producer.Flush(Patience).ShouldBe(0, "records still unacknowledged after the last restart");
            failures.ShouldBeEmpty();
            killedWhileProducing.ShouldBeGreaterThanOrEqualTo(20);
            acks.Count.ShouldBe(produced);

            var log = ReadLog(bootstrap, topic);
            foreach (var (value, (partition, offset)) in acks)
            {
                log.GetValueOrDefault((partition, offset), -1).ShouldBe(value, $"acknowledged value {value} at {partition}:{offset}");
            }

            log.Values.Count.ShouldBe(log.Values.Distinct().Count(), "a value appears twice in the log");
            foreach (var partition in log.GroupBy(r => r.Key.Partition))
            {
                // The producer sends increasing values per key, and each key lives in one partition.
                partition.OrderBy(r => r.Key.Offset).Select(r => r.Value).ShouldBeInOrder(SortDirection.Ascending, $"partition {partition.Key}");
                partition.Select(r => r.Key.Offset).Order().ShouldBe(Enumerable.Range(0, partition.Count()).Select(o => (long)o), $"partition {partition.Key} has gaps");
            }

            mesh.Terminate();
            (await mesh.WaitForExitAsync(Patience)).ShouldBe(0, mesh.Output);
        }
        finally
        {
            if (mesh is not null)
            {
                await mesh.DisposeAsync();
            }
        }

        // After an orderly stop nothing is torn: the whole log checks out.
        foreach (var directory in PartitionDirectories(topic))
        {
            var report = LogVerifier.Verify(directory);
            report.Problems.ShouldBeEmpty(directory);
            report.TornTailBytes.ShouldBe(0);
        }
    }

    private static ProducerConfig ProducerConfig(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 2,
        // Nothing may time out while the broker restarts; reconnect quickly to the same port.
        MessageTimeoutMs = 300_000,
        ReconnectBackoffMs = 20,
        ReconnectBackoffMaxMs = 200,
        SocketConnectionSetupTimeoutMs = 5_000,
    };

    /// <summary>Produces increasing values (key = value mod 16) with at most <see cref="MaxUnacknowledged"/> outstanding.</summary>
    private static async Task ProduceAsync(IProducer<string, string> producer, string topic, ConcurrentDictionary<int, (int, long)> acks,
        ConcurrentQueue<string> failures, Func<int> next, CancellationToken stop)
    {
        var sent = 0;
        while (!stop.IsCancellationRequested && failures.IsEmpty)
        {
            if (sent - acks.Count >= MaxUnacknowledged)
            {
                await Task.Delay(5, CancellationToken.None);
                continue;
            }

            var value = next();
            producer.Produce(topic, new Message<string, string> { Key = $"k{value % 16}", Value = value.ToString(CultureInfo.InvariantCulture) }, report =>
            {
                if (report.Error.IsError)
                {
                    failures.Enqueue($"value {value}: {report.Error.Code} {report.Error.Reason}");
                }
                else
                {
                    acks[value] = (report.Partition.Value, report.Offset.Value);
                }
            });
            sent++;
        }
    }

    /// <summary>SIGKILLs the mesh, waits for it to die, and runs the offline recovery check on every partition.</summary>
    private async Task KillAndCheckAsync(ChildProcess mesh, string topic, string when)
    {
        await using (mesh)
        {
            mesh.Crash();
            await mesh.WaitForExitAsync(Patience);
        }

        foreach (var directory in PartitionDirectories(topic))
        {
            LogVerifier.Verify(directory).Problems.ShouldBeEmpty($"{when}: {directory}");
        }
    }

    /// <summary>Hands the process over and clears the variable, so the test's cleanup never disposes it twice.</summary>
    private static ChildProcess Take(ref ChildProcess? mesh)
    {
        var taken = mesh ?? throw new InvalidOperationException("No mesh is running.");
        mesh = null;
        return taken;
    }

    private ChildProcess StartMesh(int port) => ChildProcess.StartDotnet(MeshDll, MeshArguments(port), workingDirectory: _dir.Path);

    private async Task<ChildProcess> StartMeshAsync(int port)
    {
        var mesh = StartMesh(port);
        await Task.Run(() => mesh.WaitForLine("is up.", StartTimeout), Cancel);
        return mesh;
    }

    private string[] MeshArguments(int port) =>
        ["up", "--data", _dir.Combine("data"), "--http-port", "0", "--registry-port", "0", "--broker-port", port.ToString(CultureInfo.InvariantCulture)];

    private string[] PartitionDirectories(string topic) =>
        [.. Enumerable.Range(0, Partitions).Select(p => _dir.Combine("data", "broker", $"{topic}-{p.ToString(CultureInfo.InvariantCulture)}"))];

    /// <summary>Every record of the topic as (partition, offset) → value, read with a real consumer from offset 0.</summary>
    private static Dictionary<(int Partition, long Offset), int> ReadLog(string bootstrap, string topic)
    {
        var config = new ConsumerConfig { BootstrapServers = bootstrap, GroupId = $"crash-reader-{Guid.NewGuid():n}", EnableAutoCommit = false, EnablePartitionEof = true };
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, 0)));
        var records = new Dictionary<(int, long), int>();
        var ended = new HashSet<int>();
        while (ended.Count < Partitions)
        {
            var result = consumer.Consume(Patience) ?? throw new TimeoutException($"No record and no end of partition within {Patience}.");
            if (result.IsPartitionEOF)
            {
                ended.Add(result.Partition.Value);
                continue;
            }

            records.Add((result.Partition.Value, result.Offset.Value), int.Parse(result.Message.Value, CultureInfo.InvariantCulture));
        }

        consumer.Close();
        return records;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(Patience);
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Gave up waiting for {what} after {Patience}.");
            }

            await Task.Delay(5, CancellationToken.None);
        }
    }

    /// <summary>A port free now, kept for every restart so the producer's bootstrap address stays valid.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
