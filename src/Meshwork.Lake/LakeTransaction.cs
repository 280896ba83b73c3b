using System.Globalization;
using Meshwork.Lake.Data;
using Meshwork.Lake.Manifests;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake;

/// <summary>
/// One atomic change to a table: appends, upserts and deletes by key (equality deletes), deletes by predicate
/// (position deletes) and snapshot summary properties, applied in the order they were added and committed as one
/// snapshot. A commit that loses a race is retried on the new table state; rows are written only once.
/// </summary>
/// <remarks>
/// Rows have one value per column of the table schema at the time the transaction started, in the value model of
/// <see cref="Values"/>. Keys are the values of the schema's identifier fields, in their order.
/// </remarks>
public sealed class LakeTransaction
{
    private readonly LakeTable _table;
    private readonly IcebergSchema _schema;
    private readonly int[] _keyColumns;
    private readonly IcebergType[] _keyTypes;
    private readonly List<object?[]?> _rows = [];
    private readonly Dictionary<RowKey, List<int>> _rowsByKey = [];
    private readonly HashSet<RowKey> _deletedKeys = [];
    private readonly List<Func<object?[], bool>> _predicates = [];
    private readonly Dictionary<string, string> _summary = new(StringComparer.Ordinal);
    private bool _committed;

    internal LakeTransaction(LakeTable table)
    {
        _table = table;
        _schema = table.Schema;
        _keyColumns = [.. _schema.IdentifierFieldIds.Select(_schema.IndexOf)];
        _keyTypes = [.. _keyColumns.Select(c => _schema.Fields[c].Type)];
    }

    /// <summary>The schema rows follow.</summary>
    public IcebergSchema Schema => _schema;

    /// <summary>Adds rows.</summary>
    public LakeTransaction Append(IEnumerable<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            Add(Check(row));
        }

        return this;
    }

    /// <summary>
    /// Inserts rows or replaces the rows with the same key: the older rows are deleted with an equality delete, and
    /// within this transaction the last row for a key wins. Needs identifier fields in the schema.
    /// </summary>
    public LakeTransaction Upsert(IEnumerable<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        RequireKey("upsert");
        foreach (var row in rows)
        {
            var key = RowKey.Of(Check(row), _keyColumns, _keyTypes);
            RemovePending(key);
            _deletedKeys.Add(key);
            Add(row);
        }

        return this;
    }

    /// <summary>Deletes the rows with these keys (each key: the identifier field values in order) with an equality delete.</summary>
    public LakeTransaction Delete(IEnumerable<object?[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        RequireKey("delete by key");
        foreach (var values in keys)
        {
            if (values.Length != _keyColumns.Length)
            {
                throw new ArgumentException($"a key of table {_table.Identifier?.ToString() ?? _table.Location} has {_keyColumns.Length} values ({string.Join(", ", _keyColumns.Select(c => _schema.Fields[c].Name))}), not {values.Length}");
            }

            var key = RowKey.Of(values, [.. Enumerable.Range(0, values.Length)], _keyTypes);
            RemovePending(key);
            _deletedKeys.Add(key);
        }

        return this;
    }

    /// <summary>Deletes every row (committed or added earlier in this transaction) that matches; committed rows get position deletes.</summary>
    public LakeTransaction DeleteWhere(Func<object?[], bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        for (var i = 0; i < _rows.Count; i++)
        {
            if (_rows[i] is { } row && predicate(row))
            {
                _rows[i] = null;
            }
        }

        _predicates.Add(predicate);
        return this;
    }

    /// <summary>Sets a snapshot summary property, e.g. the Kafka offsets consumed up to this commit.</summary>
    public LakeTransaction SetSummaryProperty(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key == "operation")
        {
            throw new ArgumentException("the 'operation' summary property is set by the commit", nameof(key));
        }

        _summary[key] = value;
        return this;
    }

    /// <summary>Writes the files and commits one snapshot; returns it.</summary>
    public async Task<Snapshot> CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_committed)
        {
            throw new InvalidOperationException("this transaction was already committed; start a new one");
        }

        _committed = true;
        var io = _table.FileIO;
        var location = _table.Location;
        var options = _table.WriterOptions(_table.Metadata);

        // Data and equality-delete files do not depend on the base snapshot: written once, reused by every attempt.
        var spec = _table.Metadata.DefaultSpec;
        var dataFiles = new List<DataFile>();
        foreach (var (partition, rows) in Partition(spec, [.. _rows.OfType<object?[]>()]))
        {
            var path = $"{location}/data/{PartitionPath(spec, partition)}{Guid.NewGuid():n}.parquet";
            var (bytes, file) = DataFiles.Write(_schema, rows, options, path, FileContent.Data, spec.SpecId, partition);
            await io.WriteAsync(path, bytes, overwrite: false, cancellationToken).ConfigureAwait(false);
            dataFiles.Add(file);
        }

        DataFile? equalityDeletes = null;
        if (_deletedKeys.Count > 0)
        {
            var keySchema = new IcebergSchema(_schema.SchemaId, [.. _keyColumns.Select(c => _schema.Fields[c])]);
            var path = $"{location}/data/{Guid.NewGuid():n}-eq-deletes.parquet";
            var (bytes, file) = DataFiles.Write(keySchema, [.. _deletedKeys.Select(k => k.Values.ToArray())], options, path, FileContent.EqualityDeletes);
            await io.WriteAsync(path, bytes, overwrite: false, cancellationToken).ConfigureAwait(false);
            equalityDeletes = file with { EqualityIds = _schema.IdentifierFieldIds };
        }

        for (var attempt = 0; ; attempt++)
        {
            var @base = _table.State;
            if (@base.Metadata.CurrentSchemaId != _schema.SchemaId && @base.Metadata.Schemas.All(s => s.SchemaId != _schema.SchemaId))
            {
                throw new CommitConflictException($"the schema of {_table.Location} changed during the transaction");
            }

            try
            {
                var state = await AttemptAsync(@base, dataFiles, equalityDeletes, attempt, cancellationToken).ConfigureAwait(false);
                _table.Adopt(state);
                return state.Metadata.CurrentSnapshot!;
            }
            catch (CommitConflictException) when (attempt < _table.Retries)
            {
                await _table.RefreshAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<TableState> AttemptAsync(TableState @base, List<DataFile> dataFiles, DataFile? equalityDeletes, int attempt, CancellationToken cancellationToken)
    {
        var io = _table.FileIO;
        var metadata = @base.Metadata;
        var parent = metadata.CurrentSnapshot;
        var sequence = metadata.LastSequenceNumber + 1;
        var snapshotId = LakeTable.NewSnapshotId(metadata);
        var location = metadata.Location;
        var options = _table.WriterOptions(metadata);

        // Position deletes depend on which rows the base snapshot holds, so they are computed per attempt.
        var positionDeletes = new List<DataFile>();
        if (_predicates.Count > 0 && parent is not null)
        {
            var entries = await TableReader.LiveEntriesAsync(_table, metadata, parent.SnapshotId, cancellationToken).ConfigureAwait(false);
            var deletes = new TableReader.DeleteIndex(_table, metadata, _schema, entries.Where(e => e.File.Content != FileContent.Data).ToList());
            foreach (var entry in entries.Where(e => e.File.Content == FileContent.Data))
            {
                var rows = DataFiles.Read(await io.ReadAllBytesAsync(entry.File.Path, cancellationToken).ConfigureAwait(false), _schema, entry.File.Path);
                var filter = await deletes.ForAsync(entry, cancellationToken).ConfigureAwait(false);
                var positions = new List<object?[]>();
                for (var i = 0; i < rows.Count; i++)
                {
                    if (!filter.IsDeleted(i, rows[i]) && _predicates.Any(p => p(rows[i])))
                    {
                        positions.Add([entry.File.Path, (long)i]);
                    }
                }

                if (positions.Count > 0)
                {
                    var path = $"{location}/data/{Guid.NewGuid():n}-pos-deletes.parquet";
                    var (bytes, file) = DataFiles.Write(ParquetSchemas.PositionDeleteSchema, positions, options, path, FileContent.PositionDeletes, entry.File.SpecId, entry.File.Partition);
                    await io.WriteAsync(path, bytes, overwrite: false, cancellationToken).ConfigureAwait(false);
                    positionDeletes.Add(file with { ReferencedDataFile = entry.File.Path });
                }
            }
        }

        var newManifests = new List<ManifestFile>();
        var index = 0;
        async Task AddManifestAsync(IReadOnlyList<DataFile> files, ManifestContent content, PartitionSpec spec)
        {
            var entries = files.Select(f => new ManifestEntry(EntryStatus.Added, snapshotId, null, null, f)).ToList();
            var (bytes, summary) = ManifestFiles.WriteManifest(entries, content, spec, _schema, snapshotId);
            var path = $"{location}/metadata/{Guid.NewGuid():n}-m{index++}.avro";
            await io.WriteAsync(path, bytes, overwrite: false, cancellationToken).ConfigureAwait(false);
            newManifests.Add(summary with { Path = path, SequenceNumber = sequence, MinSequenceNumber = sequence });
        }

        foreach (var group in dataFiles.GroupBy(f => f.SpecId))
        {
            await AddManifestAsync([.. group], ManifestContent.Data, metadata.Spec(group.Key)).ConfigureAwait(false);
        }

        if (equalityDeletes is not null)
        {
            // Keys say nothing about partitions, so equality deletes are global: written under an unpartitioned spec.
            var (withSpec, unpartitioned) = metadata.WithSpec([], _table.Now(), makeDefault: false);
            metadata = withSpec;
            await AddManifestAsync([equalityDeletes with { SpecId = unpartitioned.SpecId, Partition = [] }], ManifestContent.Deletes, unpartitioned).ConfigureAwait(false);
        }

        foreach (var group in positionDeletes.GroupBy(f => f.SpecId))
        {
            await AddManifestAsync([.. group], ManifestContent.Deletes, metadata.Spec(group.Key)).ConfigureAwait(false);
        }

        var manifests = new List<ManifestFile>(newManifests);
        if (parent is not null)
        {
            manifests.AddRange(await TableReader.ManifestsAsync(_table, parent, cancellationToken).ConfigureAwait(false));
        }

        var listPath = $"{location}/metadata/snap-{snapshotId}-{attempt + 1}-{Guid.NewGuid():n}.avro";
        await io.WriteAsync(listPath, ManifestFiles.WriteManifestList(manifests, snapshotId, parent?.SnapshotId, sequence), overwrite: false, cancellationToken).ConfigureAwait(false);

        var deleteFiles = (equalityDeletes is null ? 0 : 1) + positionDeletes.Count;
        var operation = dataFiles.Count > 0 && deleteFiles > 0 ? SnapshotOperation.Overwrite
            : deleteFiles > 0 ? SnapshotOperation.Delete
            : SnapshotOperation.Append;
        var summary = Summary(operation, parent, dataFiles, equalityDeletes, positionDeletes);
        var snapshot = new Snapshot(snapshotId, parent?.SnapshotId, sequence, Math.Max(_table.Now(), metadata.LastUpdatedMs), listPath, summary, _schema.SchemaId);
        return await _table.Operations.CommitAsync(@base, metadata.WithSnapshot(snapshot), cancellationToken).ConfigureAwait(false);
    }

    private Dictionary<string, string> Summary(string operation, Snapshot? parent, List<DataFile> data, DataFile? equality, List<DataFile> positions)
    {
        var s = new Dictionary<string, string>(_summary, StringComparer.Ordinal) { ["operation"] = operation };
        long Previous(string key) => parent?.Summary.TryGetValue(key, out var v) == true && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : 0;
        void Add(string added, string total, long value)
        {
            if (value != 0)
            {
                s[added] = LakeTable.Text(value);
            }

            s[total] = LakeTable.Text(Previous(total) + value);
        }

        var deleteFiles = positions.Concat(equality is null ? [] : [equality]).ToList();
        Add("added-data-files", "total-data-files", data.Count);
        Add("added-records", "total-records", data.Sum(f => f.RecordCount));
        Add("added-files-size", "total-files-size", data.Concat(deleteFiles).Sum(f => f.FileSizeInBytes));
        Add("added-delete-files", "total-delete-files", deleteFiles.Count);
        Add("added-position-deletes", "total-position-deletes", positions.Sum(f => f.RecordCount));
        Add("added-equality-deletes", "total-equality-deletes", equality?.RecordCount ?? 0);
        if (equality is not null)
        {
            s["added-equality-delete-files"] = "1";
        }

        if (positions.Count > 0)
        {
            s["added-position-delete-files"] = LakeTable.Text(positions.Count);
        }

        s["changed-partition-count"] = LakeTable.Text(data.Concat(deleteFiles).Select(f => f.SpecId + ":" + string.Join("/", f.Partition.Select(TableReader.DeleteIndex.PartitionKey))).Distinct().Count());
        return s;
    }

    private IEnumerable<(IReadOnlyList<object?> Partition, List<object?[]> Rows)> Partition(PartitionSpec spec, List<object?[]> rows)
    {
        if (rows.Count == 0)
        {
            yield break;
        }

        if (spec.Fields.Count == 0)
        {
            yield return ([], rows);
            yield break;
        }

        var sources = spec.Fields.Select(f => (Column: _schema.IndexOf(f.SourceId), Type: PartitionSpec.SourceType(_schema, f), f.Transform)).ToList();
        if (sources.Any(s => s.Column < 0))
        {
            throw new InvalidOperationException($"partition spec {spec.SpecId} of {_table.Location} has a source column that is not a top-level column of schema {_schema.SchemaId}");
        }

        var groups = new Dictionary<string, (object?[] Partition, List<object?[]> Rows)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var partition = sources.Select(s => s.Transform.Apply(s.Type, Values.Coerce(s.Type, row[s.Column]))).ToArray();
            var key = string.Join('\u001f', partition.Select(p => TableReader.DeleteIndex.PartitionKey(p) ?? "\u0000"));
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = (partition, []);
            }

            group.Rows.Add(row);
        }

        foreach (var group in groups.Values)
        {
            yield return (group.Partition, group.Rows);
        }
    }

    private static string PartitionPath(PartitionSpec spec, IReadOnlyList<object?> partition)
    {
        if (spec.Fields.Count == 0)
        {
            return "";
        }

        return string.Concat(spec.Fields.Select((f, i) => $"{Uri.EscapeDataString(f.Name)}={Uri.EscapeDataString(PartitionText(partition[i]))}/"));
    }

    private static string PartitionText(object? value) => value switch
    {
        null => "null",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => TableReader.DeleteIndex.PartitionKey(value) ?? "null",
    };

    private object?[] Check(object?[] row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.Length != _schema.Fields.Count)
        {
            throw new ArgumentException($"a row of table {_table.Identifier?.ToString() ?? _table.Location} has {_schema.Fields.Count} values ({string.Join(", ", _schema.Fields.Select(f => f.Name))}), not {row.Length}");
        }

        return row;
    }

    private void RequireKey(string what)
    {
        if (_keyColumns.Length == 0)
        {
            throw new InvalidOperationException($"{what} needs identifier fields, but schema {_schema.SchemaId} of {_table.Identifier?.ToString() ?? _table.Location} has none");
        }
    }

    private void Add(object?[] row)
    {
        _rows.Add(row);
        if (_keyColumns.Length > 0)
        {
            var key = RowKey.Of(row, _keyColumns, _keyTypes);
            if (!_rowsByKey.TryGetValue(key, out var positions))
            {
                _rowsByKey[key] = positions = [];
            }

            positions.Add(_rows.Count - 1);
        }
    }

    private void RemovePending(RowKey key)
    {
        if (_rowsByKey.Remove(key, out var positions))
        {
            foreach (var p in positions)
            {
                _rows[p] = null;
            }
        }
    }
}
