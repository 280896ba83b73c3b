using Meshwork.Lake.Data;
using Meshwork.Lake.Manifests;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake;

/// <summary>Scan planning and reading (spec "Scan Planning"): live files of a snapshot, with position and equality deletes applied.</summary>
internal static class TableReader
{
    public static async Task<IReadOnlyList<ManifestFile>> ManifestsAsync(LakeTable table, Snapshot snapshot, CancellationToken cancellationToken)
    {
        var bytes = await table.FileIO.ReadAllBytesAsync(snapshot.ManifestList, cancellationToken).ConfigureAwait(false);
        return ManifestFiles.ReadManifestList(bytes, snapshot.ManifestList);
    }

    public static async Task<List<ManifestEntry>> EntriesAsync(LakeTable table, TableMetadata metadata, ManifestFile manifest, CancellationToken cancellationToken)
    {
        var bytes = await table.FileIO.ReadAllBytesAsync(manifest.Path, cancellationToken).ConfigureAwait(false);

        // Partition source columns are looked up in every schema the table ever had, so old specs still type.
        var schema = new IcebergSchema(-1, [.. metadata.Schemas.SelectMany(s => s.Fields).GroupBy(f => f.Id).Select(g => g.Last())]);
        return ManifestFiles.ReadManifest(bytes, manifest, metadata.PartitionSpecs, schema);
    }

    public static async Task<IReadOnlyList<ManifestEntry>> LiveEntriesAsync(LakeTable table, TableMetadata metadata, long? snapshotId, CancellationToken cancellationToken)
    {
        if (snapshotId is not { } id)
        {
            return [];
        }

        var result = new List<ManifestEntry>();
        foreach (var manifest in await ManifestsAsync(table, metadata.Snapshot(id), cancellationToken).ConfigureAwait(false))
        {
            result.AddRange((await EntriesAsync(table, metadata, manifest, cancellationToken).ConfigureAwait(false)).Where(e => e.Status != EntryStatus.Deleted));
        }

        return result;
    }

    public static async Task<TableRows> ReadAsync(LakeTable table, long? snapshotId, CancellationToken cancellationToken)
    {
        var metadata = table.Metadata;
        var snapshot = snapshotId is { } sid ? metadata.Snapshot(sid) : metadata.CurrentSnapshot;
        var schema = snapshot?.SchemaId is { } schemaId && snapshotId is not null ? metadata.Schema(schemaId) : metadata.CurrentSchema;
        if (snapshot is null)
        {
            return new TableRows(schema, null, []);
        }

        var entries = await LiveEntriesAsync(table, metadata, snapshot.SnapshotId, cancellationToken).ConfigureAwait(false);
        var rows = new List<object?[]>();
        var deletes = new DeleteIndex(table, metadata, schema, entries.Where(e => e.File.Content != FileContent.Data).ToList());
        foreach (var entry in entries.Where(e => e.File.Content == FileContent.Data))
        {
            var data = DataFiles.Read(await table.FileIO.ReadAllBytesAsync(entry.File.Path, cancellationToken).ConfigureAwait(false), schema, entry.File.Path);
            var filter = await deletes.ForAsync(entry, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < data.Count; i++)
            {
                if (!filter.IsDeleted(i, data[i]))
                {
                    rows.Add(data[i]);
                }
            }
        }

        return new TableRows(schema, snapshot, rows);
    }

    /// <summary>The deletes that apply to one data file.</summary>
    internal sealed class DeleteFilter(HashSet<long> positions, List<(int[] Columns, IcebergType[] Types, HashSet<RowKey> Keys)> equality)
    {
        public bool IsDeleted(long position, object?[] row)
        {
            if (positions.Contains(position))
            {
                return true;
            }

            foreach (var (columns, types, keys) in equality)
            {
                if (keys.Contains(RowKey.Of(row, columns, types)))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Delete files of a snapshot, read once each, matched to data files by the spec's sequence-number and partition rules.</summary>
    internal sealed class DeleteIndex(LakeTable table, TableMetadata metadata, IcebergSchema schema, List<ManifestEntry> deletes)
    {
        private readonly Dictionary<string, List<(string Path, long Pos)>> _positions = [];
        private readonly Dictionary<string, HashSet<RowKey>> _equality = [];

        public async Task<DeleteFilter> ForAsync(ManifestEntry data, CancellationToken cancellationToken)
        {
            var positions = new HashSet<long>();
            var equality = new List<(int[], IcebergType[], HashSet<RowKey>)>();
            var dataSeq = data.SequenceNumber ?? 0;
            foreach (var d in deletes)
            {
                var deleteSeq = d.SequenceNumber ?? 0;
                if (d.File.Content == FileContent.PositionDeletes)
                {
                    // Position deletes apply to data of the same or an earlier commit, in the same partition.
                    if (dataSeq > deleteSeq || !SamePartition(d.File, data.File) || (d.File.ReferencedDataFile is { } r && r != data.File.Path))
                    {
                        continue;
                    }

                    foreach (var (path, pos) in await PositionsAsync(d.File, cancellationToken).ConfigureAwait(false))
                    {
                        if (path == data.File.Path)
                        {
                            positions.Add(pos);
                        }
                    }
                }
                else
                {
                    // Equality deletes apply only to strictly older data, in the same partition unless the delete is global.
                    if (dataSeq >= deleteSeq || !(metadata.Spec(d.File.SpecId).IsUnpartitioned || SamePartition(d.File, data.File)))
                    {
                        continue;
                    }

                    var ids = d.File.EqualityIds ?? throw new Metadata.IcebergFormatException($"equality delete file {d.File.Path} has no equality_ids");
                    var columns = ids.Select(schema.IndexOf).ToArray();
                    if (columns.Any(c => c < 0))
                    {
                        throw new Metadata.IcebergFormatException($"equality delete file {d.File.Path} compares field ids [{string.Join(", ", ids)}], which are not all top-level columns of schema {schema.SchemaId}");
                    }

                    var types = columns.Select(c => schema.Fields[c].Type).ToArray();
                    equality.Add((columns, types, await EqualityAsync(d.File, ids, cancellationToken).ConfigureAwait(false)));
                }
            }

            return new DeleteFilter(positions, equality);
        }

        private static bool SamePartition(DataFile a, DataFile b) =>
            a.SpecId == b.SpecId && a.Partition.Count == b.Partition.Count && a.Partition.Zip(b.Partition).All(p => PartitionKey(p.First) == PartitionKey(p.Second));

        internal static string? PartitionKey(object? value) => value switch
        {
            null => null,
            byte[] b => Convert.ToBase64String(b),
            DateTimeOffset d => Values.Micros(d).ToString(System.Globalization.CultureInfo.InvariantCulture),
            DateTime d => Values.Micros(d).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
        };

        private async Task<List<(string, long)>> PositionsAsync(DataFile file, CancellationToken cancellationToken)
        {
            if (!_positions.TryGetValue(file.Path, out var list))
            {
                var rows = DataFiles.Read(await table.FileIO.ReadAllBytesAsync(file.Path, cancellationToken).ConfigureAwait(false), ParquetSchemas.PositionDeleteSchema, file.Path);
                _positions[file.Path] = list = [.. rows.Select(r => ((string)r[0]!, (long)r[1]!))];
            }

            return list;
        }

        private async Task<HashSet<RowKey>> EqualityAsync(DataFile file, IReadOnlyList<int> ids, CancellationToken cancellationToken)
        {
            if (!_equality.TryGetValue(file.Path, out var set))
            {
                var deleteSchema = new IcebergSchema(0, [.. ids.Select(i => schema.FindField(i)!)]);
                var rows = DataFiles.Read(await table.FileIO.ReadAllBytesAsync(file.Path, cancellationToken).ConfigureAwait(false), deleteSchema, file.Path);
                var columns = Enumerable.Range(0, ids.Count).ToArray();
                var types = deleteSchema.Fields.Select(f => f.Type).ToArray();
                _equality[file.Path] = set = [.. rows.Select(r => RowKey.Of(r, columns, types))];
            }

            return set;
        }
    }
}

/// <summary>A tuple of column values compared with Iceberg's value equality (used for keys and equality deletes).</summary>
internal readonly struct RowKey : IEquatable<RowKey>
{
    private readonly object?[] _values;
    private readonly IcebergType[] _types;
    private readonly int _hash;

    private RowKey(object?[] values, IcebergType[] types)
    {
        _values = values;
        _types = types;
        var hash = 17;
        for (var i = 0; i < values.Length; i++)
        {
            hash = (hash * 31) + Metadata.Values.KeyHash(types[i], values[i]);
        }

        _hash = hash;
    }

    public static RowKey Of(object?[] row, int[] columns, IcebergType[] types)
    {
        var values = new object?[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            values[i] = types[i] is PrimitiveType p ? Metadata.Values.Coerce(p, row[columns[i]]) : row[columns[i]];
        }

        return new RowKey(values, types);
    }

    public IReadOnlyList<object?> Values => _values;

    public bool Equals(RowKey other)
    {
        if (_hash != other._hash || _values.Length != other._values.Length)
        {
            return false;
        }

        for (var i = 0; i < _values.Length; i++)
        {
            if (!Metadata.Values.KeyEquals(_types[i], _values[i], other._values[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is RowKey k && Equals(k);

    public override int GetHashCode() => _hash;
}
