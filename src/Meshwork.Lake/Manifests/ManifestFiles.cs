using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Meshwork.Formats.Avro;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake.Manifests;

/// <summary>
/// Writes and reads manifests and manifest lists as Avro container files (deflate, as Java does by default),
/// with the file metadata the spec requires (<c>schema</c>, <c>schema-id</c>, <c>partition-spec</c>,
/// <c>partition-spec-id</c>, <c>format-version</c>, <c>content</c>; and <c>snapshot-id</c>,
/// <c>parent-snapshot-id</c>, <c>sequence-number</c> on lists). Reading checks every field id and fails with
/// <see cref="IcebergFormatException"/> naming the file and field.
/// </summary>
public static class ManifestFiles
{
    private const string Codec = "deflate";

    /// <summary>
    /// Writes a manifest of <paramref name="entries"/> (all of one content kind and one spec) and returns its bytes and
    /// its manifest-list entry, whose path, length and sequence numbers the caller completes.
    /// </summary>
    public static (byte[] Bytes, ManifestFile Summary) WriteManifest(IReadOnlyList<ManifestEntry> entries, ManifestContent content, PartitionSpec spec, IcebergSchema schema, long snapshotId)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(schema);
        var types = spec.ResultTypes(schema);
        var partition = spec.Fields.Select((f, i) => (f, types[i])).ToList();
        var avro = ManifestSchemas.ManifestEntry(partition);
        var metadata = new Dictionary<string, byte[]>
        {
            ["schema"] = Encoding.UTF8.GetBytes(schema.ToJson()),
            ["schema-id"] = Text(schema.SchemaId),
            ["partition-spec"] = Encoding.UTF8.GetBytes(spec.FieldsJson().ToJsonString()),
            ["partition-spec-id"] = Text(spec.SpecId),
            ["format-version"] = Text(TableMetadata.FormatVersion2),
            ["content"] = Encoding.UTF8.GetBytes(content == ManifestContent.Data ? "data" : "deletes"),
        };
        using var stream = new MemoryStream();
        using (var writer = new AvroContainerWriter(stream, avro, new AvroContainerWriterOptions { Codec = Codec, Metadata = metadata }, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                writer.Append(EntryRecord(e, partition));
            }
        }

        var live = entries.Where(e => e.Status != EntryStatus.Deleted).ToList();
        var summary = new ManifestFile
        {
            Path = "",
            Length = stream.Length,
            SpecId = spec.SpecId,
            Content = content,
            AddedSnapshotId = snapshotId,
            AddedFilesCount = entries.Count(e => e.Status == EntryStatus.Added),
            ExistingFilesCount = entries.Count(e => e.Status == EntryStatus.Existing),
            DeletedFilesCount = entries.Count(e => e.Status == EntryStatus.Deleted),
            AddedRowsCount = entries.Where(e => e.Status == EntryStatus.Added).Sum(e => e.File.RecordCount),
            ExistingRowsCount = entries.Where(e => e.Status == EntryStatus.Existing).Sum(e => e.File.RecordCount),
            DeletedRowsCount = entries.Where(e => e.Status == EntryStatus.Deleted).Sum(e => e.File.RecordCount),
            MinSequenceNumber = live.Select(e => e.SequenceNumber).Where(s => s is not null).Select(s => s!.Value).DefaultIfEmpty(long.MaxValue).Min(),
            Partitions = Summaries(entries, types),
        };
        return (stream.ToArray(), summary);
    }

    /// <summary>Writes a manifest list.</summary>
    public static byte[] WriteManifestList(IReadOnlyList<ManifestFile> manifests, long snapshotId, long? parentSnapshotId, long sequenceNumber)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        var metadata = new Dictionary<string, byte[]>
        {
            ["snapshot-id"] = Text(snapshotId),
            ["sequence-number"] = Text(sequenceNumber),
            ["format-version"] = Text(TableMetadata.FormatVersion2),
        };
        metadata["parent-snapshot-id"] = Encoding.UTF8.GetBytes(parentSnapshotId?.ToString(CultureInfo.InvariantCulture) ?? "null");
        using var stream = new MemoryStream();
        using (var writer = new AvroContainerWriter(stream, ManifestSchemas.ManifestList, new AvroContainerWriterOptions { Codec = Codec, Metadata = metadata }, leaveOpen: true))
        {
            foreach (var m in manifests)
            {
                writer.Append(new Dictionary<string, object?>
                {
                    ["manifest_path"] = m.Path,
                    ["manifest_length"] = m.Length,
                    ["partition_spec_id"] = m.SpecId,
                    ["content"] = (int)m.Content,
                    ["sequence_number"] = m.SequenceNumber,
                    ["min_sequence_number"] = m.MinSequenceNumber,
                    ["added_snapshot_id"] = m.AddedSnapshotId,
                    ["added_files_count"] = m.AddedFilesCount,
                    ["existing_files_count"] = m.ExistingFilesCount,
                    ["deleted_files_count"] = m.DeletedFilesCount,
                    ["added_rows_count"] = m.AddedRowsCount,
                    ["existing_rows_count"] = m.ExistingRowsCount,
                    ["deleted_rows_count"] = m.DeletedRowsCount,
                    ["partitions"] = m.Partitions?.Select(p => (object?)new Dictionary<string, object?>
                    {
                        ["contains_null"] = p.ContainsNull,
                        ["contains_nan"] = p.ContainsNan,
                        ["lower_bound"] = p.LowerBound,
                        ["upper_bound"] = p.UpperBound,
                    }).ToList(),
                    ["key_metadata"] = null,
                });
            }
        }

        return stream.ToArray();
    }

    /// <summary>Reads a manifest list; <paramref name="location"/> names it in errors.</summary>
    public static List<ManifestFile> ReadManifestList(byte[] data, string location)
    {
        ArgumentNullException.ThrowIfNull(data);
        var result = new List<ManifestFile>();
        foreach (var r in ReadRecords(data, location, "manifest_file", root => CheckIds(root, ManifestSchemas.ManifestListIds, location, "")))
        {
            result.Add(new ManifestFile
            {
                Path = (string)r["manifest_path"]!,
                Length = (long)r["manifest_length"]!,
                SpecId = (int)r["partition_spec_id"]!,
                Content = (ManifestContent)(int)(Get(r, "content") ?? 0),
                SequenceNumber = (long)(Get(r, "sequence_number") ?? 0L),
                MinSequenceNumber = (long)(Get(r, "min_sequence_number") ?? 0L),
                AddedSnapshotId = (long)r["added_snapshot_id"]!,
                AddedFilesCount = (int)(Get(r, "added_files_count") ?? 0),
                ExistingFilesCount = (int)(Get(r, "existing_files_count") ?? 0),
                DeletedFilesCount = (int)(Get(r, "deleted_files_count") ?? 0),
                AddedRowsCount = (long)(Get(r, "added_rows_count") ?? 0L),
                ExistingRowsCount = (long)(Get(r, "existing_rows_count") ?? 0L),
                DeletedRowsCount = (long)(Get(r, "deleted_rows_count") ?? 0L),
                Partitions = (Get(r, "partitions") as IEnumerable<object?>)?.Select(p =>
                {
                    var s = (AvroRecord)p!;
                    return new PartitionFieldSummary((bool)s["contains_null"]!, (bool?)Get(s, "contains_nan"), (byte[]?)Get(s, "lower_bound"), (byte[]?)Get(s, "upper_bound"));
                }).ToList(),
            });
        }

        return result;
    }

    /// <summary>
    /// Reads a manifest, resolving sequence-number inheritance from <paramref name="manifest"/> (the list entry).
    /// Partition values come back in the value model; <paramref name="specs"/> and <paramref name="schema"/> type them.
    /// </summary>
    public static List<ManifestEntry> ReadManifest(byte[] data, ManifestFile manifest, IReadOnlyList<PartitionSpec> specs, IcebergSchema schema)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(specs);
        var location = manifest.Path;
        var spec = specs.FirstOrDefault(s => s.SpecId == manifest.SpecId)
            ?? throw new IcebergFormatException($"manifest {location}: partition spec {manifest.SpecId} is not in the table metadata");
        var types = spec.ResultTypes(schema);
        var result = new List<ManifestEntry>();
        foreach (var r in ReadRecords(data, location, "manifest_entry", root => CheckEntrySchema(root, location)))
        {
            var status = (EntryStatus)(int)r["status"]!;
            var snapshotId = (long?)Get(r, "snapshot_id");
            var sequence = (long?)Get(r, "sequence_number");
            var fileSequence = (long?)Get(r, "file_sequence_number");

            // Spec "Sequence Number Inheritance": only ADDED entries may leave them null.
            if (status == EntryStatus.Added)
            {
                snapshotId ??= manifest.AddedSnapshotId;
                sequence ??= manifest.SequenceNumber;
                fileSequence ??= manifest.SequenceNumber;
            }
            else if (sequence is null)
            {
                throw new IcebergFormatException($"manifest {location}: an {status} entry has no sequence_number; only ADDED entries may inherit it");
            }

            snapshotId ??= manifest.AddedSnapshotId;
            var f = (AvroRecord)r["data_file"]!;
            var partitionRecord = (AvroRecord)f["partition"]!;
            var partition = new object?[spec.Fields.Count];
            for (var i = 0; i < partition.Length; i++)
            {
                partition[i] = FromAvro(types[i], partitionRecord.TryGetValue(spec.Fields[i].Name, out var v) ? v : null);
            }

            result.Add(new ManifestEntry(status, snapshotId, sequence, fileSequence ?? sequence, new DataFile
            {
                Content = (FileContent)(int)(Get(f, "content") ?? 0),
                Path = (string)f["file_path"]!,
                Format = ((string)f["file_format"]!).ToUpperInvariant(),
                SpecId = spec.SpecId,
                Partition = partition,
                RecordCount = (long)f["record_count"]!,
                FileSizeInBytes = (long)f["file_size_in_bytes"]!,
                ColumnSizes = LongMap(Get(f, "column_sizes")),
                ValueCounts = LongMap(Get(f, "value_counts")),
                NullValueCounts = LongMap(Get(f, "null_value_counts")),
                NanValueCounts = LongMap(Get(f, "nan_value_counts")),
                LowerBounds = BytesMap(Get(f, "lower_bounds")),
                UpperBounds = BytesMap(Get(f, "upper_bounds")),
                SplitOffsets = (Get(f, "split_offsets") as IEnumerable<object?>)?.Select(o => (long)o!).ToList(),
                EqualityIds = (Get(f, "equality_ids") as IEnumerable<object?>)?.Select(o => (int)o!).ToList(),
                SortOrderId = (int?)Get(f, "sort_order_id"),
                ReferencedDataFile = (string?)Get(f, "referenced_data_file"),
            }));
        }

        return result;
    }

    private static object? Get(AvroRecord r, string name) => r.TryGetValue(name, out var v) ? v : null;

    private static byte[] Text(long value) => Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    private static List<AvroRecord> ReadRecords(byte[] data, string location, string recordName, Action<RecordSchema> check)
    {
        try
        {
            using var reader = new AvroContainerReader(new MemoryStream(data, writable: false));
            if (reader.Schema is not RecordSchema root)
            {
                throw new IcebergFormatException($"{location}: the Avro schema is {reader.Schema.Type}, expected record {recordName}");
            }

            check(root);
            return [.. reader.Cast<AvroRecord>()];
        }
        catch (Exception e) when (e is AvroDataException or AvroSchemaException or EndOfStreamException or InvalidCastException or Compression.CompressionException or InvalidDataException)
        {
            throw new IcebergFormatException($"{location} is not a readable Iceberg {recordName} file: {e.Message}", e);
        }
    }

    private static void CheckEntrySchema(RecordSchema root, string location)
    {
        CheckIds(root, ManifestSchemas.EntryIds, location, "");
        var dataFile = Unwrap(root.GetField("data_file")!.Schema) as RecordSchema
            ?? throw new IcebergFormatException($"manifest {location}: data_file is not a record");
        CheckIds(dataFile, ManifestSchemas.DataFileIds, location, "data_file.");
        if (Unwrap(dataFile.GetField("partition")!.Schema) is RecordSchema partition)
        {
            foreach (var f in partition.Fields)
            {
                FieldId(f, location, "data_file.partition.");
            }
        }
    }

    private static void CheckIds(RecordSchema record, IReadOnlyDictionary<string, int> expected, string location, string prefix)
    {
        foreach (var field in record.Fields)
        {
            var id = FieldId(field, location, prefix);
            if (expected.TryGetValue(field.Name, out var want) && want != id)
            {
                throw new IcebergFormatException($"{location}: field '{prefix}{field.Name}' has field-id {id}, but the Iceberg spec assigns {want}");
            }
        }

        foreach (var (name, id) in expected)
        {
            var optional = name is "key_metadata" or "partitions" or "nan_value_counts" or "equality_ids" or "sort_order_id" or "referenced_data_file"
                or "split_offsets" or "column_sizes" or "value_counts" or "null_value_counts" or "lower_bounds" or "upper_bounds" or "file_sequence_number"
                or "content" or "sequence_number" or "min_sequence_number" or "added_files_count" or "existing_files_count" or "deleted_files_count"
                or "added_rows_count" or "existing_rows_count" or "deleted_rows_count";
            if (!optional && record.GetField(name) is null)
            {
                throw new IcebergFormatException($"{location}: required field '{prefix}{name}' (field-id {id}) is missing");
            }
        }
    }

    private static int FieldId(AvroField field, string location, string prefix)
    {
        if (!field.Properties.TryGetValue("field-id", out var id) || id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out var value))
        {
            throw new IcebergFormatException($"{location}: field '{prefix}{field.Name}' has no field-id; Iceberg manifests must carry a field-id on every field (readers such as Spark and PyIceberg fail with \"missing field-id\")");
        }

        return value;
    }

    private static AvroSchema Unwrap(AvroSchema s) => s is UnionSchema u ? u.Branches.First(b => b.Type != AvroType.Null) : s;

    private static Dictionary<int, long>? LongMap(object? value) =>
        (value as IEnumerable<object?>)?.Cast<AvroRecord>().ToDictionary(r => (int)r["key"]!, r => (long)r["value"]!);

    private static Dictionary<int, byte[]>? BytesMap(object? value) =>
        (value as IEnumerable<object?>)?.Cast<AvroRecord>().ToDictionary(r => (int)r["key"]!, r => (byte[])r["value"]!);

    private static Dictionary<string, object?> EntryRecord(ManifestEntry e, List<(PartitionField Field, PrimitiveType Type)> partition)
    {
        var f = e.File;
        var p = new Dictionary<string, object?>();
        for (var i = 0; i < partition.Count; i++)
        {
            p[partition[i].Field.Name] = ToAvro(partition[i].Type, f.Partition[i]);
        }

        return new Dictionary<string, object?>
        {
            ["status"] = (int)e.Status,
            ["snapshot_id"] = e.SnapshotId,
            ["sequence_number"] = e.SequenceNumber,
            ["file_sequence_number"] = e.FileSequenceNumber,
            ["data_file"] = new Dictionary<string, object?>
            {
                ["content"] = (int)f.Content,
                ["file_path"] = f.Path,
                ["file_format"] = f.Format,
                ["partition"] = p,
                ["record_count"] = f.RecordCount,
                ["file_size_in_bytes"] = f.FileSizeInBytes,
                ["column_sizes"] = Pairs(f.ColumnSizes),
                ["value_counts"] = Pairs(f.ValueCounts),
                ["null_value_counts"] = Pairs(f.NullValueCounts),
                ["nan_value_counts"] = Pairs(f.NanValueCounts),
                ["lower_bounds"] = Pairs(f.LowerBounds),
                ["upper_bounds"] = Pairs(f.UpperBounds),
                ["key_metadata"] = null,
                ["split_offsets"] = f.SplitOffsets?.Select(o => (object?)o).ToList(),
                ["equality_ids"] = f.EqualityIds?.Select(o => (object?)o).ToList(),
                ["sort_order_id"] = f.SortOrderId,
                ["referenced_data_file"] = f.ReferencedDataFile,
            },
        };
    }

    private static List<object?>? Pairs<T>(IReadOnlyDictionary<int, T>? map) =>
        map?.OrderBy(p => p.Key).Select(p => (object?)new Dictionary<string, object?> { ["key"] = p.Key, ["value"] = p.Value }).ToList();

    /// <summary>A partition value in its Avro representation (days, micros, big-endian bytes...).</summary>
    internal static object? ToAvro(PrimitiveType type, object? value)
    {
        if (value is null)
        {
            return null;
        }

        return type.Id switch
        {
            TypeId.Date => Values.Days(value),
            TypeId.Time => value is TimeOnly t ? t.Ticks / 10 : value,
            TypeId.Timestamp or TypeId.TimestampTz => Values.Micros(value),
            TypeId.Uuid => Values.ToBytes(type, value),
            TypeId.Decimal => SignExtend(Values.Unscaled(value, type.Scale), ManifestSchemas.DecimalBytes(type.Precision)),
            TypeId.Long => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            _ => value,
        };
    }

    private static object? FromAvro(PrimitiveType type, object? value)
    {
        if (value is null)
        {
            return null;
        }

        return type.Id switch
        {
            TypeId.Date => Values.Date((int)value),
            TypeId.Time => new TimeOnly((long)value * 10),
            TypeId.Timestamp => Values.Timestamp((long)value),
            TypeId.TimestampTz => Values.TimestampTz((long)value),
            TypeId.Uuid => new Guid(Bytes(value), bigEndian: true),
            TypeId.Decimal => Values.Decimal(new BigInteger(Bytes(value), isUnsigned: false, isBigEndian: true), type.Scale, type.Precision),
            TypeId.Fixed => Bytes(value),
            _ => value,
        };
    }

    private static byte[] Bytes(object value) => value switch
    {
        byte[] b => b,
        AvroFixed f => f.Value,
        _ => throw new IcebergFormatException($"expected bytes, found {value.GetType().Name}"),
    };

    private static byte[] SignExtend(BigInteger value, int size)
    {
        var minimal = value.ToByteArray(isUnsigned: false, isBigEndian: true);
        var result = new byte[size];
        var fill = value.Sign < 0 ? (byte)0xFF : (byte)0;
        Array.Fill(result, fill);
        minimal.CopyTo(result.AsSpan(size - minimal.Length));
        return result;
    }

    private static List<PartitionFieldSummary> Summaries(IReadOnlyList<ManifestEntry> entries, IReadOnlyList<PrimitiveType> types)
    {
        var result = new List<PartitionFieldSummary>(types.Count);
        for (var i = 0; i < types.Count; i++)
        {
            var type = types[i];
            var containsNull = false;
            bool? containsNan = type.Id is TypeId.Float or TypeId.Double ? false : null;
            object? lower = null, upper = null;
            foreach (var e in entries)
            {
                var v = e.File.Partition[i];
                if (v is null)
                {
                    containsNull = true;
                    continue;
                }

                if (v is double.NaN or float.NaN)
                {
                    containsNan = true;
                    continue;
                }

                if (lower is null || Values.Compare(type, v, lower) < 0)
                {
                    lower = v;
                }

                if (upper is null || Values.Compare(type, v, upper) > 0)
                {
                    upper = v;
                }
            }

            result.Add(new PartitionFieldSummary(containsNull, containsNan, lower is null ? null : Values.ToBytes(type, lower), upper is null ? null : Values.ToBytes(type, upper)));
        }

        return result;
    }
}
