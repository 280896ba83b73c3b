namespace Meshwork.Kafka.Protocol;

/// <summary>The Kafka API keys this protocol layer implements (no transactional APIs).</summary>
public enum ApiKey : short
{
    /// <summary>Produce (0).</summary>
    Produce = 0,

    /// <summary>Fetch (1).</summary>
    Fetch = 1,

    /// <summary>ListOffsets (2).</summary>
    ListOffsets = 2,

    /// <summary>Metadata (3).</summary>
    Metadata = 3,

    /// <summary>OffsetCommit (8).</summary>
    OffsetCommit = 8,

    /// <summary>OffsetFetch (9).</summary>
    OffsetFetch = 9,

    /// <summary>FindCoordinator (10).</summary>
    FindCoordinator = 10,

    /// <summary>JoinGroup (11).</summary>
    JoinGroup = 11,

    /// <summary>Heartbeat (12).</summary>
    Heartbeat = 12,

    /// <summary>LeaveGroup (13).</summary>
    LeaveGroup = 13,

    /// <summary>SyncGroup (14).</summary>
    SyncGroup = 14,

    /// <summary>DescribeGroups (15).</summary>
    DescribeGroups = 15,

    /// <summary>ListGroups (16).</summary>
    ListGroups = 16,

    /// <summary>SaslHandshake (17).</summary>
    SaslHandshake = 17,

    /// <summary>ApiVersions (18).</summary>
    ApiVersions = 18,

    /// <summary>CreateTopics (19).</summary>
    CreateTopics = 19,

    /// <summary>DeleteTopics (20).</summary>
    DeleteTopics = 20,

    /// <summary>DeleteRecords (21).</summary>
    DeleteRecords = 21,

    /// <summary>InitProducerId (22).</summary>
    InitProducerId = 22,

    /// <summary>DescribeConfigs (32).</summary>
    DescribeConfigs = 32,

    /// <summary>AlterConfigs (33).</summary>
    AlterConfigs = 33,

    /// <summary>SaslAuthenticate (36).</summary>
    SaslAuthenticate = 36,

    /// <summary>CreatePartitions (37).</summary>
    CreatePartitions = 37,

    /// <summary>DeleteGroups (42).</summary>
    DeleteGroups = 42,

    /// <summary>IncrementalAlterConfigs (44).</summary>
    IncrementalAlterConfigs = 44,

    /// <summary>OffsetDelete (47).</summary>
    OffsetDelete = 47,
}
