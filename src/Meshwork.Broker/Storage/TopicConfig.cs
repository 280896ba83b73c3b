using System.Collections.Frozen;
using System.Globalization;
using Meshwork.Kafka.Protocol.Records;

namespace Meshwork.Broker.Storage;

/// <summary>The value type of a topic config, as DescribeConfigs v3+ reports it.</summary>
public enum ConfigType
{
    /// <summary>true/false.</summary>
    Boolean,

    /// <summary>A string (possibly one of a fixed set).</summary>
    String,

    /// <summary>A 32-bit integer.</summary>
    Int,

    /// <summary>A 64-bit integer.</summary>
    Long,

    /// <summary>A double.</summary>
    Double,

    /// <summary>A comma-separated list.</summary>
    List,
}

/// <summary>The definition of one supported topic config key.</summary>
/// <param name="Name">The Kafka config key.</param>
/// <param name="Type">The value type.</param>
/// <param name="Default">The Kafka default, as a string.</param>
/// <param name="Documentation">One-line documentation shown by DescribeConfigs (v3+) and the CLI.</param>
/// <param name="Validate">Returns null when the value is valid, else a description of the allowed values.</param>
public sealed record ConfigDefinition(string Name, ConfigType Type, string Default, string Documentation, Func<string, string?> Validate);

/// <summary>One described config: the effective value and where it came from.</summary>
/// <param name="Name">The config key.</param>
/// <param name="Value">The effective value.</param>
/// <param name="IsDefault">True when no topic override is set (the Kafka or broker default applies).</param>
/// <param name="IsReadOnly">True when AlterConfigs may not change it.</param>
/// <param name="IsSensitive">True when the value must not be shown.</param>
/// <param name="Source">Where the value comes from.</param>
/// <param name="Type">The value type.</param>
/// <param name="Documentation">The key's documentation.</param>
public sealed record ConfigEntry(
    string Name, string? Value, bool IsDefault, bool IsReadOnly, bool IsSensitive, ConfigSource Source, ConfigType Type, string? Documentation);

/// <summary>Where a described config value comes from (DescribeConfigs ConfigSource numbering).</summary>
public enum ConfigSource
{
    /// <summary>A topic override.</summary>
    TopicOverride = 1,

    /// <summary>A broker-level default set in <see cref="BrokerStorageOptions.DefaultTopicConfig"/>.</summary>
    StaticBrokerConfig = 4,

    /// <summary>The Kafka default.</summary>
    Default = 5,
}

/// <summary>
/// The effective configuration of one topic: Kafka's defaults, overlaid with broker defaults, overlaid with the
/// topic's overrides. Immutable; <see cref="With"/> returns a validated copy.
/// </summary>
public sealed class TopicConfig
{
    /// <summary><c>cleanup.policy</c>.</summary>
    public const string CleanupPolicyKey = "cleanup.policy";

    /// <summary><c>retention.ms</c>.</summary>
    public const string RetentionMsKey = "retention.ms";

    /// <summary><c>retention.bytes</c>.</summary>
    public const string RetentionBytesKey = "retention.bytes";

    /// <summary><c>segment.bytes</c>.</summary>
    public const string SegmentBytesKey = "segment.bytes";

    /// <summary><c>segment.ms</c>.</summary>
    public const string SegmentMsKey = "segment.ms";

    /// <summary><c>max.message.bytes</c>.</summary>
    public const string MaxMessageBytesKey = "max.message.bytes";

    /// <summary><c>message.timestamp.type</c>.</summary>
    public const string TimestampTypeKey = "message.timestamp.type";

    /// <summary><c>message.timestamp.difference.max.ms</c> (deprecated since Kafka 3.6 in favour of before/after).</summary>
    public const string TimestampDifferenceMaxMsKey = "message.timestamp.difference.max.ms";

    /// <summary><c>message.timestamp.before.max.ms</c>.</summary>
    public const string TimestampBeforeMaxMsKey = "message.timestamp.before.max.ms";

    /// <summary><c>message.timestamp.after.max.ms</c>.</summary>
    public const string TimestampAfterMaxMsKey = "message.timestamp.after.max.ms";

    /// <summary><c>delete.retention.ms</c>.</summary>
    public const string DeleteRetentionMsKey = "delete.retention.ms";

    /// <summary><c>min.compaction.lag.ms</c>.</summary>
    public const string MinCompactionLagMsKey = "min.compaction.lag.ms";

    /// <summary><c>min.cleanable.dirty.ratio</c>.</summary>
    public const string MinCleanableDirtyRatioKey = "min.cleanable.dirty.ratio";

    /// <summary><c>compression.type</c>.</summary>
    public const string CompressionTypeKey = "compression.type";

    /// <summary><c>min.insync.replicas</c>.</summary>
    public const string MinInsyncReplicasKey = "min.insync.replicas";

    /// <summary><c>flush.messages</c>.</summary>
    public const string FlushMessagesKey = "flush.messages";

    /// <summary><c>flush.ms</c>.</summary>
    public const string FlushMsKey = "flush.ms";

    /// <summary><c>index.interval.bytes</c>.</summary>
    public const string IndexIntervalBytesKey = "index.interval.bytes";

    /// <summary><c>file.delete.delay.ms</c>.</summary>
    public const string FileDeleteDelayMsKey = "file.delete.delay.ms";

    /// <summary><c>unclean.leader.election.enable</c>.</summary>
    public const string UncleanLeaderElectionKey = "unclean.leader.election.enable";

    /// <summary>
    /// Smallest <c>segment.bytes</c> we accept. Kafka's floor is 14 bytes, which cannot hold a v2 batch header;
    /// 1 KiB still lets tests roll segments every few batches.
    /// </summary>
    public const int MinSegmentBytes = 1024;

    private static readonly string[] OpaquePrefixes = ["confluent.", "meshwork."];

    private static readonly ConfigDefinition[] DefinitionList =
    [
        new(CleanupPolicyKey, ConfigType.List, "delete", "delete: remove old segments by time/size; compact: keep the latest value per key; or both.", ValidateCleanupPolicy),
        new(RetentionMsKey, ConfigType.Long, "604800000", "Maximum age of a segment's newest record before the segment is deleted; -1 = forever.", LongAtLeast(-1)),
        new(RetentionBytesKey, ConfigType.Long, "-1", "Maximum partition size before the oldest segments are deleted; -1 = unlimited.", LongAtLeast(-1)),
        new(SegmentBytesKey, ConfigType.Int, "1073741824", "Size at which the active segment rolls.", IntAtLeast(MinSegmentBytes)),
        new(SegmentMsKey, ConfigType.Long, "604800000", "Age at which the active segment rolls, even if not full.", LongAtLeast(1)),
        new(MaxMessageBytesKey, ConfigType.Int, "1048588", "Largest record batch the topic accepts.", IntAtLeast(0)),
        new(TimestampTypeKey, ConfigType.String, "CreateTime", "CreateTime keeps the producer's timestamps; LogAppendTime stamps batches with the broker's clock.", OneOf("CreateTime", "LogAppendTime")),
        new(TimestampDifferenceMaxMsKey, ConfigType.Long, long.MaxValue.ToString(CultureInfo.InvariantCulture), "Deprecated: maximum difference between a CreateTime timestamp and the broker's clock.", LongAtLeast(0)),
        new(TimestampBeforeMaxMsKey, ConfigType.Long, long.MaxValue.ToString(CultureInfo.InvariantCulture), "How far in the past a CreateTime timestamp may be.", LongAtLeast(0)),
        new(TimestampAfterMaxMsKey, ConfigType.Long, "3600000", "How far in the future a CreateTime timestamp may be.", LongAtLeast(0)),
        new(DeleteRetentionMsKey, ConfigType.Long, "86400000", "How long compaction keeps tombstones, so consumers see deletes.", LongAtLeast(0)),
        new(MinCompactionLagMsKey, ConfigType.Long, "0", "Minimum age of a record before compaction may remove it.", LongAtLeast(0)),
        new(MinCleanableDirtyRatioKey, ConfigType.Double, "0.5", "Share of the log that must be uncompacted before the cleaner runs.", DoubleBetween(0, 1)),
        new(CompressionTypeKey, ConfigType.String, "producer", "Codec batches are stored with; producer keeps the producer's codec.", OneOf("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd")),
        new(MinInsyncReplicasKey, ConfigType.Int, "1", "Replicas that must acknowledge an acks=all write (single node: 1).", IntAtLeast(1)),
        new(FlushMessagesKey, ConfigType.Long, long.MaxValue.ToString(CultureInfo.InvariantCulture), "Messages between forced fsyncs of the log.", LongAtLeast(1)),
        new(FlushMsKey, ConfigType.Long, long.MaxValue.ToString(CultureInfo.InvariantCulture), "Maximum time between forced fsyncs of the log.", LongAtLeast(0)),
        new(IndexIntervalBytesKey, ConfigType.Int, "4096", "Bytes between offset index entries.", IntAtLeast(0)),
        new(FileDeleteDelayMsKey, ConfigType.Long, "60000", "Delay before a deleted segment's files are removed.", LongAtLeast(0)),
        new(UncleanLeaderElectionKey, ConfigType.Boolean, "false", "Whether an out-of-sync replica may become leader (single node: no effect).", ValidateBoolean),
    ];

    private static readonly FrozenDictionary<string, ConfigDefinition> DefinitionMap =
        DefinitionList.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);

    private readonly FrozenDictionary<string, string> _overrides;
    private readonly FrozenDictionary<string, string> _brokerDefaults;

    private TopicConfig(FrozenDictionary<string, string> overrides, FrozenDictionary<string, string> brokerDefaults)
    {
        _overrides = overrides;
        _brokerDefaults = brokerDefaults;
        var policy = Get(CleanupPolicyKey);
        Compact = policy.Contains("compact", StringComparison.Ordinal);
        Delete = policy.Contains("delete", StringComparison.Ordinal);
        RetentionMs = GetLong(RetentionMsKey);
        RetentionBytes = GetLong(RetentionBytesKey);
        SegmentBytes = GetInt(SegmentBytesKey);
        SegmentMs = GetLong(SegmentMsKey);
        MaxMessageBytes = GetInt(MaxMessageBytesKey);
        TimestampType = Get(TimestampTypeKey) == "LogAppendTime" ? TimestampType.LogAppendTime : TimestampType.CreateTime;
        var difference = GetLong(TimestampDifferenceMaxMsKey);
        // Kafka 3.6+ lets the deprecated difference setting cap both directions when it is the stricter one.
        TimestampBeforeMaxMs = Math.Min(GetLong(TimestampBeforeMaxMsKey), difference);
        TimestampAfterMaxMs = Math.Min(GetLong(TimestampAfterMaxMsKey), difference);
        DeleteRetentionMs = GetLong(DeleteRetentionMsKey);
        MinCompactionLagMs = GetLong(MinCompactionLagMsKey);
        MinCleanableDirtyRatio = double.Parse(Get(MinCleanableDirtyRatioKey), CultureInfo.InvariantCulture);
        CompressionType = Get(CompressionTypeKey);
        FlushMessages = GetLong(FlushMessagesKey);
        FlushMs = GetLong(FlushMsKey);
        IndexIntervalBytes = GetInt(IndexIntervalBytesKey);
        FileDeleteDelayMs = GetLong(FileDeleteDelayMsKey);
    }

    /// <summary>Every supported key, in a stable order.</summary>
    public static IReadOnlyList<ConfigDefinition> Definitions => DefinitionList;

    /// <summary>Kafka's defaults with no overrides.</summary>
    public static TopicConfig Default { get; } = Create(new Dictionary<string, string?>());

    /// <summary>The topic's own overrides (what is persisted and what AlterConfigs changes).</summary>
    public IReadOnlyDictionary<string, string> Overrides => _overrides;

    /// <summary>The broker-level defaults this config was created with.</summary>
    public IReadOnlyDictionary<string, string> BrokerDefaults => _brokerDefaults;

    /// <summary><c>cleanup.policy</c> contains compact.</summary>
    public bool Compact { get; }

    /// <summary><c>cleanup.policy</c> contains delete.</summary>
    public bool Delete { get; }

    /// <summary><c>retention.ms</c>; -1 = forever.</summary>
    public long RetentionMs { get; }

    /// <summary><c>retention.bytes</c>; -1 = unlimited.</summary>
    public long RetentionBytes { get; }

    /// <summary><c>segment.bytes</c>.</summary>
    public int SegmentBytes { get; }

    /// <summary><c>segment.ms</c>.</summary>
    public long SegmentMs { get; }

    /// <summary><c>max.message.bytes</c>.</summary>
    public int MaxMessageBytes { get; }

    /// <summary><c>message.timestamp.type</c>.</summary>
    public TimestampType TimestampType { get; }

    /// <summary>Effective past bound of CreateTime timestamps (before.max.ms capped by difference.max.ms).</summary>
    public long TimestampBeforeMaxMs { get; }

    /// <summary>Effective future bound of CreateTime timestamps (after.max.ms capped by difference.max.ms).</summary>
    public long TimestampAfterMaxMs { get; }

    /// <summary><c>delete.retention.ms</c>.</summary>
    public long DeleteRetentionMs { get; }

    /// <summary><c>min.compaction.lag.ms</c>.</summary>
    public long MinCompactionLagMs { get; }

    /// <summary><c>min.cleanable.dirty.ratio</c>.</summary>
    public double MinCleanableDirtyRatio { get; }

    /// <summary><c>compression.type</c>.</summary>
    public string CompressionType { get; }

    /// <summary><c>flush.messages</c>.</summary>
    public long FlushMessages { get; }

    /// <summary><c>flush.ms</c>.</summary>
    public long FlushMs { get; }

    /// <summary><c>index.interval.bytes</c>.</summary>
    public int IndexIntervalBytes { get; }

    /// <summary><c>file.delete.delay.ms</c>.</summary>
    public long FileDeleteDelayMs { get; }

    /// <summary>True for keys under <c>confluent.</c> or <c>meshwork.</c>, stored as opaque strings for other layers.</summary>
    public static bool IsOpaqueKey(string key)
    {
        foreach (var prefix in OpaquePrefixes)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && key.Length > prefix.Length)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Validates <paramref name="overrides"/> (null values are ignored) over <paramref name="brokerDefaults"/>,
    /// reporting every bad key at once.
    /// </summary>
    /// <exception cref="InvalidConfigException">A key is unknown or a value is out of range.</exception>
    public static TopicConfig Create(IReadOnlyDictionary<string, string?> overrides, IReadOnlyDictionary<string, string>? brokerDefaults = null)
    {
        var errors = new List<string>();
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in brokerDefaults ?? new Dictionary<string, string>())
        {
            if (CheckEntry(key, value, errors, "broker default "))
            {
                defaults[key] = value;
            }
        }

        var clean = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in overrides)
        {
            if (value is not null && CheckEntry(key, value, errors, string.Empty))
            {
                clean[key] = value;
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidConfigException(string.Join(" ", errors));
        }

        return new TopicConfig(clean.ToFrozenDictionary(StringComparer.Ordinal), defaults.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// Returns a validated copy with <paramref name="changes"/> applied. Incremental: each key is set, and a null
    /// value removes the override. Not incremental (legacy AlterConfigs): the overrides become exactly the non-null
    /// entries of <paramref name="changes"/>, and every other key reverts to its default.
    /// </summary>
    public TopicConfig With(IReadOnlyDictionary<string, string?> changes, bool incremental)
    {
        var merged = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (incremental)
        {
            foreach (var (key, value) in _overrides)
            {
                merged[key] = value;
            }
        }

        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                if (!DefinitionMap.ContainsKey(key) && !IsOpaqueKey(key))
                {
                    throw new InvalidConfigException($"Unknown topic config '{key}'.");
                }

                merged.Remove(key);
            }
            else
            {
                merged[key] = value;
            }
        }

        return Create(merged, _brokerDefaults);
    }

    /// <summary>The effective value of a key, or null for an unset opaque key.</summary>
    public string? this[string key] =>
        _overrides.TryGetValue(key, out var value) ? value
        : _brokerDefaults.TryGetValue(key, out value) ? value
        : DefinitionMap.TryGetValue(key, out var definition) ? definition.Default
        : null;

    /// <summary>
    /// Every supported config with its effective value, plus each opaque override: DescribeConfigs answers with
    /// all configs, defaults included, as Kafka does.
    /// </summary>
    public IReadOnlyList<ConfigEntry> Describe()
    {
        var entries = new List<ConfigEntry>(DefinitionList.Length + _overrides.Count);
        foreach (var definition in DefinitionList)
        {
            var (value, source) = _overrides.TryGetValue(definition.Name, out var topic) ? (topic, ConfigSource.TopicOverride)
                : _brokerDefaults.TryGetValue(definition.Name, out var broker) ? (broker, ConfigSource.StaticBrokerConfig)
                : (definition.Default, ConfigSource.Default);
            entries.Add(new ConfigEntry(definition.Name, value, source != ConfigSource.TopicOverride, IsReadOnly: false, IsSensitive: false, source, definition.Type, definition.Documentation));
        }

        foreach (var (key, value) in _overrides.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!DefinitionMap.ContainsKey(key))
            {
                entries.Add(new ConfigEntry(key, value, IsDefault: false, IsReadOnly: false, IsSensitive: false, ConfigSource.TopicOverride, ConfigType.String, "Stored for other layers (schema validation, data products)."));
            }
        }

        return entries;
    }

    private static bool CheckEntry(string key, string value, List<string> errors, string what)
    {
        if (DefinitionMap.TryGetValue(key, out var definition))
        {
            var problem = definition.Validate(value.Trim());
            if (problem is not null)
            {
                errors.Add($"Invalid value '{value}' for {what}config '{key}': {problem}.");
                return false;
            }

            return true;
        }

        if (IsOpaqueKey(key))
        {
            if (ValueSchemaValidationConfig.Problem(key, value) is { } invalid)
            {
                errors.Add($"Invalid value '{value}' for {what}config '{key}': {invalid}.");
                return false;
            }

            return true;
        }

        errors.Add($"Unknown topic config '{key}' ({what}); supported keys are {string.Join(", ", DefinitionList.Select(d => d.Name))} and any key starting with confluent. or meshwork.");
        return false;
    }

    private string Get(string key) => this[key]!.Trim();

    private long GetLong(string key) => long.Parse(Get(key), CultureInfo.InvariantCulture);

    private int GetInt(string key) => int.Parse(Get(key), CultureInfo.InvariantCulture);

    private static Func<string, string?> LongAtLeast(long min) => value =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) && parsed >= min
            ? null
            : $"expected a 64-bit integer in [{min}, {long.MaxValue}]";

    private static Func<string, string?> IntAtLeast(int min) => value =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) && parsed >= min
            ? null
            : $"expected a 32-bit integer in [{min}, {int.MaxValue}]";

    private static Func<string, string?> DoubleBetween(double min, double max) => value =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max
            ? null
            : $"expected a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]";

    private static Func<string, string?> OneOf(params string[] allowed) => value =>
        Array.IndexOf(allowed, value) >= 0 ? null : $"expected one of {string.Join(", ", allowed)}";

    private static string? ValidateBoolean(string value) =>
        value is "true" or "false" ? null : "expected true or false";

    private static string? ValidateCleanupPolicy(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        foreach (var part in parts)
        {
            if (part is not ("delete" or "compact"))
            {
                return "expected delete, compact or compact,delete";
            }
        }

        return parts.Length is 1 or 2 && parts.Distinct(StringComparer.Ordinal).Count() == parts.Length
            ? null
            : "expected delete, compact or compact,delete";
    }
}
