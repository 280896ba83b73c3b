namespace Meshwork.Lake.Metadata;

/// <summary>The snapshot operations of the spec.</summary>
public static class SnapshotOperation
{
    /// <summary>Only data files were added.</summary>
    public const string Append = "append";

    /// <summary>Files were replaced without changing the data (compaction).</summary>
    public const string Replace = "replace";

    /// <summary>Data files were added and rows deleted (upserts).</summary>
    public const string Overwrite = "overwrite";

    /// <summary>Only deletes were added or files removed.</summary>
    public const string Delete = "delete";
}

/// <summary>A snapshot: the state of a table after one commit.</summary>
/// <param name="SnapshotId">A positive, unique id.</param>
/// <param name="ParentSnapshotId">The snapshot this one was committed on, if any.</param>
/// <param name="SequenceNumber">The data sequence number of files added by this snapshot.</param>
/// <param name="TimestampMs">Commit time, milliseconds since the epoch.</param>
/// <param name="ManifestList">Location of the manifest list.</param>
/// <param name="Summary">The summary: <c>operation</c>, metrics and caller properties (e.g. consumed Kafka offsets).</param>
/// <param name="SchemaId">The schema current at commit time.</param>
public sealed record Snapshot(
    long SnapshotId,
    long? ParentSnapshotId,
    long SequenceNumber,
    long TimestampMs,
    string ManifestList,
    IReadOnlyDictionary<string, string> Summary,
    int? SchemaId)
{
    /// <summary>The summary's operation.</summary>
    public string Operation => Summary.GetValueOrDefault("operation") ?? SnapshotOperation.Append;
}

/// <summary>An entry of the snapshot log.</summary>
public sealed record SnapshotLogEntry(long TimestampMs, long SnapshotId);

/// <summary>An entry of the metadata log: a previous metadata file.</summary>
public sealed record MetadataLogEntry(long TimestampMs, string MetadataFile);

/// <summary>A named reference (branch or tag) to a snapshot.</summary>
/// <param name="SnapshotId">The referenced snapshot.</param>
/// <param name="Type"><c>branch</c> or <c>tag</c>.</param>
/// <param name="MaxRefAgeMs">For tags and branches: how long the ref is kept.</param>
/// <param name="MaxSnapshotAgeMs">For branches: snapshot retention.</param>
/// <param name="MinSnapshotsToKeep">For branches: snapshots always kept.</param>
public sealed record SnapshotRef(long SnapshotId, string Type = "branch", long? MaxRefAgeMs = null, long? MaxSnapshotAgeMs = null, int? MinSnapshotsToKeep = null)
{
    /// <summary>The main branch's name.</summary>
    public const string Main = "main";
}
