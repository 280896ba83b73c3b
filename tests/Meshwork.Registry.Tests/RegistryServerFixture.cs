using System.Net.Http.Headers;
using Meshwork.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Meshwork.Registry.Tests;

/// <summary>A real Kestrel on 127.0.0.1 serving the registry over a SQLite store, shared by the REST tests.</summary>
public sealed class RegistryServerFixture : IAsyncLifetime
{
    private readonly SqliteRegistryFixture _store = new();
    private WebApplication? _app;

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public SchemaRegistry Registry => _store.Registry;

    /// <summary>A policy the tests can switch to deny one subject.</summary>
    public DenyingPolicy Policy { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await _store.InitializeAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Limits.MaxRequestBodySize = 64 * 1024 * 1024);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapSchemaRegistry(_store.Registry, Policy);
        _app.MapSchemaRegistryFallback();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Client = new HttpClient { BaseAddress = BaseAddress };
        Client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.schemaregistry.v1+json"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await _store.DisposeAsync();
    }

    /// <summary>Allows everything except subjects starting with <c>forbidden-</c>; counts decisions.</summary>
    public sealed class DenyingPolicy : IAccessPolicy
    {
        private int _decisions;

        public int Decisions => _decisions;

        public AccessDecision Decide(AccessRequest request)
        {
            Interlocked.Increment(ref _decisions);
            return request.ResourceType == ResourceType.Subject && request.ResourceName.StartsWith("forbidden-", StringComparison.Ordinal)
                ? AccessDecision.Deny("test policy denies forbidden-*")
                : AccessDecision.Allow("test");
        }
    }
}
