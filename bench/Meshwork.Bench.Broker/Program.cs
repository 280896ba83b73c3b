using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Meshwork.Bench.Broker;
using Meshwork.Server;
using Meshwork.Server.Configuration;

// Broker load generator: produce (acks=all) and consume throughput with 1 KiB records on 1 and 8 partitions, each
// beside the disk's own rate under the same fsync policy, measured in the same run.
// usage: dotnet bench/Meshwork.Bench.Broker/bin/Release/net10.0/Meshwork.Bench.Broker.dll [--records N] [--record-bytes B]
//        [--partitions 1,8] [--paced-rate 5000] [--paced-records 20000] [--data DIR] [--results FILE]
// Bytes a record adds to a batch beyond its value (length, attributes, deltas, key and header counts).
const int RecordOverhead = 10;
const int RawProducerInFlight = 4;
// librdkafka's batch.size, which full batches come close to.
const int ExpectedBatchBytes = 1_000_000;

var options = BenchOptions.Parse(args);
Directory.CreateDirectory(options.DataDirectory);
var dataDirectory = Path.Combine(options.DataDirectory, $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
var produced = new List<(ProduceResult Result, ProduceResult Raw, Rate Ceiling)>();
var paced = new List<ProduceResult>();
var consumed = new List<(ConsumeResult Result, ConsumeResult Raw, Rate Read, Rate Loopback)>();
try
{
    await using var server = await MeshServer.StartAsync(MeshOptions.ForTests(dataDirectory));
    Console.WriteLine($"Broker at {server.BootstrapServers}, data in {dataDirectory}, flush policy {server.Options.BrokerStorage.FlushPolicy}");
    foreach (var partitions in options.Partitions)
    {
        var topic = $"bench-{partitions}p-{Guid.NewGuid():n}";
        // The reference: the same bytes written sequentially in chunks of the batch size the broker stores, each chunk
        // fsynced, as broker.flush=every-batch does before it acknowledges. The disk is shared and its rate moves from
        // minute to minute, so it is measured right before and right after the run and the higher rate is the ceiling.
        var before = DiskCeiling.WriteWithFsyncPerChunk(dataDirectory, ExpectedBatchBytes, (long)options.Records * options.RecordBytes);
        var produce = BrokerLoad.Produce(server, topic, partitions, options.Records, options.RecordBytes);
        var after = DiskCeiling.WriteWithFsyncPerChunk(dataDirectory, produce.AverageBatchBytes, produce.StoredBytes);
        var ceiling = before.MegabytesPerSecond > after.MegabytesPerSecond ? before : after;
        var (host, port) = server.Broker.Advertised;
        var rawTopic = $"bench-raw-{partitions}p-{Guid.NewGuid():n}";
        server.Broker.Logs.CreateTopic(rawTopic, partitions, new Dictionary<string, string?>());
        var raw = RawProducer.Produce(host, port, rawTopic, partitions, options.Records, options.RecordBytes, Math.Max(1, produce.AverageBatchBytes / (options.RecordBytes + RecordOverhead)));
        server.Broker.Logs.DeleteTopic(rawTopic);
        produced.Add((produce, raw, ceiling));
        Console.WriteLine($"produce {partitions}p: {produce.MegabytesPerSecond:F1} MB/s, {produce.RecordsPerSecond:F0} records/s, p50 {produce.P50Ms:F1} ms, p99 {produce.P99Ms:F1} ms; " +
            $"{produce.Batches} batches of {produce.AverageBatchBytes} B; disk with fsync per batch {before.MegabytesPerSecond:F1} before, {after.MegabytesPerSecond:F1} MB/s after -> {produce.MegabytesPerSecond / ceiling.MegabytesPerSecond:P0}; " +
            $"bare Produce requests {raw.MegabytesPerSecond:F1} MB/s -> {raw.MegabytesPerSecond / ceiling.MegabytesPerSecond:P0} (request p50 {raw.P50Ms:F1} ms, p99 {raw.P99Ms:F1} ms)");

        // The topic holds the run's records plus one warm-up record per partition.
        var consume = BrokerLoad.Consume(server, topic, partitions, options.Records + partitions, options.RecordBytes);
        var rawConsume = RawFetcher.Consume(host, port, topic, partitions, options.Records + partitions);
        var read = DiskCeiling.ReadSequential(BrokerLoad.SegmentFiles(server.Broker.Logs.GetTopic(topic)!));
        var loopback = DiskCeiling.LoopbackTcp(read.Bytes);
        consumed.Add((consume, rawConsume, read, loopback));
        Console.WriteLine($"consume {partitions}p: {consume.MegabytesPerSecond:F1} MB/s, {consume.RecordsPerSecond:F0} records/s (bare Fetch: {rawConsume.MegabytesPerSecond:F1} MB/s); " +
            $"sequential read of its segments {read.MegabytesPerSecond:F1} MB/s, loopback TCP {loopback.MegabytesPerSecond:F1} MB/s -> {consume.MegabytesPerSecond / loopback.MegabytesPerSecond:P0}");

        var latency = BrokerLoad.Produce(server, topic, partitions, options.PacedRecords, options.RecordBytes, options.PacedRate);
        paced.Add(latency);
        Console.WriteLine($"paced produce {partitions}p at {options.PacedRate} records/s: p50 {latency.P50Ms:F1} ms, p99 {latency.P99Ms:F1} ms, p99.9 {latency.P999Ms:F1} ms");
        Console.WriteLine($"  GC so far: gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)}, pauses {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms, allocated {GC.GetTotalAllocatedBytes() / 1_000_000} MB");
        var handling = server.Broker.Metrics.Latency;
        Console.WriteLine($"  broker-side handling so far: Produce {Describe(handling, "Produce")}, Fetch {Describe(handling, "Fetch")}");
        server.Broker.Logs.DeleteTopic(topic);
    }
}
finally
{
    Directory.Delete(dataDirectory, recursive: true);
}

var report = Report(options, args, produced, paced, consumed);
Directory.CreateDirectory(Path.GetDirectoryName(options.ResultsFile)!);
await File.WriteAllTextAsync(options.ResultsFile, report);
Console.WriteLine();
Console.WriteLine(report);
Console.WriteLine($"Written to {options.ResultsFile}");

static string Describe(IReadOnlyDictionary<string, Meshwork.Broker.ApiLatency> latency, string api) =>
    latency.TryGetValue(api, out var l) ? $"{l.Requests} requests, p50 {l.P50Ms:F2} ms, p99 {l.P99Ms:F2} ms" : "none";

static string Report(BenchOptions options, string[] args, List<(ProduceResult Result, ProduceResult Raw, Rate Ceiling)> produced, List<ProduceResult> paced,
    List<(ConsumeResult Result, ConsumeResult Raw, Rate Read, Rate Loopback)> consumed)
{
    var text = new StringBuilder();
    var invariant = CultureInfo.InvariantCulture;
    text.AppendLine("# Broker throughput and latency");
    text.AppendLine();
    text.AppendLine(invariant, $"- When: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    text.AppendLine(invariant, $"- Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
    var command = ("dotnet bench/Meshwork.Bench.Broker/bin/Release/net10.0/Meshwork.Bench.Broker.dll " + string.Join(' ', args)).TrimEnd();
    text.AppendLine(invariant, $"- Command: `{command}`");
    text.AppendLine(invariant, $"- Workload: {options.Records:N0} records of {options.RecordBytes} B per run, no keys, no compression; Confluent.Kafka 1.9.3 over librdkafka 2.0.2 (acks=all, linger.ms=5), broker in-process with broker.flush=every-batch");
    text.AppendLine("- Produce ceiling: the same bytes appended sequentially on the data directory's filesystem in chunks of the average stored batch, each chunk fsynced (what every-batch does before acknowledging); measured right before and right after each run, the higher of the two (the disk is shared, and its rate moves a lot from minute to minute)");
    text.AppendLine("- Consume ceilings: a sequential read of the topic's segment files right after the run (page cache, where a consumer's data comes from), and loopback TCP with 1 MiB writes (the most a consumer can receive here); ratios are against the lower, loopback TCP");
    text.AppendLine();
    text.AppendLine("## Produce throughput (acks=all, the client queues as fast as it can; latency is mostly queueing)");
    text.AppendLine();
    text.AppendLine("| Partitions | client | MB/s | records/s | p50 ms | p99 ms | p99.9 ms | batches | avg batch | disk, fsync per batch (MB/s) | ratio |");
    text.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var (r, raw, c) in produced)
    {
        text.AppendLine(invariant, $"| {r.Partitions} | librdkafka | {r.MegabytesPerSecond:F1} | {r.RecordsPerSecond:N0} | {r.P50Ms:F1} | {r.P99Ms:F1} | {r.P999Ms:F1} | {r.Batches:N0} | {r.AverageBatchBytes:N0} B | {c.MegabytesPerSecond:F1} | {r.MegabytesPerSecond / c.MegabytesPerSecond:P0} |");
        text.AppendLine(invariant, $"| {raw.Partitions} | bare Produce ({RawProducerInFlight} in flight; latency per request) | {raw.MegabytesPerSecond:F1} | {raw.RecordsPerSecond:N0} | {raw.P50Ms:F1} | {raw.P99Ms:F1} | {raw.P999Ms:F1} | {raw.Batches:N0} | {raw.AverageBatchBytes:N0} B | {c.MegabytesPerSecond:F1} | {raw.MegabytesPerSecond / c.MegabytesPerSecond:P0} |");
    }

    text.AppendLine();
    text.AppendLine(invariant, $"## Produce latency (acks=all, paced at {options.PacedRate:N0} records/s, {options.PacedRecords:N0} records; produce call to acknowledgement)");
    text.AppendLine();
    text.AppendLine("| Partitions | p50 ms | p99 ms | p99.9 ms |");
    text.AppendLine("|---:|---:|---:|---:|");
    foreach (var r in paced)
    {
        text.AppendLine(invariant, $"| {r.Partitions} | {r.P50Ms:F1} | {r.P99Ms:F1} | {r.P999Ms:F1} |");
    }

    text.AppendLine();
    text.AppendLine("## Consume (from offset 0)");
    text.AppendLine();
    text.AppendLine("| Partitions | librdkafka MB/s | records/s | bare Fetch requests MB/s | records/s | sequential read (MB/s) | loopback TCP (MB/s) | ratio (librdkafka) | ratio (bare Fetch) |");
    text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var (r, raw, read, loopback) in consumed)
    {
        text.AppendLine(invariant, $"| {r.Partitions} | {r.MegabytesPerSecond:F1} | {r.RecordsPerSecond:N0} | {raw.MegabytesPerSecond:F1} | {raw.RecordsPerSecond:N0} | {read.MegabytesPerSecond:F1} | {loopback.MegabytesPerSecond:F1} | {r.MegabytesPerSecond / loopback.MegabytesPerSecond:P0} | {raw.MegabytesPerSecond / loopback.MegabytesPerSecond:P0} |");
    }

    return text.ToString();
}

/// <summary>Command-line options of the load generator.</summary>
internal sealed record BenchOptions(int Records, int RecordBytes, IReadOnlyList<int> Partitions, string DataDirectory, string ResultsFile, int PacedRate, int PacedRecords)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(200_000, 1024, [1, 8], Path.Combine(Path.GetTempPath(), "meshwork-bench"),
            Path.Combine(Meshwork.Testing.Repository.Root, "bench", "results", "broker.md"), 5_000, 20_000);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options = args[i] switch
            {
                "--records" => options with { Records = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--record-bytes" => options with { RecordBytes = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--partitions" => options with { Partitions = [.. args[i + 1].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))] },
                "--data" => options with { DataDirectory = Path.GetFullPath(args[i + 1]) },
                "--results" => options with { ResultsFile = Path.GetFullPath(args[i + 1]) },
                "--paced-rate" => options with { PacedRate = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--paced-records" => options with { PacedRecords = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; expected --records, --record-bytes, --partitions, --paced-rate, --paced-records, --data or --results."),
            };
        }

        if (args.Length % 2 != 0)
        {
            throw new ArgumentException($"Option {args[^1]} needs a value.");
        }

        return options;
    }
}
