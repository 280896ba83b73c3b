using System.Net;
using System.Net.Http.Json;
using Meshwork.Server.Configuration;
using Meshwork.Server.Http;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Server.Tests;

public sealed class MeshServerTests : IDisposable
{
    private readonly TempDirectory _dir = new("meshwork-server");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Start_ServesHealthReadinessAndVersion()
    {
        await using var server = await MeshServer.StartAsync(MeshOptions.ForTests(_dir.Path), cancellationToken: Cancel);
        using var http = new HttpClient { BaseAddress = server.HttpAddress };

        (await http.GetFromJsonAsync<HealthResponse>("/healthz", Cancel))!.Status.ShouldBe("ok");
        (await http.GetFromJsonAsync<HealthResponse>("/readyz", Cancel))!.Status.ShouldBe("ready");
        var version = (await http.GetFromJsonAsync<VersionResponse>("/api/v1/version", Cancel))!;
        version.Name.ShouldBe("meshwork");
        version.MetadataStore.ShouldBe("sqlite");
        version.InstanceId.ShouldBe(server.Status.InstanceId);
    }

    [Fact]
    public async Task Start_AnswersUnknownRoutesWithProblemDetails()
    {
        await using var server = await MeshServer.StartAsync(MeshOptions.ForTests(_dir.Path), cancellationToken: Cancel);
        using var http = new HttpClient { BaseAddress = server.HttpAddress };

        using var response = await http.GetAsync(new Uri("/api/v1/nothing-here", UriKind.Relative), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Start_RefusesADataDirectoryInUse_AndLeavesTheFirstServerRunning()
    {
        await using var first = await MeshServer.StartAsync(MeshOptions.ForTests(_dir.Path), cancellationToken: Cancel);

        var error = await Should.ThrowAsync<DataDirectoryInUseException>(() => MeshServer.StartAsync(MeshOptions.ForTests(_dir.Path), cancellationToken: Cancel));

        error.Message.ShouldContain($"pid {Environment.ProcessId}");
        using var http = new HttpClient { BaseAddress = first.HttpAddress };
        (await http.GetFromJsonAsync<HealthResponse>("/readyz", Cancel))!.Status.ShouldBe("ready");
    }

    [Fact]
    public async Task Stop_ReleasesTheDataDirectory_AndTheMeshKeepsItsIdentity()
    {
        string instanceId;
        await using (var first = await MeshServer.StartAsync(MeshOptions.ForTests(_dir.Path), cancellationToken: Cancel))
        {
            instanceId = first.Status.InstanceId;
        }

        await using var second = await MeshServer.StartAsync(MeshOptions.ForTests(_dir.Path), cancellationToken: Cancel);

        second.Status.InstanceId.ShouldBe(instanceId);
    }

    [Fact]
    public async Task Start_OnPostgres_SharesOneIdentityAcrossDataDirectories()
    {
        var database = await TestPostgres.CreateDatabaseAsync("server");
        using var otherDir = new TempDirectory("meshwork-server-b");
        var options = MeshOptions.ForTests(_dir.Path) with { Metadata = new MetadataOptions(database) };

        await using var a = await MeshServer.StartAsync(options, cancellationToken: Cancel);
        await using var b = await MeshServer.StartAsync(options with { DataDirectory = otherDir.Path }, cancellationToken: Cancel);

        a.Store.Provider.ShouldBe(Metadata.StoreProvider.Postgres);
        b.Status.InstanceId.ShouldBe(a.Status.InstanceId);
        using var http = new HttpClient { BaseAddress = b.HttpAddress };
        (await http.GetFromJsonAsync<VersionResponse>("/api/v1/version", Cancel))!.MetadataStore.ShouldBe("postgres");
    }

    [Fact]
    public async Task Start_ReleasesTheDataDirectory_WhenTheStoreIsUnreachable()
    {
        var options = MeshOptions.ForTests(_dir.Path) with { Metadata = new MetadataOptions("Host=127.0.0.1;Port=1;Database=x;Username=x;Timeout=2") };

        await Should.ThrowAsync<Metadata.MetadataStoreException>(() => MeshServer.StartAsync(options, cancellationToken: Cancel));

        await using var server = await MeshServer.StartAsync(MeshOptions.ForTests(_dir.Path), cancellationToken: Cancel);
        server.Status.IsReady.ShouldBeTrue();
    }
}
