namespace Meshwork.Broker.Storage;

/// <summary>When the log forces appended data to disk.</summary>
public enum FlushPolicy
{
    /// <summary>fsync before each append returns: nothing acknowledged is lost on power failure.</summary>
    EveryBatch,

    /// <summary>fsync in the background every <see cref="BrokerStorageOptions.FlushIntervalMs"/>.</summary>
    Interval,

    /// <summary>fsync after every <see cref="BrokerStorageOptions.FlushMessages"/> messages.</summary>
    Messages,
}

/// <summary>Broker-wide storage settings (the <c>broker.storage</c> section).</summary>
public sealed record BrokerStorageOptions
{
    /// <summary>The fsync policy; the topic's <c>flush.messages</c>/<c>flush.ms</c> apply on top of it.</summary>
    public FlushPolicy FlushPolicy { get; init; } = FlushPolicy.EveryBatch;

    /// <summary>Period of the background fsync under <see cref="FlushPolicy.Interval"/>.</summary>
    public long FlushIntervalMs { get; init; } = 1000;

    /// <summary>Messages between fsyncs under <see cref="FlushPolicy.Messages"/>.</summary>
    public long FlushMessages { get; init; } = 10_000;

    /// <summary>Partitions of auto-created topics and of CreateTopics requests that say -1.</summary>
    public int DefaultPartitions { get; init; } = 1;

    /// <summary>Broker-level defaults that replace the Kafka defaults for every topic (e.g. <c>retention.ms</c>).</summary>
    public IReadOnlyDictionary<string, string> DefaultTopicConfig { get; init; } = new Dictionary<string, string>();

    /// <summary>How often retention and compaction run.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether the maintenance loop enforces retention (compaction runs regardless).</summary>
    public bool RetentionCheckEnabled { get; init; } = true;
}
