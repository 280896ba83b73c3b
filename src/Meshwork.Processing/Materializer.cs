using Meshwork.Broker;
using Meshwork.Catalog;
using Meshwork.Lake;
using Meshwork.Processing.Sources;
using Meshwork.Registry;
using Meshwork.Security;
using Microsoft.Extensions.Logging;

namespace Meshwork.Processing;

/// <summary>
/// Keeps every published product of the catalog materialized in the lake: for each one, a consumer reads its topic and
/// commits to <c>[domain].&lt;id&gt;</c> (current state) and <c>[domain].&lt;id&gt;_history</c> (every event) every
/// <see cref="MaterializerOptions.CommitInterval"/> or <see cref="MaterializerOptions.CommitRecords"/> records, exactly
/// once across crashes (see <see cref="ConsumedOffsets"/>). Products are picked up when applied (the catalog is polled,
/// and <see cref="Wake"/> after an apply reads it at once) and stop when deleted; their tables stay.
/// </summary>
public sealed partial class Materializer : IAsyncDisposable
{
    /// <summary>Prefix of the consumer groups the materializer commits its progress to: <c>meshwork.materializer.&lt;domain&gt;.&lt;id&gt;</c>.</summary>
    public const string GroupPrefix = "meshwork.materializer.";

    /// <summary>The principal the materializer reads topics as.</summary>
    public static readonly Principal Principal = new("meshwork-materializer", PrincipalKind.Service, new Dictionary<string, string> { ["role"] = "processor" });

    // Drafts have no consumers yet; deprecated products still do until their sunset.
    private static readonly string[] MaterializedStatuses = ["published", "deprecated"];

    private readonly MeshCatalog _catalog;
    private readonly LakeCatalog _lake;
    private readonly SchemaRegistry _registry;
    private readonly Func<ProductSource, IRecordSource> _sources;
    private readonly MaterializerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sync = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, ProductMaterializer> _running = new(StringComparer.Ordinal);
    private readonly Lock _runningGate = new();
    private Task? _loop;

    /// <summary>Creates a materializer reading the embedded broker's topics as <see cref="Principal"/>.</summary>
    public Materializer(MeshCatalog catalog, LakeCatalog lake, SchemaRegistry registry, KafkaBroker broker, MaterializerOptions options, TimeProvider time, ILoggerFactory loggerFactory)
        : this(catalog, lake, registry, p => new BrokerRecordSource(broker, Principal, "meshwork-materializer-" + p.FullName), options, time, loggerFactory)
    {
    }

    /// <summary>Creates a materializer reading topics through the sources <paramref name="sources"/> makes (one per product).</summary>
    public Materializer(MeshCatalog catalog, LakeCatalog lake, SchemaRegistry registry, Func<ProductSource, IRecordSource> sources, MaterializerOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _catalog = catalog;
        _lake = lake;
        _registry = registry;
        _sources = sources;
        _options = options;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<Materializer>();
    }

    /// <summary>The options it runs with.</summary>
    public MaterializerOptions Options => _options;

    /// <summary>Starts materializing the catalog's products in the background.</summary>
    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Reads the catalog now rather than at the next poll (call after an apply).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>
    /// One pass over the catalog: starts a materializer for every published product without one (or whose topic changed:
    /// a new major version) and stops those of products that are gone. What each poll does.
    /// </summary>
    public async Task SyncProductsAsync(CancellationToken cancellationToken = default)
    {
        await _sync.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = new Dictionary<string, ProductSource>(StringComparer.Ordinal);
            for (var offset = 0; ; offset += MeshCatalog.MaxPageSize)
            {
                var page = await _catalog.ProductsAsync(limit: MeshCatalog.MaxPageSize, offset: offset, cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var product in page.Items.Where(p => MaterializedStatuses.Contains(p.Status)))
                {
                    if (Running(product.FullName) is { } running && running.Product.Topic == product.Topic)
                    {
                        wanted[product.FullName] = running.Product;
                    }
                    else if (await _catalog.ProductAsync(product.FullName, cancellationToken).ConfigureAwait(false) is { Subject: { } subject } detail)
                    {
                        wanted[product.FullName] = new ProductSource(product.FullName, product.Domain, product.FullName[(product.Domain.Length + 1)..],
                            product.Topic, subject, detail.KeyFields);
                    }
                }

                if (page.NextOffset is null)
                {
                    break;
                }
            }

            List<ProductMaterializer> stopped;
            lock (_runningGate)
            {
                stopped = [.. _running.Values.Where(r => !wanted.TryGetValue(r.Product.FullName, out var w) || w != r.Product)];
                foreach (var r in stopped)
                {
                    _running.Remove(r.Product.FullName);
                }
            }

            foreach (var r in stopped)
            {
                LogStopped(_logger, r.Product.FullName);
                await r.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var product in wanted.Values)
            {
                lock (_runningGate)
                {
                    if (_running.ContainsKey(product.FullName))
                    {
                        continue;
                    }

                    var materializer = new ProductMaterializer(product, _lake, _registry, _sources(product), _options, _time, _loggerFactory.CreateLogger<ProductMaterializer>());
                    _running[product.FullName] = materializer;
                    materializer.Start();
                }

                LogStarted(_logger, product.FullName, ProductTables.CurrentId(product).ToString(), ProductTables.HistoryId(product).ToString());
            }
        }
        finally
        {
            _sync.Release();
        }
    }

    /// <summary>The status of every product being materialized, by name.</summary>
    public IReadOnlyList<MaterializationStatus> Status()
    {
        List<ProductMaterializer> running;
        lock (_runningGate)
        {
            running = [.. _running.Values];
        }

        return [.. running.Select(r => r.Status()).OrderBy(s => s.Product, StringComparer.Ordinal)];
    }

    /// <summary>The status of one product (<c>domain.id</c>), or null when it is not being materialized.</summary>
    public MaterializationStatus? Status(string product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return Running(product.ToLowerInvariant())?.Status();
    }

    private ProductMaterializer? Running(string product)
    {
        lock (_runningGate)
        {
            return _running.GetValueOrDefault(product);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await SyncProductsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogSyncFailed(_logger, e);
            }

            try
            {
                await _wake.WaitAsync(_options.CatalogPollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        List<ProductMaterializer> running;
        lock (_runningGate)
        {
            running = [.. _running.Values];
            _running.Clear();
        }

        foreach (var r in running)
        {
            await r.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _sync.Dispose();
        _wake.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Materializing {Product} into {Current} and {History}")]
    private static partial void LogStarted(ILogger logger, string product, string current, string history);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped materializing {Product}")]
    private static partial void LogStopped(ILogger logger, string product);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the catalog for products to materialize failed; trying again at the next poll")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}
