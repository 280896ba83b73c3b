using System.Diagnostics;
using System.Net;
using System.Text;
using Meshwork.Registry;
using Meshwork.Server;
using Meshwork.Server.Configuration;

namespace Meshwork.Bench;

/// <summary>
/// Requests per second of <c>GET /schemas/ids/{id}</c> (what every deserializer calls for an id it has not cached)
/// against <c>GET /</c> on the same registry listener: the same Kestrel app, routing, policy check and response
/// writing, with nothing to look up — the ceiling for any registry endpoint on this host. An in-process mesh on
/// SQLite, driven by HttpClient with a fixed number of requests in flight over keep-alive connections.
/// </summary>
internal static class RegistryHttpBench
{
    private const string Subject = "bench-orders-value";
    private const string Schema = """{"type":"record","name":"Order","namespace":"bench","fields":[{"name":"orderId","type":"string"},{"name":"total","type":"double"}]}""";

    /// <summary>One slice: how many requests completed in how long, and each one's latency in stopwatch ticks.</summary>
    private sealed record Load(long Requests, double Seconds, long[] Latencies);

    private sealed record Summary(string Path, double RequestsPerSecond, double P50Ms, double P99Ms, double P999Ms);

    public static async Task RunAsync(BenchOptions options)
    {
        var dir = Directory.CreateTempSubdirectory("meshwork-bench-registry-");
        try
        {
            await using var server = await MeshServer.StartAsync(MeshOptions.ForTests(dir.FullName));
            var id = (await server.Registry.RegisterAsync(Subject, new SchemaRequest(Schema))).Id;
            var baseAddress = server.RegistryAddress;
            Console.WriteLine($"Registry HTTP: {baseAddress}, {options.Concurrency} requests in flight, {options.Seconds}s per endpoint");

            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
            using var client = new HttpClient(handler) { BaseAddress = baseAddress };
            client.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.schemaregistry.v1+json");

            // Warm both up, then alternate slices of the two so that load from elsewhere on the machine falls on both
            // alike; the figures add the slices up.
            // The subject filter bypasses the in-memory answer: every request is one query, as a first read is.
            string[] paths = ["/", $"/schemas/ids/{id}", $"/schemas/ids/{id}?subject={Subject}"];
            var slices = paths.ToDictionary(p => p, _ => new List<Load>());
            foreach (var path in paths)
            {
                await LoadAsync(client, path, options, TimeSpan.FromSeconds(options.Seconds));
            }

            for (var round = 1; round <= options.Rounds; round++)
            {
                foreach (var path in paths)
                {
                    slices[path].Add(await LoadAsync(client, path, options, TimeSpan.FromSeconds(options.Seconds)));
                }

                Console.WriteLine($"  round {round}: " + string.Join(", ", paths.Select(p => $"GET {p} {slices[p][^1].Requests / slices[p][^1].Seconds:F0}/s")));
            }

            Report(options, server.Store.Provider.ToString(), [.. paths.Select(p => Summarize(p, slices[p]))]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<Load> LoadAsync(HttpClient client, string path, BenchOptions options, TimeSpan duration)
    {
        var latencies = new List<long>[options.Concurrency];
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, options.Concurrency).Select(async w =>
        {
            var mine = latencies[w] = new List<long>(1 << 16);
            while (watch.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }

                mine.Add(Stopwatch.GetTimestamp() - start);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var all = latencies.SelectMany(l => l).ToArray();
        return new Load(all.Length, watch.Elapsed.TotalSeconds, all);
    }

    private static Summary Summarize(string path, List<Load> slices)
    {
        var all = slices.SelectMany(s => s.Latencies).Order().ToArray();
        double Percentile(double p) => all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1000.0 / Stopwatch.Frequency;
        return new Summary(path, slices.Sum(s => s.Requests) / slices.Sum(s => s.Seconds), Percentile(0.50), Percentile(0.99), Percentile(0.999));
    }

    private static void Report(BenchOptions options, string store, Summary[] rows)
    {
        var text = new StringBuilder();
        text.AppendLine("# Registry HTTP: GET /schemas/ids/{id} against the host's ceiling");
        text.AppendLine();
        text.AppendLine($"Measured {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}.");
        text.AppendLine($"Command: `bench/run.sh registry --seconds {options.Seconds} --rounds {options.Rounds} --concurrency {options.Concurrency}`.");
        text.AppendLine();
        text.AppendLine($"An in-process mesh (metadata store: {store}); the load generator runs in the same process over loopback HTTP/1.1");
        text.AppendLine($"keep-alive with {options.Concurrency} requests in flight. After a warm-up the endpoints alternate in slices of {options.Seconds}s,");
        text.AppendLine($"{options.Rounds} each; the figures add the slices up. `GET /` answers `{{}}` through the same listener, routing, authorization and");
        text.AppendLine("response writing as every registry endpoint: the ceiling. `GET /schemas/ids/{id}` is served from memory after the first");
        text.AppendLine("read (for 5 seconds at a time, then one query again); with `?subject=` it is one metadata-store query every time, which is");
        text.AppendLine("what a first read costs.");
        text.AppendLine();
        text.AppendLine("| endpoint | requests/s | p50 ms | p99 ms | p99.9 ms | share of the ceiling |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        var ceiling = rows[0];
        foreach (var load in rows)
        {
            text.AppendLine($"| `GET {load.Path}` | {load.RequestsPerSecond:F0} | {load.P50Ms:F2} | {load.P99Ms:F2} | {load.P999Ms:F2} | {load.RequestsPerSecond / ceiling.RequestsPerSecond:F2} |");
        }

        Console.WriteLine();
        Console.WriteLine(text);
        Directory.CreateDirectory(options.ResultsDirectory);
        File.WriteAllText(Path.Combine(options.ResultsDirectory, "registry-http.md"), text.ToString());
    }
}
