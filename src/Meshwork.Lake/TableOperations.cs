using System.Globalization;
using System.Text;
using Meshwork.Lake.IO;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake;

/// <summary>A table's current metadata and the file it was read from.</summary>
/// <param name="Metadata">The metadata.</param>
/// <param name="Location">The metadata file's location.</param>
public sealed record TableState(TableMetadata Metadata, string Location);

/// <summary>
/// How a table's current metadata is found and atomically replaced. Two implementations: the file-system layout
/// (<see cref="FileSystemTableOperations"/>, <c>version-hint.text</c> + <c>v{N}.metadata.json</c>) and the catalog
/// (<see cref="LakeCatalog"/>, a row in the metadata store swapped with compare-and-swap).
/// </summary>
public interface ITableOperations
{
    /// <summary>Where the table's files are read and written.</summary>
    IFileIO FileIO { get; }

    /// <summary>The current state, or null when the table does not exist.</summary>
    Task<TableState?> RefreshAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces <paramref name="base"/> (null to create the table) with <paramref name="updated"/> and returns the new state;
    /// throws <see cref="CommitConflictException"/> when the table is no longer at <paramref name="base"/>.
    /// </summary>
    Task<TableState> CommitAsync(TableState? @base, TableMetadata updated, CancellationToken cancellationToken = default);
}

/// <summary>Names and writes versioned metadata files: <c>metadata/v{N}.metadata.json</c> plus <c>metadata/version-hint.text</c>.</summary>
public static class MetadataFiles
{
    /// <summary>The name of the file holding the current version number.</summary>
    public const string VersionHint = "version-hint.text";

    /// <summary>How many previous metadata files the metadata log keeps (Iceberg's <c>write.metadata.previous-versions-max</c>).</summary>
    public const string PreviousVersionsMax = "write.metadata.previous-versions-max";

    /// <summary>
    /// Iceberg's table property <c>write.metadata.delete-after-commit.enabled</c>: <c>true</c> deletes the metadata files
    /// a commit drops from the metadata log, so a table committed every second does not keep every version forever.
    /// </summary>
    public const string DeleteAfterCommit = "write.metadata.delete-after-commit.enabled";

    private const int DefaultPreviousVersions = 100;

    // Bounds the search for a free version number; each taken one is a writer that died or one racing us.
    private const int MaxSkippedVersions = 100;

    /// <summary>The location of version <paramref name="version"/>'s metadata file.</summary>
    public static string Location(string tableLocation, int version) => string.Create(CultureInfo.InvariantCulture, $"{tableLocation.TrimEnd('/')}/metadata/v{version}.metadata.json");

    /// <summary>The version of a <c>v{N}.metadata.json</c> location (0 when it is not one).</summary>
    public static int Version(string? location)
    {
        if (location is null)
        {
            return 0;
        }

        var name = location[(location.LastIndexOf('/') + 1)..];
        return name.StartsWith('v') && name.EndsWith(".metadata.json", StringComparison.Ordinal)
            && int.TryParse(name[1..^".metadata.json".Length], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    /// <summary>
    /// Writes the next version's metadata file exclusively (the compare-and-swap of the file-system layout) and then the
    /// version hint. Returns the new state; throws <see cref="CommitConflictException"/> when that version exists —
    /// unless <paramref name="skipTakenVersions"/>, for tables whose compare-and-swap is elsewhere (a catalog): then a
    /// taken version is passed over for the next free one.
    /// </summary>
    public static async Task<TableState> WriteNextAsync(IFileIO io, TableState? @base, TableMetadata updated, CancellationToken cancellationToken, bool skipTakenVersions = false)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(updated);
        if (@base is not null)
        {
            var keep = (int)updated.Property(PreviousVersionsMax, DefaultPreviousVersions);
            var log = updated.MetadataLog.Append(new MetadataLogEntry(@base.Metadata.LastUpdatedMs, @base.Location)).ToList();
            updated = updated with { MetadataLog = log.Skip(Math.Max(0, log.Count - keep)).ToList() };
        }

        var version = Version(@base?.Location) + 1;
        if (@base is null)
        {
            // A table created again where a dropped (unpurged) one lived continues its version numbers.
            await foreach (var file in io.ListAsync($"{updated.Location}/metadata/", cancellationToken).ConfigureAwait(false))
            {
                version = Math.Max(version, Version(file.Location) + 1);
            }
        }

        var json = Encoding.UTF8.GetBytes(updated.ToJson());
        string location;
        for (var attempt = 0; ; attempt++, version++)
        {
            location = Location(updated.Location, version);
            try
            {
                await io.WriteAsync(location, json, overwrite: false, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (LakeFileExistsException) when (skipTakenVersions && attempt < MaxSkippedVersions)
            {
                // A writer that died between writing this file and swapping the catalog left it behind (or a concurrent
                // writer is about to swap it in, and then the catalog's compare-and-swap fails one of us): either way
                // the catalog, not the file, decides, and reusing the number would fail forever.
            }
            catch (LakeFileExistsException)
            {
                throw new CommitConflictException($"{location} was written by a concurrent commit");
            }
        }

        // The hint is only an optimisation for readers (icebird reads it); readers probe past it.
        await io.WriteAsync($"{updated.Location}/metadata/{VersionHint}", Encoding.UTF8.GetBytes(version.ToString(CultureInfo.InvariantCulture)), overwrite: true, cancellationToken).ConfigureAwait(false);
        return new TableState(updated, location);
    }

    /// <summary>
    /// After a successful commit from <paramref name="base"/> to <paramref name="committed"/>: when the table sets
    /// <see cref="DeleteAfterCommit"/>, deletes the metadata files that dropped out of the metadata log. Best effort —
    /// the commit has happened, so a failure here leaves orphans for <see cref="LakeTable.RemoveOrphanFilesAsync"/>
    /// rather than failing it, and it is not cancellable for the same reason.
    /// </summary>
    public static async Task DeleteRemovedAsync(IFileIO io, TableState? @base, TableState committed)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(committed);
        if (@base is null || !committed.Metadata.Properties.TryGetValue(DeleteAfterCommit, out var enabled) || !string.Equals(enabled, "true", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var kept = committed.Metadata.MetadataLog.Select(e => e.MetadataFile).Append(committed.Location).ToHashSet(StringComparer.Ordinal);
        foreach (var removed in @base.Metadata.MetadataLog.Select(e => e.MetadataFile).Where(f => !kept.Contains(f)))
        {
            try
            {
                await io.DeleteAsync(removed, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Amazon.Runtime.AmazonServiceException)
            {
                // See above: never turn a commit that happened into a failure.
            }
        }
    }

    /// <summary>Reads and parses a metadata file.</summary>
    public static async Task<TableMetadata> ReadAsync(IFileIO io, string location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(io);
        var bytes = await io.ReadAllBytesAsync(location, cancellationToken).ConfigureAwait(false);
        return TableMetadata.FromJson(Encoding.UTF8.GetString(bytes), location);
    }
}

/// <summary>
/// A table kept by the file-system layout alone (no catalog): the newest <c>metadata/v{N}.metadata.json</c> is current,
/// and a commit is the exclusive creation of version N+1. Safe on local disk and on S3 with conditional writes.
/// </summary>
public sealed class FileSystemTableOperations(IFileIO io, string tableLocation) : ITableOperations
{
    /// <inheritdoc/>
    public IFileIO FileIO { get; } = io;

    /// <summary>The table's base location.</summary>
    public string TableLocation { get; } = tableLocation.TrimEnd('/');

    /// <inheritdoc/>
    public async Task<TableState?> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var version = 0;
        try
        {
            var hint = Encoding.UTF8.GetString(await FileIO.ReadAllBytesAsync($"{TableLocation}/metadata/{MetadataFiles.VersionHint}", cancellationToken).ConfigureAwait(false)).Trim();
            version = int.TryParse(hint, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
        }
        catch (FileNotFoundException)
        {
        }

        if (version == 0)
        {
            await foreach (var file in FileIO.ListAsync($"{TableLocation}/metadata/", cancellationToken).ConfigureAwait(false))
            {
                version = Math.Max(version, MetadataFiles.Version(file.Location));
            }

            if (version == 0)
            {
                return null;
            }
        }

        // The hint is written after the metadata file, so a newer version may exist beyond it.
        while (await FileIO.ExistsAsync(MetadataFiles.Location(TableLocation, version + 1), cancellationToken).ConfigureAwait(false))
        {
            version++;
        }

        var location = MetadataFiles.Location(TableLocation, version);
        return new TableState(await MetadataFiles.ReadAsync(FileIO, location, cancellationToken).ConfigureAwait(false), location);
    }

    /// <inheritdoc/>
    public async Task<TableState> CommitAsync(TableState? @base, TableMetadata updated, CancellationToken cancellationToken = default)
    {
        var state = await MetadataFiles.WriteNextAsync(FileIO, @base, updated, cancellationToken).ConfigureAwait(false);
        await MetadataFiles.DeleteRemovedAsync(FileIO, @base, state).ConfigureAwait(false);
        return state;
    }
}
