using Meshwork.Broker.Groups;
using Meshwork.Broker.Handlers;
using Meshwork.Broker.Sasl;
using Meshwork.Broker.Storage;
using Meshwork.Metadata;
using Meshwork.Security;
using Microsoft.Extensions.Logging;

namespace Meshwork.Broker;

/// <summary>
/// The embedded Kafka broker: log storage, the group coordinator, producer ids, SASL credentials and
/// the request dispatcher. The network listener is Kestrel's (see <see cref="Network.KafkaConnectionHandler"/>),
/// hosted by the mesh server; this class owns everything behind it.
/// </summary>
public sealed class KafkaBroker : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _maintenance;

    private KafkaBroker(BrokerOptions options, LogManager logs, GroupCoordinator groups, ProducerIdAllocator producerIds,
        ScramCredentialStore credentials, IAccessPolicy policy, TimeProvider time, ILoggerFactory loggerFactory)
    {
        Options = options;
        Logs = logs;
        Groups = groups;
        ProducerIds = producerIds;
        Credentials = credentials;
        Policy = policy;
        Time = time;
        LoggerFactory = loggerFactory;
        Metrics = new BrokerMetrics(time);
        Dispatcher = new RequestDispatcher(this);
        _maintenance = logs.RunMaintenanceAsync(_stopping.Token);
    }

    /// <summary>The options the broker runs with.</summary>
    public BrokerOptions Options { get; }

    /// <summary>Every topic and partition log.</summary>
    public LogManager Logs { get; }

    /// <summary>The consumer group coordinator.</summary>
    public GroupCoordinator Groups { get; }

    /// <summary>Hands out idempotent producer ids.</summary>
    public ProducerIdAllocator ProducerIds { get; }

    /// <summary>SASL/SCRAM credentials.</summary>
    public ScramCredentialStore Credentials { get; }

    /// <summary>Checks record values of schema-validated topics; null when no registry is attached.</summary>
    public IValueSchemaValidator? ValueValidator { get; set; }

    /// <summary>The policy decision point every request is authorized by.</summary>
    public IAccessPolicy Policy { get; }

    /// <summary>Throughput, latency and lag figures.</summary>
    public BrokerMetrics Metrics { get; }

    /// <summary>The clock for timestamps, timeouts and retention.</summary>
    public TimeProvider Time { get; }

    /// <summary>Where the broker's components log.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The host and port clients are told to use; set by the host once the listener is bound.</summary>
    public (string Host, int Port) Advertised { get; set; }

    /// <summary>The Kafka cluster id reported in Metadata.</summary>
    public string ClusterId { get; private set; } = "meshwork";

    internal RequestDispatcher Dispatcher { get; }

    /// <summary>
    /// Opens the logs under <c>DATA/broker</c> (recovering torn tails), loads committed offsets and
    /// starts background maintenance (retention, compaction).
    /// </summary>
    public static async Task<KafkaBroker> StartAsync(BrokerOptions options, BrokerStorageOptions storage, string dataDirectory, IMetadataStore store,
        IAccessPolicy policy, TimeProvider time, ILoggerFactory loggerFactory, string clusterId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var logs = LogManager.Open(Path.Combine(dataDirectory, "broker"), storage, time, loggerFactory);
        var groups = new GroupCoordinator(new MetadataOffsetStore(store), time,
            new GroupCoordinatorOptions { InitialRebalanceDelay = options.GroupInitialRebalanceDelay },
            loggerFactory.CreateLogger<GroupCoordinator>());
        try
        {
            await groups.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            groups.Dispose();
            logs.Dispose();
            throw;
        }

        return new KafkaBroker(options, logs, groups, new ProducerIdAllocator(store), new ScramCredentialStore(store, time), policy, time, loggerFactory)
        {
            ClusterId = options.ClusterId ?? clusterId,
            Advertised = (options.AdvertisedHost ?? options.Host, options.AdvertisedPort ?? options.Port),
        };
    }

    /// <summary>Stops maintenance, fails waiting group calls, and flushes and closes every log.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _maintenance.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // expected at shutdown
        }

        Groups.Dispose();
        Logs.Dispose();
        _stopping.Dispose();
    }
}
