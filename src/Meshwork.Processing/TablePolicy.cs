using System.Globalization;
using Meshwork.Lake;

namespace Meshwork.Processing;

/// <summary>
/// Upkeep of materialized tables, run by their materializer between commits (never concurrently with them): a commit
/// every second adds a snapshot, a manifest and a small data file each time, and metadata, planning and reads would
/// grow without bound. Old snapshots are expired (Iceberg's <c>history.expire.*</c> table properties say how many and
/// how old), tables with many live files are compacted into few, and metadata files that drop out of the metadata log
/// are deleted at each commit (<see cref="MetadataFiles.DeleteAfterCommit"/>, set when the tables are created).
/// </summary>
internal static class TablePolicy
{
    /// <summary>Iceberg's table property: snapshots older than this many milliseconds are expired.</summary>
    public const string MaxSnapshotAgeProperty = "history.expire.max-snapshot-age-ms";

    /// <summary>Iceberg's table property: this many newest snapshots are always kept.</summary>
    public const string MinSnapshotsToKeepProperty = "history.expire.min-snapshots-to-keep";

    /// <summary>
    /// How long snapshots of a materialized table are kept by default (time travel reaches this far back). Short, because
    /// at a commit a second every snapshot lives in every metadata file written: at 2 minutes those are about 120 KB.
    /// </summary>
    public static readonly TimeSpan DefaultMaxSnapshotAge = TimeSpan.FromMinutes(2);

    /// <summary>Previous metadata files kept (Iceberg's <c>write.metadata.previous-versions-max</c>); older ones are deleted after each commit.</summary>
    public const int PreviousMetadataFiles = 20;

    /// <summary>How many snapshots are kept at least by default.</summary>
    public const int DefaultMinSnapshotsToKeep = 10;

    /// <summary>How often a table is looked after.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>Live data and delete files past which the current-state table (at most one row per key) is compacted.</summary>
    public const int CompactCurrentAtFiles = 64;

    /// <summary>Live data files past which the history table is compacted.</summary>
    public const int CompactHistoryAtFiles = 256;

    // A compaction snapshot records no offsets, so the materializer's own snapshot before it must survive expiry: the
    // offsets are read from the newest ancestor that has them.
    private const int AtLeastKept = 2;

    /// <summary>Compacts <paramref name="table"/> when it has many live files, then expires old snapshots.</summary>
    public static async Task MaintainAsync(LakeTable table, bool history, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var files = Count(table, "total-data-files") + Count(table, "total-delete-files");
        if (files > (history ? CompactHistoryAtFiles : CompactCurrentAtFiles))
        {
            await table.CompactAsync(cancellationToken).ConfigureAwait(false);
        }

        var maxAge = table.Metadata.Property(MaxSnapshotAgeProperty, (long)DefaultMaxSnapshotAge.TotalMilliseconds);
        var keep = (int)Math.Max(AtLeastKept, table.Metadata.Property(MinSnapshotsToKeepProperty, DefaultMinSnapshotsToKeep));
        if (table.Metadata.Snapshots.Count > keep)
        {
            await table.ExpireSnapshotsAsync(now.AddMilliseconds(-maxAge), keep, cancellationToken).ConfigureAwait(false);
        }
    }

    private static long Count(LakeTable table, string property) =>
        table.CurrentSnapshot?.Summary.TryGetValue(property, out var text) == true && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
