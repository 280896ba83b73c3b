namespace Meshwork.Processing;

/// <summary>How the materializer runs (settings <c>processing.*</c>).</summary>
public sealed record MaterializerOptions
{
    /// <summary>The default <see cref="CommitInterval"/>: short enough that an event is queryable within 2 s at p99 under the example load.</summary>
    public static readonly TimeSpan DefaultCommitInterval = TimeSpan.FromMilliseconds(1000);

    /// <summary>The default <see cref="CommitRecords"/>.</summary>
    public const int DefaultCommitRecords = 10_000;

    /// <summary>Materialize every published product (<c>processing.enabled</c>).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Longest time a consumed record waits for its commit (<c>processing.commitIntervalMs</c>): a commit happens this long
    /// after the first record of a batch arrived, or sooner when <see cref="CommitRecords"/> are pending.
    /// </summary>
    public TimeSpan CommitInterval { get; init; } = DefaultCommitInterval;

    /// <summary>Most records in one commit (<c>processing.commitRecords</c>).</summary>
    public int CommitRecords { get; init; } = DefaultCommitRecords;

    /// <summary>How often the catalog is read for products applied or deleted (an apply also wakes the materializer at once).</summary>
    public TimeSpan CatalogPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest back-off after a failure before a product's materializer starts over from its tables.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}
