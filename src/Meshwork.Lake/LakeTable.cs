using System.Globalization;
using System.Security.Cryptography;
using Meshwork.Formats.Parquet;
using Meshwork.Lake.IO;
using Meshwork.Lake.Manifests;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake;

/// <summary>
/// An Iceberg v2 table. Writes go through <see cref="NewTransaction"/> (append, upsert by key, delete by key or by
/// predicate, summary properties: one atomic commit); reads through <see cref="ReadAsync"/> (rows at the current or a
/// named snapshot, deletes applied); upkeep through <see cref="CompactAsync"/>, <see cref="ExpireSnapshotsAsync"/> and
/// <see cref="RemoveOrphanFilesAsync"/>.
/// </summary>
public sealed class LakeTable
{
    /// <summary>Table property: Parquet codec of new files (<c>zstd</c>, <c>snappy</c>, <c>gzip</c>, <c>uncompressed</c>).</summary>
    public const string CompressionProperty = "write.parquet.compression-codec";

    /// <summary>Table property: target row-group size in bytes.</summary>
    public const string RowGroupSizeProperty = "write.parquet.row-group-size-bytes";

    /// <summary>Table property: target page size in bytes.</summary>
    public const string PageSizeProperty = "write.parquet.page-size-bytes";

    /// <summary>Table property: how many times a conflicting commit is retried.</summary>
    public const string CommitRetriesProperty = "commit.retry.num-retries";

    private const int DefaultRetries = 4;

    internal LakeTable(TableIdentifier? identifier, ITableOperations operations, TableState state, TimeProvider time)
    {
        Identifier = identifier;
        Operations = operations;
        State = state;
        Time = time;
    }

    /// <summary>The table's name in its catalog, or null for a table opened by location.</summary>
    public TableIdentifier? Identifier { get; }

    /// <summary>How metadata is read and swapped.</summary>
    public ITableOperations Operations { get; }

    /// <summary>The file IO of the table.</summary>
    public IFileIO FileIO => Operations.FileIO;

    /// <summary>The metadata as last read or committed.</summary>
    public TableMetadata Metadata => State.Metadata;

    /// <summary>The current metadata file's location.</summary>
    public string MetadataLocation => State.Location;

    /// <summary>The table's base location.</summary>
    public string Location => Metadata.Location;

    /// <summary>The current schema.</summary>
    public IcebergSchema Schema => Metadata.CurrentSchema;

    /// <summary>The current snapshot, or null before the first commit.</summary>
    public Snapshot? CurrentSnapshot => Metadata.CurrentSnapshot;

    internal TableState State { get; private set; }

    internal TimeProvider Time { get; }

    /// <summary>Creates a table in the file-system layout at <paramref name="location"/> (no catalog).</summary>
    public static async Task<LakeTable> CreateAsync(IFileIO io, string location, IcebergSchema schema, PartitionSpec? spec = null,
        IReadOnlyDictionary<string, string>? properties = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(io);
        time ??= TimeProvider.System;
        var operations = new FileSystemTableOperations(io, location);
        if (await operations.RefreshAsync(cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new TableAlreadyExistsException($"a table already exists at {location}");
        }

        var metadata = TableMetadata.Create(location, schema, spec, null, properties, time.GetUtcNow().ToUnixTimeMilliseconds());
        var state = await operations.CommitAsync(null, metadata, cancellationToken).ConfigureAwait(false);
        return new LakeTable(null, operations, state, time);
    }

    /// <summary>Opens the file-system-layout table at <paramref name="location"/>.</summary>
    public static async Task<LakeTable> LoadAsync(IFileIO io, string location, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var operations = new FileSystemTableOperations(io, location);
        var state = await operations.RefreshAsync(cancellationToken).ConfigureAwait(false) ?? throw new NoSuchTableException($"no table at {location}");
        return new LakeTable(null, operations, state, time ?? TimeProvider.System);
    }

    /// <summary>Re-reads the current metadata.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default) =>
        State = await Operations.RefreshAsync(cancellationToken).ConfigureAwait(false) ?? throw new NoSuchTableException($"table {Identifier?.ToString() ?? Location} no longer exists");

    /// <summary>Starts a write: everything added to it lands in one snapshot when <see cref="LakeTransaction.CommitAsync"/> succeeds.</summary>
    public LakeTransaction NewTransaction() => new(this);

    /// <summary>
    /// Makes <paramref name="schema"/> the current schema (see <see cref="SchemaMapper"/> to derive it from a registry version;
    /// ids must be stable). A schema identical to an existing one is reused.
    /// </summary>
    public Task<IcebergSchema> UpdateSchemaAsync(IcebergSchema schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return CommitMetadataAsync(m => m.WithCurrentSchema(schema, Now()), m => m.CurrentSchema, cancellationToken);
    }

    /// <summary>Sets table properties.</summary>
    public Task SetPropertiesAsync(IReadOnlyDictionary<string, string> properties, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return CommitMetadataAsync(m =>
        {
            var merged = new Dictionary<string, string>(m.Properties);
            foreach (var (k, v) in properties)
            {
                merged[k] = v;
            }

            return m with { Properties = merged, LastUpdatedMs = Now() };
        }, _ => true, cancellationToken);
    }

    /// <summary>Reads the rows of the current snapshot, or of <paramref name="snapshotId"/>, with every delete applied.</summary>
    public Task<TableRows> ReadAsync(long? snapshotId = null, CancellationToken cancellationToken = default) =>
        TableReader.ReadAsync(this, snapshotId, cancellationToken);

    /// <summary>Reads the rows of the newest snapshot at or before <paramref name="time"/>.</summary>
    public Task<TableRows> ReadAsOfAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        var ms = time.ToUnixTimeMilliseconds();
        var entry = Metadata.SnapshotLog.LastOrDefault(e => e.TimestampMs <= ms)
            ?? throw new ArgumentOutOfRangeException(nameof(time), time, $"table {Identifier?.ToString() ?? Location} has no snapshot at or before {time:O}");
        return ReadAsync(entry.SnapshotId, cancellationToken);
    }

    /// <summary>The manifest entries of live files (data and deletes) of a snapshot.</summary>
    public Task<IReadOnlyList<ManifestEntry>> LiveFilesAsync(long? snapshotId = null, CancellationToken cancellationToken = default) =>
        TableReader.LiveEntriesAsync(this, Metadata, snapshotId ?? Metadata.CurrentSnapshotId, cancellationToken);

    /// <summary>Rewrites all live rows into new data files without deletes (a <c>replace</c> snapshot); returns it, or null when empty.</summary>
    public Task<Snapshot?> CompactAsync(CancellationToken cancellationToken = default) => TableMaintenance.CompactAsync(this, cancellationToken);

    /// <summary>
    /// Removes snapshots older than <paramref name="olderThan"/> except the newest <paramref name="retainLast"/> of the main branch,
    /// then deletes the files only they referenced. Returns the locations deleted.
    /// </summary>
    public Task<IReadOnlyList<string>> ExpireSnapshotsAsync(DateTimeOffset olderThan, int retainLast = 1, CancellationToken cancellationToken = default) =>
        TableMaintenance.ExpireSnapshotsAsync(this, olderThan, retainLast, cancellationToken);

    /// <summary>
    /// Deletes files under the table location that no metadata references and that are older than <paramref name="olderThan"/>
    /// (so files of commits in flight survive). Returns the locations deleted.
    /// </summary>
    public Task<IReadOnlyList<string>> RemoveOrphanFilesAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default) =>
        TableMaintenance.RemoveOrphanFilesAsync(this, olderThan, cancellationToken);

    /// <summary>
    /// Every file the table's metadata references that does not exist: the current metadata file, the previous ones in
    /// the metadata log, and of every snapshot its manifest list, manifests and live data and delete files. Empty for an
    /// intact table; what a check after a crash or a copy asks.
    /// </summary>
    public Task<IReadOnlyList<string>> MissingFilesAsync(CancellationToken cancellationToken = default) =>
        TableMaintenance.MissingFilesAsync(this, cancellationToken);

    internal long Now() => Time.GetUtcNow().ToUnixTimeMilliseconds();

    internal int Retries => (int)Metadata.Property(CommitRetriesProperty, DefaultRetries);

    internal ParquetWriterOptions WriterOptions(TableMetadata metadata) => new()
    {
        Compression = metadata.Properties.GetValueOrDefault(CompressionProperty, "zstd").ToLowerInvariant() switch
        {
            "zstd" => ParquetCompression.Zstd,
            "snappy" => ParquetCompression.Snappy,
            "gzip" => ParquetCompression.Gzip,
            "uncompressed" or "none" => ParquetCompression.Uncompressed,
            var other => throw new ArgumentException($"table property {CompressionProperty}={other} is not supported (zstd, snappy, gzip, uncompressed)"),
        },
        RowGroupSize = ParquetRowGroupSize.Bytes(metadata.Property(RowGroupSizeProperty, 128L << 20)),
        PageSize = (int)metadata.Property(PageSizeProperty, 1 << 20),
    };

    /// <summary>
    /// A random positive snapshot id below 2^53: JSON readers that parse numbers as doubles (every JavaScript
    /// reader, icebird included) then still see the exact id.
    /// </summary>
    internal static long NewSnapshotId(TableMetadata metadata)
    {
        const long MaxSafeInteger = (1L << 53) - 1;
        Span<byte> bytes = stackalloc byte[8];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            var id = (long)(BitConverter.ToUInt64(bytes) % MaxSafeInteger) + 1;
            if (metadata.Snapshots.All(s => s.SnapshotId != id))
            {
                return id;
            }
        }
    }

    /// <summary>Applies <paramref name="change"/> to fresh metadata and swaps it in, retrying on conflicts.</summary>
    internal async Task<T> CommitMetadataAsync<T>(Func<TableMetadata, TableMetadata> change, Func<TableMetadata, T> result, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var @base = State;
            var updated = change(@base.Metadata);
            try
            {
                State = ReferenceEquals(updated, @base.Metadata) ? @base : await Operations.CommitAsync(@base, updated, cancellationToken).ConfigureAwait(false);
                return result(State.Metadata);
            }
            catch (CommitConflictException) when (attempt < Retries)
            {
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal void Adopt(TableState state) => State = state;

    internal static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A table's rows at a snapshot, with the schema they follow.</summary>
/// <param name="Schema">The schema of the rows (the snapshot's).</param>
/// <param name="Snapshot">The snapshot read, or null for an empty table.</param>
/// <param name="Rows">One value per schema field, in the value model of <see cref="Values"/>.</param>
public sealed record TableRows(IcebergSchema Schema, Snapshot? Snapshot, IReadOnlyList<object?[]> Rows);
