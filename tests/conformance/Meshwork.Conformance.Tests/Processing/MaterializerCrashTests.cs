using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Meshwork.Conformance.Tests.Lake;
using Meshwork.Lake;
using Meshwork.Processing.Tests;
using Meshwork.Server;
using Meshwork.Server.Configuration;
using Meshwork.Testing;

namespace Meshwork.Conformance.Tests.Processing;

/// <summary>
/// Exactly once across crashes: <c>mesh up</c> (the real process) runs the example mesh with its generators at 20 events/s
/// per product and a 100 ms commit interval, and is killed with SIGKILL at random points — while starting, while
/// creating tables, between and inside commits — over and over. Restarted without generators, it catches up; then each
/// product's current table holds exactly the latest value per key of its topic, its history table exactly the records
/// of the topic (no duplicate, no loss, by partition and offset), and every file the tables' metadata references exists.
/// On local disk and on a loopback S3 server (s3rver).
/// </summary>
public sealed class MaterializerCrashTests(ITestOutputHelper output)
{
    private const int Cycles = 20;
    private const string Bucket = "meshwork-crash";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(90);
    private static readonly string MeshDll = Path.Combine(AppContext.BaseDirectory, "mesh.dll");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("local")]
    [InlineData("s3")]
    public async Task Materializer_KilledAtRandomPoints_LeavesTablesEqualToTheTopics(string storage)
    {
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        output.WriteLine($"seed {seed}, {storage}");
        using var dir = new TempDirectory("materializer-crash");
        await using var s3 = storage == "s3" ? await LakeTools.S3Server.StartAsync(dir.Combine("s3"), Bucket) : null;
        var lake = s3 is null ? new LakeOptions() : new LakeOptions { Storage = LakeStorage.S3, Bucket = Bucket, Prefix = "lake", S3 = s3.Options };
        var data = dir.Combine("data");

        var watch = Stopwatch.StartNew();
        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            await using var mesh = Start(dir, data, s3, eventsPerSecond: 20);

            // A quarter of the kills land while the process starts (store, broker recovery, tables being created);
            // the rest while it runs, anywhere in the commit cycle.
            var whileStarting = cycle > 0 && random.Next(4) == 0;
            if (!whileStarting)
            {
                mesh.WaitForLine("HTTP API  http://", StartTimeout);
            }

            await Task.Delay(random.Next(whileStarting ? 300 : 100, whileStarting ? 1500 : 2500), Ct);
            mesh.Crash();
            await mesh.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        output.WriteLine($"{Cycles} kills in {watch.Elapsed.TotalSeconds:F0} s");

        // Restarted without generators: the topics stay as they are, and the tables must catch up with them.
        await using (var mesh = Start(dir, data, s3, eventsPerSecond: 0))
        {
            var line = mesh.WaitForLine("HTTP API  http://", StartTimeout);
            using var http = new HttpClient { BaseAddress = new Uri(line.Split("  ", StringSplitOptions.RemoveEmptyEntries)[1].Trim()) };
            await WaitCaughtUpAsync(http);
            mesh.Terminate();
            Assert.Equal(0, await mesh.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        // Read the topics and the tables in-process, from the same data directory and lake.
        await using var server = await MeshServer.StartAsync(MeshOptions.ForTests(data) with { Lake = lake }, cancellationToken: Ct);
        var records = 0;
        foreach (var product in MaterializerMesh.ExampleProducts)
        {
            var result = await MaterializationCheck.CheckAsync(server, product, Ct);
            output.WriteLine(result.ToString());
            Assert.True(result.Problems.Count == 0, $"seed {seed}: {result}");
            records += result.TopicRecords;
        }

        Assert.True(records > 0, "the generators published nothing between the kills");
    }

    private static ChildProcess Start(TempDirectory dir, string data, LakeTools.S3Server? s3, int eventsPerSecond)
    {
        List<string> arguments =
        [
            "up", "--data", data, "--http-port", "0", "--registry-port", "0", "--broker-port", "0", "--log-level", "warning",
            "--set", $"examples.eventsPerSecond={eventsPerSecond.ToString(CultureInfo.InvariantCulture)}",
            "--set", "processing.commitIntervalMs=100",
        ];
        var environment = new Dictionary<string, string>();
        if (s3 is not null)
        {
            arguments.AddRange(["--set", "lake.storage=s3", "--set", $"lake.s3.bucket={s3.Bucket}", "--set", $"lake.s3.endpoint={s3.Endpoint}",
                "--set", "lake.s3.forcePathStyle=true", "--set", "lake.s3.accessKeyId=S3RVER"]);
            environment["MESHWORK_LAKE_S3_SECRET_ACCESS_KEY"] = "S3RVER";
        }

        return ChildProcess.StartDotnet(MeshDll, arguments, environment, dir.Path);
    }

    /// <summary>Polls the materialization status until every example product is caught up with lag 0.</summary>
    private async Task WaitCaughtUpAsync(HttpClient http)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(CatchUpTimeout);
        var last = "";
        while (true)
        {
            var statuses = await http.GetFromJsonAsync<JsonElement>("/api/v1/materializations", Ct);
            last = statuses.ToString();
            var done = statuses.EnumerateArray().Where(s => s.GetProperty("state").GetString() == "caught-up" && s.GetProperty("lag").GetInt64() == 0).Count();
            if (done == MaterializerMesh.ExampleProducts.Count)
            {
                output.WriteLine(last);
                return;
            }

            try
            {
                await Task.Delay(200, timeout.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                throw new TimeoutException($"the tables did not catch up within {CatchUpTimeout}: {last}");
            }
        }
    }
}
