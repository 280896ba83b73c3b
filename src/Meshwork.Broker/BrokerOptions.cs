namespace Meshwork.Broker;

/// <summary>Settings of the embedded Kafka broker (section <c>broker.*</c> of the mesh configuration).</summary>
public sealed record BrokerOptions
{
    /// <summary>The address the Kafka listener binds to.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The Kafka listener's port; 0 picks a free port.</summary>
    public int Port { get; init; } = 9092;

    /// <summary>The host clients are told to connect to (Metadata, FindCoordinator); defaults to <see cref="Host"/>.</summary>
    public string? AdvertisedHost { get; init; }

    /// <summary>The port clients are told to connect to; defaults to the bound port.</summary>
    public int? AdvertisedPort { get; init; }

    /// <summary>This broker's node id; also the controller and every partition's leader.</summary>
    public int NodeId { get; init; }

    /// <summary>Create a topic when a client asks for metadata of, or produces to, one that does not exist.</summary>
    public bool AutoCreateTopics { get; init; } = true;

    /// <summary>Partitions of auto-created topics, and of CreateTopics requests that ask for the default (-1).</summary>
    public int DefaultPartitions { get; init; } = 1;

    /// <summary>The largest request frame accepted (Kafka's <c>socket.request.max.bytes</c>); a bigger size closes the connection.</summary>
    public int MaxRequestBytes { get; init; } = 100 * 1024 * 1024;

    /// <summary>Accept clients that do not authenticate, as the anonymous principal. When false, SASL is required.</summary>
    public bool AllowAnonymous { get; init; } = true;

    /// <summary>The SASL mechanisms offered to clients.</summary>
    public IReadOnlyList<string> SaslMechanisms { get; init; } = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

    /// <summary>Kafka's cluster id (Metadata v2+); defaults to the mesh instance id.</summary>
    public string? ClusterId { get; init; }

    /// <summary>How long a consumer group waits for more members before its first rebalance completes.</summary>
    public TimeSpan GroupInitialRebalanceDelay { get; init; } = TimeSpan.FromSeconds(3);
}
