using System.Net;
using Meshwork.Broker;
using Meshwork.Broker.Network;
using Meshwork.Catalog;
using Meshwork.Governance.Descriptors;
using Meshwork.Lake;
using Meshwork.Lake.Rest;
using Meshwork.Metadata;
using Meshwork.Query;
using Meshwork.Processing;
using Meshwork.Registry;
using Meshwork.Security;
using Meshwork.Server.Configuration;
using Meshwork.Server.ControlPlane;
using Meshwork.Server.Examples;
using Meshwork.Server.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Meshwork.Server;

/// <summary>
/// The whole mesh in one process: what <c>mesh up</c> runs, and what tests and benchmarks start in-process.
/// Start order: take the data directory, migrate the metadata store, then open the listeners.
/// </summary>
public sealed partial class MeshServer : IAsyncDisposable
{
    private readonly DataDirectoryLock _lock;
    private readonly WebApplication _web;
    private readonly WebApplication _registryWeb;
    private readonly ILogger _logger;
    private readonly List<IAsyncDisposable> _background = [];
    private int _stopped;

    private MeshServer(MeshOptions options, DataDirectoryLock dataLock, IMetadataStore store, KafkaBroker broker, SchemaRegistry registry,
        WebApplication web, WebApplication registryWeb, MeshStatus status, ILogger logger)
    {
        Registry = registry;
        _registryWeb = registryWeb;
        Options = options;
        _lock = dataLock;
        Store = store;
        Broker = broker;
        _web = web;
        Status = status;
        _logger = logger;
    }

    /// <summary>The options this server was started with.</summary>
    public MeshOptions Options { get; }

    /// <summary>The metadata store, migrated.</summary>
    public IMetadataStore Store { get; }

    /// <summary>The embedded Kafka broker.</summary>
    public KafkaBroker Broker { get; }

    /// <summary>The schema registry.</summary>
    public SchemaRegistry Registry { get; }

    /// <summary>Plan and apply of the mesh as code.</summary>
    public MeshControlPlane ControlPlane { get; private set; } = null!;

    /// <summary>The catalog of domains and products.</summary>
    public MeshCatalog Catalog => ControlPlane.Catalog;

    /// <summary>The example generators when <c>examples.enabled</c>, else null.</summary>
    public ExampleGenerators? Generators { get; private set; }

    /// <summary>The value-level PII detectors' sampler.</summary>
    public FindingsMonitor Findings { get; private set; } = null!;

    /// <summary>The materializer of every published product's lake tables when <c>processing.enabled</c>, else null.</summary>
    public Materializer? Materializer { get; private set; }

    /// <summary>The lake's Iceberg catalog (also served at <c>/iceberg</c> of the HTTP API).</summary>
    public LakeCatalog Lake { get; private set; } = null!;

    /// <summary>The schema registry's base address (Confluent REST API), with the real port when 0 was asked for.</summary>
    public Uri RegistryAddress { get; private set; } = null!;

    /// <summary>The Kafka listener's bootstrap address, <c>host:port</c>, with the real port when 0 was asked for.</summary>
    public string BootstrapServers => $"{Broker.Advertised.Host}:{Broker.Advertised.Port}";

    /// <summary>What the health and version endpoints report.</summary>
    public MeshStatus Status { get; }

    /// <summary>The HTTP API's base address, with the real port when 0 was asked for.</summary>
    public Uri HttpAddress { get; private set; } = null!;

    /// <summary>Starts every part; on failure, whatever started is stopped again before the exception propagates.</summary>
    public static async Task<MeshServer> StartAsync(MeshOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= LoggerFactory.Create(b => b
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(options.LogLevel)
            // The framework's per-request and lifetime chatter is noise next to our own lines.
            .AddFilter("Microsoft", LogLevel.Warning));
        var logger = loggerFactory.CreateLogger<MeshServer>();

        var dataLock = DataDirectoryLock.Acquire(options.DataDirectory);
        IMetadataStore? store = null;
        KafkaBroker? broker = null;
        WebApplication? web = null;
        WebApplication? registryWeb = null;
        try
        {
            store = MetadataStores.Open(options.Metadata.ConnectionString, options.DataDirectory);
            var applied = await store.MigrateAsync(new Progress<Migration>(m => LogMigrating(logger, m.ToString(), store.DisplayName)), cancellationToken).ConfigureAwait(false);
            LogStoreReady(logger, store.Provider, store.DisplayName, applied.Count);

            var instanceId = await new MeshSettings(store).GetOrCreateAsync("mesh.instance_id", () => Guid.NewGuid().ToString("n"), cancellationToken).ConfigureAwait(false);
            var status = new MeshStatus(instanceId, store);
            broker = await KafkaBroker.StartAsync(options.Broker, options.BrokerStorage, options.DataDirectory, store,
                AllowAllPolicy.Instance, TimeProvider.System, loggerFactory, instanceId, cancellationToken).ConfigureAwait(false);
            var registry = new SchemaRegistry(store, logger: loggerFactory.CreateLogger<SchemaRegistry>());
            broker.ValueValidator = new RegistryValueValidator(registry);
            var catalog = new MeshCatalog(store);
            var plane = new MeshControlPlane(store, broker, registry, catalog, loggerFactory.CreateLogger<MeshControlPlane>());
            var listeners = new Listeners();
            var lake = new LakeCatalog(store, options.Lake.CreateFileIO(), options.Lake.Warehouse(options.DataDirectory));
            var queries = new QueryEngine(lake, AllowAllPolicy.Instance, FullAccessViewPolicy.Instance);
            var materializer = options.Processing.Enabled ? new Materializer(catalog, lake, registry, broker, options.Processing, TimeProvider.System, loggerFactory) : null;
            web = BuildWeb(options, loggerFactory, status, broker, plane, queries, listeners);
            web.MapGroup("/iceberg").MapIcebergCatalog(lake, AllowAllPolicy.Instance, ApiAccess.PrincipalOf);
            web.MapProcessingApi(materializer);
            registryWeb = BuildRegistryWeb(options, loggerFactory, registry, listeners);
            var server = new MeshServer(options, dataLock, store, broker, registry, web, registryWeb, status, logger) { ControlPlane = plane, Lake = lake, Materializer = materializer };
            await web.StartAsync(cancellationToken).ConfigureAwait(false);
            await registryWeb.StartAsync(cancellationToken).ConfigureAwait(false);
            server.RegistryAddress = Base(listeners.Registry!);
            // With port 0 the real ports are known only after binding; clients must be told those.
            server.HttpAddress = Base(listeners.Http!);
            broker.Advertised = (options.Broker.AdvertisedHost ?? options.Broker.Host, options.Broker.AdvertisedPort ?? listeners.Kafka!.IPEndPoint!.Port);
            await server.StartExamplesAsync(loggerFactory, cancellationToken).ConfigureAwait(false);
            server.Findings = new FindingsMonitor(broker, registry, catalog, options.FindingsSampleInterval, TimeProvider.System, loggerFactory.CreateLogger<FindingsMonitor>());
            server._background.Add(server.Findings);
            server.Findings.Start();
            if (materializer is not null)
            {
                // Stopped after the generators (disposed in this order), so it commits what they published last.
                server._background.Add(materializer);
                plane.Applied += (_, _) => materializer.Wake();
                materializer.Start();
            }

            server.Generators?.Start();
            status.MarkReady();
            LogStarted(logger, server.HttpAddress, server.BootstrapServers, options.DataDirectory);
            return server;
        }
        catch
        {
            if (registryWeb is not null)
            {
                await registryWeb.DisposeAsync().ConfigureAwait(false);
            }

            if (web is not null)
            {
                await web.DisposeAsync().ConfigureAwait(false);
            }

            if (broker is not null)
            {
                await broker.DisposeAsync().ConfigureAwait(false);
            }

            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            dataLock.Dispose();
            throw;
        }
    }

    /// <summary>Stops accepting work, drains what is in flight and releases the data directory. Safe to call twice.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        Status.MarkStopping();
        LogStopping(_logger);
        foreach (var task in _background)
        {
            await task.DisposeAsync().ConfigureAwait(false);
        }

        await _registryWeb.StopAsync(cancellationToken).ConfigureAwait(false);
        await _registryWeb.DisposeAsync().ConfigureAwait(false);
        await _web.StopAsync(cancellationToken).ConfigureAwait(false);
        await _web.DisposeAsync().ConfigureAwait(false);
        await Broker.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
        _lock.Dispose();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>
    /// On the first start of an empty mesh, applies the embedded example mesh; with examples enabled,
    /// prepares its generators (started once everything listens).
    /// </summary>
    private async Task StartExamplesAsync(ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (!Options.Examples.Enabled)
        {
            return;
        }

        if ((await ControlPlane.Catalog.HistoryAsync(limit: 1, cancellationToken: cancellationToken).ConfigureAwait(false)).Total == 0)
        {
            var result = await ControlPlane.ApplyAsync(ExampleMesh.Files, allowDestroy: false, "mesh-up", ExampleMesh.Source, cancellationToken).ConfigureAwait(false);
            if (!result.Applied)
            {
                throw new InvalidOperationException("The embedded example mesh violates its own policies: " + string.Join("; ", result.Plan.Errors));
            }
        }

        if (Options.Examples.EventsPerSecond > 0)
        {
            Generators = new ExampleGenerators(Broker, Registry, MeshDefinition.Load(ExampleMesh.Files), Options.Examples.EventsPerSecond, TimeProvider.System,
                loggerFactory.CreateLogger<ExampleGenerators>());
            _background.Add(Generators);
        }
    }

    private static WebApplication BuildWeb(MeshOptions options, ILoggerFactory loggerFactory, MeshStatus status, KafkaBroker broker, MeshControlPlane plane,
        QueryEngine queries, Listeners listeners)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Meshwork" });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(status);
        builder.Services.AddSingleton(broker);
        builder.Services.AddSingleton(plane);
        builder.Services.AddSingleton(plane.Catalog);
        builder.Services.AddSingleton(queries);
        builder.Services.AddSingleton(new ApiAccess(AllowAllPolicy.Instance));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Meshwork HTTP API";
            document.Info.Description = "Data products, governance, catalog and the embedded broker of a Meshwork mesh.";
            return Task.CompletedTask;
        }));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(Address(options.Http.Host), options.Http.Port, listener => listeners.Http = listener);
            // The Kafka listener shares Kestrel's socket transport: Pipelines framing, no HTTP.
            kestrel.Listen(Address(options.Broker.Host), options.Broker.Port, listener =>
            {
                listener.UseConnectionHandler<KafkaConnectionHandler>();
                listeners.Kafka = listener;
            });
            kestrel.AddServerHeader = false;
        });
        var web = builder.Build();
        web.UseExceptionHandler();
        web.UseStatusCodePages();
        web.MapMeshApi();
        web.MapBrokerApi();
        web.MapBrokerUsersApi();
        web.MapControlPlaneApi();
        web.MapQueryApi();
        web.MapOpenApi(OpenApiPath);
        return web;
    }

    /// <summary>
    /// The registry gets its own Kestrel app: Confluent clients expect its API at the root of its own
    /// port, and its errors are Confluent's <c>error_code</c> bodies rather than problem details.
    /// </summary>
    private static WebApplication BuildRegistryWeb(MeshOptions options, ILoggerFactory loggerFactory, SchemaRegistry registry, Listeners listeners)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Meshwork.Registry" });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(Address(options.Registry.Host), options.Registry.Port, listener => listeners.Registry = listener);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = SchemaRegistryEndpoints.MaxBodyBytes + 1;
        });
        var web = builder.Build();
        web.MapSchemaRegistry(registry, AllowAllPolicy.Instance, ApiAccess.PrincipalOf);
        web.MapSchemaRegistryFallback();
        return web;
    }

    private static Uri Base(ListenOptions listener)
    {
        var endpoint = listener.IPEndPoint!;
        return new Uri($"http://{(endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : endpoint.Address)}:{endpoint.Port}/");
    }

    /// <summary>Where the HTTP API serves its OpenAPI document.</summary>
    public const string OpenApiPath = "/api/v1/openapi.json";

    private static IPAddress Address(string host) => host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);

    /// <summary>Kestrel's listeners, kept to read the ports they bound.</summary>
    private sealed class Listeners
    {
        public ListenOptions? Http { get; set; }

        public ListenOptions? Kafka { get; set; }

        public ListenOptions? Registry { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying metadata migration {Migration} to {Store}")]
    private static partial void LogMigrating(ILogger logger, string migration, string store);

    [LoggerMessage(Level = LogLevel.Information, Message = "Metadata store ready: {Provider} at {Store} ({Applied} migrations applied now)")]
    private static partial void LogStoreReady(ILogger logger, StoreProvider provider, string store, int applied);

    [LoggerMessage(Level = LogLevel.Information, Message = "Meshwork is up: HTTP API at {Address}, Kafka at {Bootstrap}, data in {DataDirectory}")]
    private static partial void LogStarted(ILogger logger, Uri address, string bootstrap, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Meshwork is stopping")]
    private static partial void LogStopping(ILogger logger);
}
