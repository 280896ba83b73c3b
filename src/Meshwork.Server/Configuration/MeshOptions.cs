using Meshwork.Broker;
using Meshwork.Broker.Storage;
using Meshwork.Lake;
using Meshwork.Processing;
using Microsoft.Extensions.Logging;

namespace Meshwork.Server.Configuration;

/// <summary>The effective configuration of one Meshwork process, after every layer and validation.</summary>
public sealed record MeshOptions
{
    /// <summary>Where this process keeps its files (logs, lake, SQLite store, lock).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The HTTP API listener.</summary>
    public required EndpointOptions Http { get; init; }

    /// <summary>The metadata store.</summary>
    public required MetadataOptions Metadata { get; init; }

    /// <summary>The schema registry's listener (the Confluent REST API at its root).</summary>
    public EndpointOptions Registry { get; init; } = new("127.0.0.1", 8081);

    /// <summary>The embedded Kafka broker.</summary>
    public BrokerOptions Broker { get; init; } = new();

    /// <summary>The broker's log storage (fsync policy, defaults).</summary>
    public BrokerStorageOptions BrokerStorage { get; init; } = new();

    /// <summary>The embedded example mesh and its generators.</summary>
    public ExampleOptions Examples { get; init; } = new(Enabled: true, EventsPerSecond: 2);

    /// <summary>How often the value detectors sample products' newest events; zero turns sampling off.</summary>
    public TimeSpan FindingsSampleInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The materializer: every published product's tables in the lake.</summary>
    public MaterializerOptions Processing { get; init; } = new();

    /// <summary>The lake: where Iceberg table files live (local disk or S3).</summary>
    public LakeOptions Lake { get; init; } = new();

    /// <summary>The minimum level written to the console log.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Embedded defaults with the data directory at <paramref name="dataDirectory"/> and the HTTP API on a free port: what tests start.</summary>
    public static MeshOptions ForTests(string dataDirectory) => new()
    {
        DataDirectory = dataDirectory,
        Http = new EndpointOptions("127.0.0.1", 0),
        Registry = new EndpointOptions("127.0.0.1", 0),
        Metadata = new MetadataOptions(null),
        Broker = new BrokerOptions { Port = 0, GroupInitialRebalanceDelay = TimeSpan.Zero },
        Examples = new ExampleOptions(Enabled: false, EventsPerSecond: 0),
        FindingsSampleInterval = TimeSpan.Zero,
        // Tests that want tables turn it on; the others should not find consumer groups and lake tables they did not make.
        Processing = new MaterializerOptions { Enabled = false },
        LogLevel = LogLevel.Warning,
    };
}

/// <summary>The example mesh <c>mesh up</c> starts with.</summary>
/// <param name="Enabled">Apply it on first start (an empty catalog) and run its generators.</param>
/// <param name="EventsPerSecond">Events each generator publishes per second; 0 publishes none.</param>
public sealed record ExampleOptions(bool Enabled, int EventsPerSecond);

/// <summary>A host and port to listen on. Port 0 picks a free port.</summary>
public sealed record EndpointOptions(string Host, int Port);

/// <summary>Which metadata store to use: none means SQLite in the data directory.</summary>
/// <param name="ConnectionString">A PostgreSQL connection string or URI, or <c>Data Source=FILE</c>; a secret.</param>
public sealed record MetadataOptions(string? ConnectionString)
{
    /// <inheritdoc/>
    public override string ToString() => $"MetadataOptions {{ ConnectionString = {(ConnectionString is null ? "(sqlite)" : "<redacted>")} }}";
}
