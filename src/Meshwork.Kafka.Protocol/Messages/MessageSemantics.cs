namespace Meshwork.Kafka.Protocol.Messages;

// Hand-written helpers for wire conventions that the field definitions alone do not make obvious.

/// <content>Acks values and the records ownership rule.</content>
public sealed partial class ProduceRequest
{
    /// <summary>acks=0: the broker sends no response at all (and closes the connection on error).</summary>
    public const short AcksNone = 0;

    /// <summary>acks=1: answer once the leader has appended.</summary>
    public const short AcksLeader = 1;

    /// <summary>acks=-1 (all): answer once all in-sync replicas have appended.</summary>
    public const short AcksAll = -1;

    /// <summary>True when the broker must not send a response.</summary>
    public bool ExpectsNoResponse => Acks == AcksNone;
}

/// <content>The "all topics" convention, which changed in version 1.</content>
public sealed partial class MetadataRequest
{
    /// <summary>
    /// True when the client asks for every topic: an empty array in v0, a null array in v1+ (where an empty
    /// array means "no topics", used by clients to fetch only brokers and the controller).
    /// </summary>
    public bool RequestsAllTopics(short version) => version == 0 ? Topics is null or { Count: 0 } : Topics is null;
}

/// <content>The "all topics" convention.</content>
public sealed partial class OffsetFetchRequest
{
    /// <summary>True when the client asks for the offsets of every topic (a null array, v2+).</summary>
    public bool RequestsAllTopics => Topics is null;
}

/// <content>Values the librdkafka parser insists on.</content>
public sealed partial class FetchResponse
{
    /// <summary>
    /// No preferred read replica (v11+). Anything else makes librdkafka redirect fetches to an unknown broker
    /// (tansu/nisshi #62).
    /// </summary>
    public const int NoPreferredReadReplica = -1;

    /// <summary>SessionId 0 declines incremental fetch sessions (KIP-227), which librdkafka never uses.</summary>
    public const int NoFetchSession = 0;
}
