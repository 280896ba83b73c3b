namespace Meshwork.Processing;

/// <summary>The states of a product's materialization (<see cref="MaterializationStatus.State"/>).</summary>
public static class MaterializationState
{
    /// <summary>Opening or creating the tables.</summary>
    public const string Starting = "starting";

    /// <summary>Consuming: records are pending or the topic is ahead of the tables.</summary>
    public const string Running = "running";

    /// <summary>Every record up to the end of the topic is in both tables.</summary>
    public const string CaughtUp = "caught-up";

    /// <summary>The last attempt failed (see <see cref="MaterializationStatus.LastError"/>); it starts over from the tables after a back-off.</summary>
    public const string Failed = "failed";
}

/// <summary>Where one of a product's tables is.</summary>
/// <param name="Table">The table, <c>domain.name</c>.</param>
/// <param name="SnapshotId">Its current snapshot, or null before the first commit.</param>
/// <param name="LastCommitAt">When that snapshot was committed.</param>
/// <param name="SchemaVersion">The registry version of the product's subject the table follows.</param>
/// <param name="Offsets">The offsets it has consumed (next offset to read, per partition), from its snapshot summary.</param>
public sealed record TableStatus(string Table, long? SnapshotId, DateTimeOffset? LastCommitAt, int SchemaVersion, IReadOnlyDictionary<int, long> Offsets);

/// <summary>How far one product's materialization is (<c>GET /api/v1/products/{name}/materialization</c>).</summary>
/// <param name="Product">The product, <c>domain.id</c>.</param>
/// <param name="Topic">The topic it is read from.</param>
/// <param name="Group">The consumer group its progress is committed to (for <c>mesh groups</c>; never resumed from).</param>
/// <param name="State">One of <see cref="MaterializationState"/>.</param>
/// <param name="Current">The current-state table, or null for a product without key fields.</param>
/// <param name="History">The history table, or null before the tables were opened.</param>
/// <param name="CommittedOffsets">Per partition, the offset both tables have consumed up to (the lower of the two).</param>
/// <param name="EndOffsets">Per partition, the end of the topic as last fetched.</param>
/// <param name="Lag">Records in the topic not yet in both tables: the sum over partitions of end minus committed.</param>
/// <param name="LastCommitAt">When the last commit (of either table) happened, or null.</param>
/// <param name="RecordsCommitted">Records committed since the materializer started.</param>
/// <param name="RecordsSkipped">Records that could not be materialized (undecodable, a key that does not parse) since start; each is logged.</param>
/// <param name="LastError">The last failure's message, or null.</param>
/// <param name="LastErrorAt">When it happened.</param>
public sealed record MaterializationStatus(
    string Product,
    string Topic,
    string Group,
    string State,
    TableStatus? Current,
    TableStatus? History,
    IReadOnlyDictionary<int, long> CommittedOffsets,
    IReadOnlyDictionary<int, long> EndOffsets,
    long Lag,
    DateTimeOffset? LastCommitAt,
    long RecordsCommitted,
    long RecordsSkipped,
    string? LastError,
    DateTimeOffset? LastErrorAt);
