using System.Net.Http.Json;
using System.Text.Json;
using Meshwork.Server.Http;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Cli.Tests;

/// <summary>`mesh up` as a real process: what a user runs, stopped the way a service manager stops it.</summary>
public sealed class MeshProcessTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly string MeshDll = Path.Combine(AppContext.BaseDirectory, "mesh.dll");
    private readonly TempDirectory _dir = new("meshwork-process");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    private ChildProcess StartMesh(params string[] args) =>
        ChildProcess.StartDotnet(MeshDll, ["up", "--data", _dir.Combine("data"), "--http-port", "0", "--registry-port", "0", "--broker-port", "0", .. args], workingDirectory: _dir.Path);

    private static Uri WaitForAddress(ChildProcess mesh)
    {
        var line = mesh.WaitForLine("HTTP API  http://", StartTimeout);
        return new Uri(line.Split("  ", StringSplitOptions.RemoveEmptyEntries)[1].Trim());
    }

    [Fact]
    public async Task Up_ServesHealth_AndStopsCleanlyOnSigterm()
    {
        await using var mesh = StartMesh();
        var address = WaitForAddress(mesh);
        using var http = new HttpClient { BaseAddress = address };

        (await http.GetFromJsonAsync<HealthResponse>("/healthz", Cancel))!.Status.ShouldBe("ok");
        mesh.Terminate();

        (await mesh.WaitForExitAsync(TimeSpan.FromSeconds(30))).ShouldBe(ExitCodes.Ok);
        mesh.Output.ShouldContain("Meshwork stopped.");
        File.Exists(_dir.Combine("data", "mesh.pid")).ShouldBeFalse();
    }

    [Fact]
    public async Task Up_Refuses_ASecondProcessOnTheSameDataDirectory()
    {
        await using var first = StartMesh();
        var address = WaitForAddress(first);

        await using var second = StartMesh();
        var exit = await second.WaitForExitAsync(StartTimeout);

        exit.ShouldBe(ExitCodes.DataDirectoryInUse);
        second.Output.ShouldContain($"is in use by another Meshwork process (pid {first.Id})");
        using var http = new HttpClient { BaseAddress = address };
        (await http.GetFromJsonAsync<HealthResponse>("/readyz", Cancel))!.Status.ShouldBe("ready");
    }

    [Fact]
    public async Task Up_StartsAgain_AfterTheProcessWasKilled()
    {
        string instanceId;
        await using (var crashed = StartMesh())
        {
            using var http = new HttpClient { BaseAddress = WaitForAddress(crashed) };
            instanceId = (await http.GetFromJsonAsync<VersionResponse>("/api/v1/version", Cancel))!.InstanceId;
            crashed.Crash();
            await crashed.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        await using var restarted = StartMesh();
        using var again = new HttpClient { BaseAddress = WaitForAddress(restarted) };

        (await again.GetFromJsonAsync<VersionResponse>("/api/v1/version", Cancel))!.InstanceId.ShouldBe(instanceId);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Up_ExitsWith2_ForADataDirectoryThisUserCannotUse()
    {
        var data = Directory.CreateDirectory(_dir.Combine("locked"));
        File.SetUnixFileMode(_dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(data.FullName, UnixFileMode.None);
        // Root ignores permission bits, so as root the check runs as the unprivileged `nobody`.
        var asRoot = Environment.UserName == "root";
        var file = asRoot ? "runuser" : "dotnet";
        string[] prefix = asRoot ? ["-u", "nobody", "--", "dotnet"] : [];

        var output = await Processes.RunAsync(file, [.. prefix, MeshDll, "up", "--data", data.FullName, "--http-port", "0", "--registry-port", "0", "--broker-port", "0"], _dir.Path, Cancel);

        File.SetUnixFileMode(data.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        output.Exit.ShouldBe(ExitCodes.InvalidConfiguration);
        output.Text.ShouldContain($"--data: data = '{data.FullName}': {data.FullName} is not readable and writable by this user");
        Directory.GetFileSystemEntries(data.FullName).ShouldBeEmpty();
    }

    [Fact]
    public async Task Status_ReportsARunningMesh_AsJson()
    {
        await using var mesh = StartMesh();
        var address = WaitForAddress(mesh);

        var (exit, output, _) = await CliRunner.RunAsync(_dir.Path, null, "status", "--server", address.ToString(), "--output", "json");

        exit.ShouldBe(ExitCodes.Ok);
        using var json = JsonDocument.Parse(output);
        json.RootElement.GetProperty("status").GetString().ShouldBe("ready");
        json.RootElement.GetProperty("version").GetProperty("metadataStore").GetString().ShouldBe("sqlite");
    }

    [Fact]
    public async Task NewUser_DiscoversTheExampleMesh_ThatMeshUpStartsWith()
    {
        await using var mesh = StartMesh();
        var server = WaitForAddress(mesh).ToString();

        var products = await CliRunner.RunAsync(_dir.Path, null, "products", "--server", server);
        var search = await CliRunner.RunAsync(_dir.Path, null, "search", "customer", "--server", server);
        var describe = await CliRunner.RunAsync(_dir.Path, null, "describe", "sales.orders", "--server", server);
        var lineage = await CliRunner.RunAsync(_dir.Path, null, "lineage", "analytics.revenue", "--server", server);

        products.Exit.ShouldBe(ExitCodes.Ok, products.Error);
        products.Output.ShouldContain("sales.orders");
        products.Output.ShouldContain("project-management.milestones");
        search.Output.ShouldContain("customer.customers");
        describe.Output.ShouldContain("Sales Orders");
        describe.Output.ShouldContain("Classification");
        describe.Output.ShouldContain("availability 99.9%");
        lineage.Output.ShouldContain("customer.customers");
        lineage.Output.ShouldContain("sales.orders");
        mesh.Output.ShouldContain("Applied #1 from embedded example mesh");
        mesh.Output.ShouldContain("Example generators publishing 7 products");
    }

    [Fact]
    public async Task MeshQuery_CountsOneRowPerDistinctKeyThatTheGeneratorsPublished()
    {
        // Publish for a while, then restart without generators so the topic stops moving and the lake can catch up.
        await using (var publishing = StartMesh("--set", "examples.eventsPerSecond=50"))
        {
            var first = WaitForAddress(publishing);
            using var http = new HttpClient { BaseAddress = first };
            await WaitUntilAsync(async () => (await http.GetFromJsonAsync<JsonElement>("/api/v1/topics/sales.orders.v1", Cancel)).GetProperty("topic").GetProperty("records").GetInt64() >= 100);
            publishing.Terminate();
            (await publishing.WaitForExitAsync(TimeSpan.FromSeconds(30))).ShouldBe(ExitCodes.Ok);
        }

        await using var quiet = StartMesh("--set", "examples.eventsPerSecond=0");
        var server = WaitForAddress(quiet);
        using var api = new HttpClient { BaseAddress = server };
        await WaitUntilAsync(async () =>
        {
            using var response = await api.GetAsync("/api/v1/products/sales.orders/materialization", Cancel);
            return response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("state").GetString() == "caught-up";
        });

        var records = await api.GetFromJsonAsync<JsonElement>("/api/v1/topics/sales.orders.v1/records?partition=0&offset=0&limit=10000", Cancel);
        var keys = records.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("key").GetString()).Distinct().Count();
        var (exit, output, error) = await CliRunner.RunAsync(_dir.Path, null, "query", "SELECT count(*) AS n FROM sales.orders", "-o", "json", "--server", server.ToString());

        exit.ShouldBe(ExitCodes.Ok, error);
        keys.ShouldBeGreaterThan(0);
        JsonDocument.Parse(output).RootElement.GetProperty("rows")[0][0].GetInt64().ShouldBe(keys);
        var products = await CliRunner.RunAsync(_dir.Path, null, "products", "--server", server.ToString());
        products.Output.ShouldContain("caught-up");
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing after a generous bound (never a timing assertion).</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(90);
        while (!await condition())
        {
            DateTimeOffset.UtcNow.ShouldBeLessThan(deadline, "the condition did not hold within 90 s");
            await Task.Delay(TimeSpan.FromMilliseconds(250), Cancel);
        }
    }

    [Fact]
    public async Task Up_Empty_StartsWithoutTheExamples()
    {
        await using var mesh = StartMesh("--empty");
        var server = WaitForAddress(mesh).ToString();

        var products = await CliRunner.RunAsync(_dir.Path, null, "products", "--server", server, "--output", "json");

        JsonDocument.Parse(products.Output).RootElement.GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Status_ExitsWith4_WhenNoMeshRuns()
    {
        var (exit, _, error) = await CliRunner.RunAsync(_dir.Path, null, "status", "--server", "http://127.0.0.1:1");

        exit.ShouldBe(ExitCodes.ServerUnreachable);
        error.ShouldContain("cannot reach a mesh at http://127.0.0.1:1/");
    }
}
