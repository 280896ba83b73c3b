namespace Meshwork.Lake.Manifests;

/// <summary>What a content file holds (<c>content</c>, field 134).</summary>
public enum FileContent
{
    /// <summary>Table rows.</summary>
    Data = 0,

    /// <summary>(file_path, pos) pairs of deleted rows.</summary>
    PositionDeletes = 1,

    /// <summary>Values of the equality columns of deleted rows.</summary>
    EqualityDeletes = 2,
}

/// <summary>What a manifest lists (<c>content</c>, field 517).</summary>
public enum ManifestContent
{
    /// <summary>Data files.</summary>
    Data = 0,

    /// <summary>Delete files.</summary>
    Deletes = 1,
}

/// <summary>A manifest entry's status (field 0).</summary>
public enum EntryStatus
{
    /// <summary>Carried over from an earlier snapshot.</summary>
    Existing = 0,

    /// <summary>Added by the manifest's snapshot.</summary>
    Added = 1,

    /// <summary>Removed by the manifest's snapshot.</summary>
    Deleted = 2,
}

/// <summary>A data or delete file as a manifest describes it (the <c>data_file</c> struct, v2).</summary>
public sealed record DataFile
{
    /// <summary>Data, position deletes or equality deletes.</summary>
    public FileContent Content { get; init; }

    /// <summary>Full URI of the file.</summary>
    public required string Path { get; init; }

    /// <summary>File format name, upper case as Java writes it.</summary>
    public string Format { get; init; } = "PARQUET";

    /// <summary>The partition spec the file was written with.</summary>
    public int SpecId { get; init; }

    /// <summary>The partition tuple, one value per field of the spec (the value model of <see cref="Metadata.Values"/>).</summary>
    public IReadOnlyList<object?> Partition { get; init; } = [];

    /// <summary>Rows in the file.</summary>
    public long RecordCount { get; init; }

    /// <summary>File size in bytes.</summary>
    public long FileSizeInBytes { get; init; }

    /// <summary>Bytes per column id (compressed column chunks).</summary>
    public IReadOnlyDictionary<int, long>? ColumnSizes { get; init; }

    /// <summary>Values (including nulls) per column id.</summary>
    public IReadOnlyDictionary<int, long>? ValueCounts { get; init; }

    /// <summary>Nulls per column id.</summary>
    public IReadOnlyDictionary<int, long>? NullValueCounts { get; init; }

    /// <summary>NaNs per float/double column id.</summary>
    public IReadOnlyDictionary<int, long>? NanValueCounts { get; init; }

    /// <summary>Lower bounds per column id, in the single-value serialization.</summary>
    public IReadOnlyDictionary<int, byte[]>? LowerBounds { get; init; }

    /// <summary>Upper bounds per column id, in the single-value serialization.</summary>
    public IReadOnlyDictionary<int, byte[]>? UpperBounds { get; init; }

    /// <summary>Row-group start offsets, ascending.</summary>
    public IReadOnlyList<long>? SplitOffsets { get; init; }

    /// <summary>For equality deletes: the field ids compared.</summary>
    public IReadOnlyList<int>? EqualityIds { get; init; }

    /// <summary>The sort order the file was written with (null for position deletes).</summary>
    public int? SortOrderId { get; init; }

    /// <summary>For position deletes that target one data file: its path.</summary>
    public string? ReferencedDataFile { get; init; }
}

/// <summary>One manifest entry, with sequence numbers resolved (inherited from the manifest list when null on disk).</summary>
/// <param name="Status">Existing, added or deleted.</param>
/// <param name="SnapshotId">The snapshot that added (or deleted) the file.</param>
/// <param name="SequenceNumber">The data sequence number.</param>
/// <param name="FileSequenceNumber">The sequence number of the commit that wrote the file.</param>
/// <param name="File">The file.</param>
public sealed record ManifestEntry(EntryStatus Status, long? SnapshotId, long? SequenceNumber, long? FileSequenceNumber, DataFile File);

/// <summary>The summary of one partition field over a manifest's files.</summary>
/// <param name="ContainsNull">Whether any file has a null for the field.</param>
/// <param name="ContainsNan">Whether any file has NaN (float fields).</param>
/// <param name="LowerBound">Lowest non-null value, serialized.</param>
/// <param name="UpperBound">Highest non-null value, serialized.</param>
public sealed record PartitionFieldSummary(bool ContainsNull, bool? ContainsNan, byte[]? LowerBound, byte[]? UpperBound);

/// <summary>One manifest list entry (the <c>manifest_file</c> struct, v2).</summary>
public sealed record ManifestFile
{
    /// <summary>Location of the manifest.</summary>
    public required string Path { get; init; }

    /// <summary>Size of the manifest in bytes.</summary>
    public long Length { get; init; }

    /// <summary>The spec of every file in the manifest.</summary>
    public int SpecId { get; init; }

    /// <summary>Data or deletes.</summary>
    public ManifestContent Content { get; init; }

    /// <summary>Sequence number of the snapshot that added the manifest.</summary>
    public long SequenceNumber { get; init; }

    /// <summary>Lowest data sequence number of the live files in the manifest.</summary>
    public long MinSequenceNumber { get; init; }

    /// <summary>The snapshot that added the manifest.</summary>
    public long AddedSnapshotId { get; init; }

    /// <summary>Entries with status ADDED.</summary>
    public int AddedFilesCount { get; init; }

    /// <summary>Entries with status EXISTING.</summary>
    public int ExistingFilesCount { get; init; }

    /// <summary>Entries with status DELETED.</summary>
    public int DeletedFilesCount { get; init; }

    /// <summary>Rows in ADDED entries.</summary>
    public long AddedRowsCount { get; init; }

    /// <summary>Rows in EXISTING entries.</summary>
    public long ExistingRowsCount { get; init; }

    /// <summary>Rows in DELETED entries.</summary>
    public long DeletedRowsCount { get; init; }

    /// <summary>Per partition field: nulls, NaNs and bounds.</summary>
    public IReadOnlyList<PartitionFieldSummary>? Partitions { get; init; }
}
