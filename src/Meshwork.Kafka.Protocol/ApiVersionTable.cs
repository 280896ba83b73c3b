using System.Collections.Frozen;

namespace Meshwork.Kafka.Protocol;

/// <summary>
/// The version ranges the broker advertises, exactly the recommendation of kafka-wire.md §1.7.
/// Low versions stay advertised on purpose: librdkafka before 2.11.1 enables compression, SASL and
/// consumer groups only when specific low versions (Produce 0, SaslHandshake 0, JoinGroup 0, ...) are in range.
/// </summary>
public static class ApiVersionTable
{
    /// <summary>
    /// Produce versions below this are advertised (librdkafka's gzip/snappy/lz4 check needs Produce v0 in range)
    /// but carry message format v0/v1, which the broker rejects, as Kafka 4.0 does.
    /// </summary>
    public const short FirstImplementedProduceVersion = 3;

    private static readonly ApiVersionRange[] Ranges =
    [
        new(ApiKey.Produce, 0, 9, 9),
        new(ApiKey.Fetch, 4, 12, 12),
        new(ApiKey.ListOffsets, 0, 7, 6),
        new(ApiKey.Metadata, 0, 12, 9),
        new(ApiKey.OffsetCommit, 0, 8, 8),
        new(ApiKey.OffsetFetch, 0, 7, 6),
        new(ApiKey.FindCoordinator, 0, 3, 3),
        new(ApiKey.JoinGroup, 0, 7, 6),
        new(ApiKey.Heartbeat, 0, 4, 4),
        new(ApiKey.LeaveGroup, 0, 4, 4),
        new(ApiKey.SyncGroup, 0, 5, 4),
        new(ApiKey.DescribeGroups, 0, 5, 5),
        new(ApiKey.ListGroups, 0, 4, 3),
        new(ApiKey.SaslHandshake, 0, 1, ApiVersionRange.NeverFlexible),
        new(ApiKey.ApiVersions, 0, 3, 3),
        new(ApiKey.CreateTopics, 0, 5, 5),
        new(ApiKey.DeleteTopics, 0, 4, 4),
        new(ApiKey.DeleteRecords, 0, 2, 2),
        new(ApiKey.InitProducerId, 0, 4, 2),
        new(ApiKey.DescribeConfigs, 0, 4, 4),
        new(ApiKey.AlterConfigs, 0, 2, 2),
        new(ApiKey.SaslAuthenticate, 0, 2, 2),
        new(ApiKey.CreatePartitions, 0, 3, 2),
        new(ApiKey.DeleteGroups, 0, 2, 2),
        new(ApiKey.IncrementalAlterConfigs, 0, 1, 1),
        new(ApiKey.OffsetDelete, 0, 0, ApiVersionRange.NeverFlexible),
    ];

    private static readonly FrozenDictionary<ApiKey, ApiVersionRange> ByKey = Ranges.ToFrozenDictionary(r => r.ApiKey);

    /// <summary>Every supported API, in ascending key order (the order ApiVersions responses list them).</summary>
    public static IReadOnlyList<ApiVersionRange> All { get; } = [.. Ranges.OrderBy(r => r.ApiKey)];

    /// <summary>Looks up the range for a raw API key read from the wire.</summary>
    public static bool TryGet(short apiKey, out ApiVersionRange range) => ByKey.TryGetValue((ApiKey)apiKey, out range);

    /// <summary>Returns the range for a known API.</summary>
    public static ApiVersionRange Get(ApiKey apiKey) =>
        ByKey.TryGetValue(apiKey, out var range)
            ? range
            : throw new ArgumentOutOfRangeException(nameof(apiKey), apiKey, "API is not supported by Meshwork.");

    /// <summary>True when the API is known and <paramref name="version"/> is advertised.</summary>
    public static bool IsSupported(ApiKey apiKey, short version) =>
        ByKey.TryGetValue(apiKey, out var range) && range.Supports(version);

    /// <summary>
    /// Request header version for a request: v2 for flexible bodies, else v1. Versions above the advertised
    /// maximum are still classified by the flexible threshold, so an ApiVersions v4 header parses (KIP-511).
    /// </summary>
    public static short RequestHeaderVersion(ApiKey apiKey, short version) =>
        Get(apiKey).IsFlexible(version) ? RequestHeader.FlexibleVersion : RequestHeader.ClientIdVersion;

    /// <summary>
    /// Response header version: v1 for flexible bodies, else v0 — except ApiVersions, which always uses v0 so a
    /// client can parse it before it knows what the broker supports (KIP-511; one stray tagged-field byte here
    /// makes librdkafka misparse the whole response).
    /// </summary>
    public static short ResponseHeaderVersion(ApiKey apiKey, short version) =>
        apiKey != ApiKey.ApiVersions && Get(apiKey).IsFlexible(version) ? ResponseHeader.FlexibleVersion : (short)0;
}
