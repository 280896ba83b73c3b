namespace Meshwork.Broker.Groups;

/// <summary>
/// Settings of the consumer group coordinator, named after the Apache Kafka broker settings they mirror.
/// </summary>
public sealed record GroupCoordinatorOptions
{
    /// <summary>
    /// <c>group.initial.rebalance.delay.ms</c>: how long the first rebalance of an empty group waits for more
    /// members before completing, extended by the same amount (up to the rebalance timeout) each time another
    /// member arrives. The default is Kafka's 3000 ms so that a fleet of consumers starting together gets one
    /// rebalance instead of one per consumer; tests and single-consumer development setups use 0.
    /// </summary>
    public TimeSpan InitialRebalanceDelay { get; init; } = TimeSpan.FromMilliseconds(3000);

    /// <summary><c>group.min.session.timeout.ms</c>: the shortest session timeout a member may ask for (Kafka: 6000).</summary>
    public int MinSessionTimeoutMs { get; init; } = 6000;

    /// <summary><c>group.max.session.timeout.ms</c>: the longest session timeout a member may ask for (Kafka: 1800000).</summary>
    public int MaxSessionTimeoutMs { get; init; } = 1_800_000;

    /// <summary><c>group.max.size</c>: members allowed in one group (Kafka: unbounded).</summary>
    public int MaxGroupSize { get; init; } = int.MaxValue;

    /// <summary><c>offset.metadata.max.bytes</c>: the longest metadata string a commit may carry (Kafka: 4096).</summary>
    public int MaxOffsetMetadataLength { get; init; } = 4096;

    /// <summary>
    /// How long a member that joined during a rebalance may wait for it without heartbeating before it is
    /// dropped (Kafka's fixed 5 minutes), so a client that vanished mid-join cannot hold a group forever.
    /// </summary>
    public TimeSpan NewMemberJoinTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>offsets.retention.minutes</c>: how long committed offsets are kept once a group is Empty (counted from
    /// when it became Empty), or, for groups that only commit (no group management), since each commit (Kafka: 7 days).
    /// </summary>
    public TimeSpan OffsetsRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// <c>offsets.retention.check.interval.ms</c>: how often expired offsets and Empty groups without offsets are
    /// removed (Kafka: 10 minutes); <see cref="TimeSpan.Zero"/> turns the periodic sweep off.
    /// </summary>
    public TimeSpan OffsetsRetentionCheckInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Checks the settings and reports every problem at once.</summary>
    /// <exception cref="ArgumentException">One or more settings are out of range.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        if (InitialRebalanceDelay < TimeSpan.Zero)
        {
            errors.Add($"{nameof(InitialRebalanceDelay)} must not be negative (got {InitialRebalanceDelay}).");
        }

        if (MinSessionTimeoutMs <= 0 || MaxSessionTimeoutMs < MinSessionTimeoutMs)
        {
            errors.Add($"{nameof(MinSessionTimeoutMs)} ({MinSessionTimeoutMs}) must be positive and not above {nameof(MaxSessionTimeoutMs)} ({MaxSessionTimeoutMs}).");
        }

        if (MaxGroupSize <= 0)
        {
            errors.Add($"{nameof(MaxGroupSize)} must be positive (got {MaxGroupSize}).");
        }

        if (MaxOffsetMetadataLength < 0)
        {
            errors.Add($"{nameof(MaxOffsetMetadataLength)} must not be negative (got {MaxOffsetMetadataLength}).");
        }

        if (NewMemberJoinTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(NewMemberJoinTimeout)} must be positive (got {NewMemberJoinTimeout}).");
        }

        if (OffsetsRetention <= TimeSpan.Zero || OffsetsRetentionCheckInterval < TimeSpan.Zero)
        {
            errors.Add($"{nameof(OffsetsRetention)} must be positive and {nameof(OffsetsRetentionCheckInterval)} not negative (got {OffsetsRetention} and {OffsetsRetentionCheckInterval}).");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid group coordinator options: " + string.Join(" ", errors));
        }
    }
}
