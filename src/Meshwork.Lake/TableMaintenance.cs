using Meshwork.Lake.Data;
using Meshwork.Lake.Manifests;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake;

/// <summary>Compaction, snapshot expiry and orphan-file cleanup.</summary>
internal static class TableMaintenance
{
    public static async Task<Snapshot?> CompactAsync(LakeTable table, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var @base = table.State;
            var metadata = @base.Metadata;
            if (metadata.CurrentSnapshot is not { } parent)
            {
                return null;
            }

            var rows = await TableReader.ReadAsync(table, null, cancellationToken).ConfigureAwait(false);
            var live = await TableReader.LiveEntriesAsync(table, metadata, parent.SnapshotId, cancellationToken).ConfigureAwait(false);
            var snapshotId = LakeTable.NewSnapshotId(metadata);
            var sequence = metadata.LastSequenceNumber + 1;
            var schema = metadata.CurrentSchema;

            // A fresh transaction-like write of every live row, then every old file marked DELETED in one replace snapshot.
            var options = table.WriterOptions(metadata);
            var spec = metadata.DefaultSpec;
            var added = new List<DataFile>();
            foreach (var group in rows.Rows.GroupBy(r => string.Join('\u001f', Partition(spec, schema, r).Select(TableReader.DeleteIndex.PartitionKey))))
            {
                var partition = Partition(spec, schema, group.First());
                var path = $"{metadata.Location}/data/{Guid.NewGuid():n}-compacted.parquet";
                var (bytes, file) = DataFiles.Write(schema, [.. group], options, path, FileContent.Data, spec.SpecId, partition);
                await table.FileIO.WriteAsync(path, bytes, overwrite: false, cancellationToken).ConfigureAwait(false);
                added.Add(file);
            }

            var manifests = new List<ManifestFile>();
            var index = 0;
            async Task WriteAsync(IReadOnlyList<ManifestEntry> entries, ManifestContent content, PartitionSpec partitionSpec)
            {
                var (bytes, summary) = ManifestFiles.WriteManifest(entries, content, partitionSpec, schema, snapshotId);
                var path = $"{metadata.Location}/metadata/{Guid.NewGuid():n}-m{index++}.avro";
                await table.FileIO.WriteAsync(path, bytes, overwrite: false, cancellationToken).ConfigureAwait(false);
                var min = summary.MinSequenceNumber == long.MaxValue ? sequence : Math.Min(summary.MinSequenceNumber, sequence);
                manifests.Add(summary with { Path = path, SequenceNumber = sequence, MinSequenceNumber = min });
            }

            if (added.Count > 0)
            {
                await WriteAsync([.. added.Select(f => new ManifestEntry(EntryStatus.Added, snapshotId, null, null, f))], ManifestContent.Data, spec).ConfigureAwait(false);
            }

            // Removed entries keep their original sequence numbers, as the spec requires for non-ADDED entries.
            foreach (var group in live.GroupBy(e => (e.File.SpecId, Deletes: e.File.Content != FileContent.Data)))
            {
                await WriteAsync([.. group.Select(e => e with { Status = EntryStatus.Deleted, SnapshotId = snapshotId })],
                    group.Key.Deletes ? ManifestContent.Deletes : ManifestContent.Data, metadata.Spec(group.Key.SpecId)).ConfigureAwait(false);
            }

            var listPath = $"{metadata.Location}/metadata/snap-{snapshotId}-{attempt + 1}-{Guid.NewGuid():n}.avro";
            await table.FileIO.WriteAsync(listPath, ManifestFiles.WriteManifestList(manifests, snapshotId, parent.SnapshotId, sequence), overwrite: false, cancellationToken).ConfigureAwait(false);
            var removedData = live.Where(e => e.File.Content == FileContent.Data).ToList();
            var removedDeletes = live.Where(e => e.File.Content != FileContent.Data).ToList();
            var summaryProperties = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["operation"] = SnapshotOperation.Replace,
                ["added-data-files"] = LakeTable.Text(added.Count),
                ["deleted-data-files"] = LakeTable.Text(removedData.Count),
                ["removed-delete-files"] = LakeTable.Text(removedDeletes.Count),
                ["added-records"] = LakeTable.Text(added.Sum(f => f.RecordCount)),
                ["deleted-records"] = LakeTable.Text(removedData.Sum(e => e.File.RecordCount)),
                ["total-data-files"] = LakeTable.Text(added.Count),
                ["total-delete-files"] = "0",
                ["total-records"] = LakeTable.Text(added.Sum(f => f.RecordCount)),
                ["total-files-size"] = LakeTable.Text(added.Sum(f => f.FileSizeInBytes)),
                ["total-position-deletes"] = "0",
                ["total-equality-deletes"] = "0",
            };
            var snapshot = new Snapshot(snapshotId, parent.SnapshotId, sequence, Math.Max(table.Now(), metadata.LastUpdatedMs), listPath, summaryProperties, schema.SchemaId);
            try
            {
                var state = await table.Operations.CommitAsync(@base, metadata.WithSnapshot(snapshot), cancellationToken).ConfigureAwait(false);
                table.Adopt(state);
                return snapshot;
            }
            catch (CommitConflictException) when (attempt < table.Retries)
            {
                await table.RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static object?[] Partition(PartitionSpec spec, IcebergSchema schema, object?[] row) =>
        [.. spec.Fields.Select(f =>
        {
            var type = PartitionSpec.SourceType(schema, f);
            return f.Transform.Apply(type, Values.Coerce(type, row[schema.IndexOf(f.SourceId)]));
        })];

    public static async Task<IReadOnlyList<string>> ExpireSnapshotsAsync(LakeTable table, DateTimeOffset olderThan, int retainLast, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retainLast, 1);
        var cutoff = olderThan.ToUnixTimeMilliseconds();
        List<Snapshot> expired = [];
        await table.CommitMetadataAsync(m =>
        {
            var keep = new HashSet<long>(m.Ancestors(m.CurrentSnapshotId).Take(retainLast).Select(s => s.SnapshotId));
            keep.UnionWith(m.Refs.Values.Select(r => r.SnapshotId));
            keep.UnionWith(m.Snapshots.Where(s => s.TimestampMs >= cutoff).Select(s => s.SnapshotId));
            expired = [.. m.Snapshots.Where(s => !keep.Contains(s.SnapshotId))];
            if (expired.Count == 0)
            {
                return m;
            }

            return m with
            {
                Snapshots = [.. m.Snapshots.Where(s => keep.Contains(s.SnapshotId))],
                SnapshotLog = [.. m.SnapshotLog.Where(e => keep.Contains(e.SnapshotId))],
                LastUpdatedMs = Math.Max(table.Now(), m.LastUpdatedMs),
            };
        }, _ => true, cancellationToken).ConfigureAwait(false);

        if (expired.Count == 0)
        {
            return [];
        }

        var metadata = table.Metadata;
        var reachable = await ReferencedFilesAsync(table, metadata, metadata.Snapshots, liveOnly: true, cancellationToken).ConfigureAwait(false);
        var candidates = await ReferencedFilesAsync(table, metadata, expired, liveOnly: false, cancellationToken).ConfigureAwait(false);
        var deleted = new List<string>();
        foreach (var file in candidates.Where(c => !reachable.Contains(c)).Order(StringComparer.Ordinal))
        {
            await table.FileIO.DeleteAsync(file, cancellationToken).ConfigureAwait(false);
            deleted.Add(file);
        }

        return deleted;
    }

    public static async Task<IReadOnlyList<string>> RemoveOrphanFilesAsync(LakeTable table, DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        await table.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var metadata = table.Metadata;
        var referenced = await ReferencedFilesAsync(table, metadata, metadata.Snapshots, liveOnly: false, cancellationToken).ConfigureAwait(false);
        referenced.Add(table.MetadataLocation);
        referenced.UnionWith(metadata.MetadataLog.Select(e => e.MetadataFile));
        referenced.Add($"{metadata.Location}/metadata/{MetadataFiles.VersionHint}");
        var deleted = new List<string>();
        await foreach (var file in table.FileIO.ListAsync(metadata.Location + "/", cancellationToken).ConfigureAwait(false))
        {
            // Metadata files newer than the current one belong to a commit in flight; age protects the rest.
            if (referenced.Contains(file.Location) || file.LastModified >= olderThan || MetadataFiles.Version(file.Location) > MetadataFiles.Version(table.MetadataLocation))
            {
                continue;
            }

            await table.FileIO.DeleteAsync(file.Location, cancellationToken).ConfigureAwait(false);
            deleted.Add(file.Location);
        }

        return deleted;
    }

    public static async Task<IReadOnlyList<string>> MissingFilesAsync(LakeTable table, CancellationToken cancellationToken)
    {
        var metadata = table.Metadata;
        var missing = new List<string>();
        var checkedFiles = new HashSet<string>(StringComparer.Ordinal);
        async Task<bool> ExistsAsync(string location)
        {
            if (!checkedFiles.Add(location))
            {
                return true;
            }

            if (await table.FileIO.ExistsAsync(location, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            missing.Add(location);
            return false;
        }

        await ExistsAsync(table.MetadataLocation).ConfigureAwait(false);
        foreach (var entry in metadata.MetadataLog)
        {
            await ExistsAsync(entry.MetadataFile).ConfigureAwait(false);
        }

        foreach (var snapshot in metadata.Snapshots)
        {
            if (!await ExistsAsync(snapshot.ManifestList).ConfigureAwait(false))
            {
                continue;
            }

            foreach (var manifest in await TableReader.ManifestsAsync(table, snapshot, cancellationToken).ConfigureAwait(false))
            {
                var seen = checkedFiles.Contains(manifest.Path);
                if (!await ExistsAsync(manifest.Path).ConfigureAwait(false) || seen)
                {
                    continue;
                }

                // Entries marked DELETED name files a later snapshot removed; expiry may have deleted those.
                foreach (var entry in await TableReader.EntriesAsync(table, metadata, manifest, cancellationToken).ConfigureAwait(false))
                {
                    if (entry.Status != EntryStatus.Deleted)
                    {
                        await ExistsAsync(entry.File.Path).ConfigureAwait(false);
                    }
                }
            }
        }

        return missing;
    }

    private static async Task<HashSet<string>> ReferencedFilesAsync(LakeTable table, TableMetadata metadata, IEnumerable<Snapshot> snapshots, bool liveOnly, CancellationToken cancellationToken)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        var seenManifests = new HashSet<string>(StringComparer.Ordinal);
        foreach (var snapshot in snapshots)
        {
            files.Add(snapshot.ManifestList);
            IReadOnlyList<ManifestFile> manifests;
            try
            {
                manifests = await TableReader.ManifestsAsync(table, snapshot, cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            foreach (var manifest in manifests)
            {
                files.Add(manifest.Path);
                if (!seenManifests.Add(manifest.Path))
                {
                    continue;
                }

                foreach (var entry in await TableReader.EntriesAsync(table, metadata, manifest, cancellationToken).ConfigureAwait(false))
                {
                    if (!liveOnly || entry.Status != EntryStatus.Deleted)
                    {
                        files.Add(entry.File.Path);
                    }
                }
            }
        }

        return files;
    }
}
