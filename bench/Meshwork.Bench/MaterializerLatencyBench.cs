using System.Globalization;
using System.Text;
using Meshwork.Broker.Storage;
using Meshwork.Lake;
using Meshwork.Processing;
using Meshwork.Server;
using Meshwork.Server.Configuration;

namespace Meshwork.Bench;

/// <summary>
/// Event-to-queryable latency of the materializer under the example load: the embedded example mesh with its generators
/// (2 events/s for each of its 7 products, the <c>mesh up</c> default) and the materializer at a commit interval. For
/// every event, the time from its record timestamp (when it was produced) to the commit of the later of the two
/// snapshots — current and history table — that contain it, read afterwards from the snapshots' offsets and commit
/// times. The reference in the same run is the commit interval itself: the first event of a batch waits that long by
/// design, so p99 can only exceed it by the time commits take.
/// </summary>
internal static class MaterializerLatencyBench
{
    public static async Task RunAsync(BenchOptions options)
    {
        var dir = Directory.CreateTempSubdirectory("meshwork-bench-materializer-");
        try
        {
            var interval = TimeSpan.FromMilliseconds(options.CommitIntervalMs);
            var meshOptions = MeshOptions.ForTests(dir.FullName) with
            {
                Examples = new ExampleOptions(Enabled: true, EventsPerSecond: 2),
                Processing = new MaterializerOptions { CommitInterval = interval },
            };
            Console.WriteLine($"Materializer latency: example mesh, 2 events/s per product, commit interval {interval.TotalMilliseconds} ms, {options.Duration} s");
            var started = DateTimeOffset.UtcNow;
            List<double> latencies;
            int products;
            await using (var server = await MeshServer.StartAsync(meshOptions))
            {
                // Events produced before the tables exist wait for their creation; measure from the steady state.
                await WaitForTablesAsync(server);
                var from = DateTimeOffset.UtcNow;

                // Snapshots expire while the benchmark runs (after 2 minutes by default), so their commit times and
                // offsets are collected as they come rather than read at the end.
                var commits = new Dictionary<(string Table, long Snapshot), (long TimestampMs, ConsumedOffsets Offsets)>();
                var end = from + TimeSpan.FromSeconds(options.Duration);
                while (DateTimeOffset.UtcNow < end)
                {
                    await CollectCommitsAsync(server, commits);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, Math.Max(0.1, (end - DateTimeOffset.UtcNow).TotalSeconds))));
                }

                var until = DateTimeOffset.UtcNow;

                // Let the window's last batches commit; events after the window are not measured.
                await Task.Delay(interval * 3);
                await CollectCommitsAsync(server, commits);
                (latencies, products) = Measure(server, commits, from, until);
            }

            latencies.Sort();
            double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
            var text = new StringBuilder();
            text.AppendLine("# Materializer: event-to-queryable latency under the example load");
            text.AppendLine();
            text.AppendLine($"Measured {started:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}.");
            text.AppendLine($"Command: `bench/run.sh materializer --duration {options.Duration} --commit-interval-ms {options.CommitIntervalMs}`.");
            text.AppendLine();
            text.AppendLine("An in-process mesh (SQLite store, lake on local disk) with the embedded example mesh and its generators at 2 events/s for");
            text.AppendLine($"each of its {products} products, as `mesh up` runs by default, and the materializer committing every {options.CommitIntervalMs} ms.");
            text.AppendLine("For every event produced in the measured window: its record timestamp (when the generator produced it) to the commit time");
            text.AppendLine("of the later of the two snapshots (current-state and history table) that hold it, from the snapshots' consumed offsets.");
            text.AppendLine("The reference is the commit interval: by design the first event of a batch waits one interval, so everything above it");
            text.AppendLine("is fetching, decoding and committing. Goal: p99 under 2 s.");
            text.AppendLine();
            text.AppendLine("| events | commit interval ms | p50 ms | p99 ms | max ms | p99 over the interval ms |");
            text.AppendLine("|---:|---:|---:|---:|---:|---:|");
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {latencies.Count} | {options.CommitIntervalMs} | {Percentile(0.50):F0} | {Percentile(0.99):F0} | {latencies[^1]:F0} | {Percentile(0.99) - options.CommitIntervalMs:F0} |"));
            Console.WriteLine();
            Console.WriteLine(text);
            Directory.CreateDirectory(options.ResultsDirectory);
            await File.WriteAllTextAsync(Path.Combine(options.ResultsDirectory, "materializer-latency.md"), text.ToString());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task WaitForTablesAsync(MeshServer server)
    {
        var materializer = server.Materializer!;
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var statuses = materializer.Status();
            if (statuses.Count > 0 && statuses.All(s => s.History?.SnapshotId is not null && (s.Current is null || s.Current.SnapshotId is not null)))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the materializer did not commit to every product's tables within a minute");
    }

    /// <summary>Adds the snapshots of every materialized table that recorded consumed offsets.</summary>
    private static async Task CollectCommitsAsync(MeshServer server, Dictionary<(string Table, long Snapshot), (long TimestampMs, ConsumedOffsets Offsets)> commits)
    {
        foreach (var status in server.Materializer!.Status())
        {
            foreach (var name in new[] { status.Current?.Table, status.History?.Table }.OfType<string>())
            {
                var table = await server.Lake.LoadTableAsync(TableIdentifier.Parse(name));
                foreach (var snapshot in table.Metadata.Snapshots)
                {
                    if (snapshot.Summary.TryGetValue(ConsumedOffsets.SummaryProperty, out var json))
                    {
                        commits[(name, snapshot.SnapshotId)] = (snapshot.TimestampMs, ConsumedOffsets.Parse(json));
                    }
                }
            }
        }
    }

    /// <summary>The latency of every event produced in [from, until), and how many products there were.</summary>
    private static (List<double> Latencies, int Products) Measure(MeshServer server,
        Dictionary<(string Table, long Snapshot), (long TimestampMs, ConsumedOffsets Offsets)> commits, DateTimeOffset from, DateTimeOffset until)
    {
        var latencies = new List<double>();
        var statuses = server.Materializer!.Status();
        foreach (var status in statuses)
        {
            var log = server.Broker.Logs.GetTopic(status.Topic)!;
            var tables = new[] { status.Current?.Table, status.History?.Table }.OfType<string>().ToList();
            for (var partition = 0; partition < log.Partitions.Count; partition++)
            {
                var p = partition;
                var records = LogReader.Read(log.Partitions[p], log.Partitions[p].LogStartOffset, int.MaxValue, r => (r.Offset, r.Timestamp));

                // An event is queryable once the later of its two tables committed it: for each table, the first
                // snapshot (by commit time) whose consumed offsets passed it.
                var perTable = tables.Select(t => commits.Where(c => c.Key.Table == t).Select(c => (c.Value.TimestampMs, Next: c.Value.Offsets.Of(p)))
                    .OrderBy(c => c.TimestampMs).ToList()).ToList();
                foreach (var (offset, timestamp) in records)
                {
                    if (timestamp < from.ToUnixTimeMilliseconds() || timestamp >= until.ToUnixTimeMilliseconds())
                    {
                        continue;
                    }

                    long committed = 0;
                    foreach (var table in perTable)
                    {
                        var commit = table.FirstOrDefault(c => c.Next > offset);
                        committed = commit.Next > offset
                            ? Math.Max(committed, commit.TimestampMs)
                            : throw new InvalidOperationException($"{status.Topic} offset {offset} was produced in the window but no collected snapshot holds it");
                    }

                    latencies.Add(committed - timestamp);
                }
            }
        }

        return (latencies, statuses.Count);
    }
}
