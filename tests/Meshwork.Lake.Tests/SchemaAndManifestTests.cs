using Meshwork.Formats.Avro;
using Meshwork.Lake.Manifests;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake.Tests;

/// <summary>Registry schemas to Iceberg schemas across versions, metadata JSON, and manifests round trips.</summary>
public class SchemaAndManifestTests
{
    private const string OrderV1 = """
        {"type":"record","name":"Order","namespace":"sales","fields":[
          {"name":"order_id","type":"long"},
          {"name":"customer","type":["null","string"],"default":null,"doc":"who ordered"},
          {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
          {"name":"placed_at","type":{"type":"long","logicalType":"timestamp-micros"}},
          {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"]}},
          {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"int"}]}}},
          {"name":"attributes","type":{"type":"map","values":"string"}}
        ]}
        """;

    private const string OrderV2 = """
        {"type":"record","name":"Order","namespace":"sales","fields":[
          {"name":"order_id","type":"long"},
          {"name":"channel","type":["null","string"],"default":null},
          {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
          {"name":"placed_at","type":{"type":"long","logicalType":"timestamp-micros"}},
          {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"]}},
          {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"int"},{"name":"price","type":["null","double"],"default":null}]}}},
          {"name":"attributes","type":{"type":"map","values":"string"}}
        ]}
        """;

    [Fact]
    public void FromAvro_KeepsIdsStableByName_AndGivesNewFieldsNewIds()
    {
        var last = 0;
        var v1 = SchemaMapper.FromAvro(AvroSchema.Parse(OrderV1), null, ref last, ["order_id"]);
        Assert.Equal(["order_id", "customer", "amount", "placed_at", "status", "lines", "attributes"], v1.Fields.Select(f => f.Name));
        Assert.Equal(PrimitiveType.Decimal(12, 2), v1.FindField("amount")!.Type);
        Assert.Equal(PrimitiveType.TimestampTz, v1.FindField("placed_at")!.Type);
        Assert.Equal(PrimitiveType.String, v1.FindField("status")!.Type);
        Assert.False(v1.FindField("customer")!.Required);
        Assert.Equal("who ordered", v1.FindField("customer")!.Doc);
        Assert.Equal([v1.FindField("order_id")!.Id], v1.IdentifierFieldIds);
        Assert.Equal(v1.HighestFieldId, last);

        var before = last;
        var v2 = SchemaMapper.FromAvro(AvroSchema.Parse(OrderV2), v1, ref last, null);
        Assert.Equal(v1.SchemaId + 1, v2.SchemaId);
        foreach (var name in new[] { "order_id", "amount", "placed_at", "status", "lines", "attributes" })
        {
            Assert.Equal(v1.FindField(name)!.Id, v2.FindField(name)!.Id);
        }

        Assert.Equal(before + 1, v2.FindField("channel")!.Id);
        var lines = (ListType)v2.FindField("lines")!.Type;
        Assert.Equal(((ListType)v1.FindField("lines")!.Type).ElementId, lines.ElementId);
        Assert.Equal(before + 2, ((StructType)lines.Element).Field("price")!.Id);
        Assert.Equal(before + 2, last);
        Assert.Equal(v1.IdentifierFieldIds, v2.IdentifierFieldIds);
        Assert.Same(v2, SchemaMapper.FromAvro(AvroSchema.Parse(OrderV2), v2, ref last, null));
    }

    [Fact]
    public void FromJsonSchema_MapsFormatsAndRequired_AndEvolves()
    {
        const string V1 = """{"type":"object","properties":{"id":{"type":"integer"},"email":{"type":["string","null"],"format":"email"},"at":{"type":"string","format":"date-time"},"tags":{"type":"array","items":{"type":"string"}},"extra":{"type":"object","additionalProperties":{"type":"number"}}},"required":["id","at"]}""";
        const string V2 = """{"type":"object","properties":{"id":{"type":"integer"},"at":{"type":"string","format":"date-time"},"day":{"type":"string","format":"date"}},"required":["id","at"]}""";
        var last = 0;
        var v1 = SchemaMapper.FromJsonSchema(V1, null, ref last, ["id"]);
        Assert.True(v1.FindField("id")!.Required);
        Assert.Equal(PrimitiveType.Long, v1.FindField("id")!.Type);
        Assert.False(v1.FindField("email")!.Required);
        Assert.Equal(PrimitiveType.TimestampTz, v1.FindField("at")!.Type);
        Assert.IsType<MapType>(v1.FindField("extra")!.Type);
        var v2 = SchemaMapper.FromJsonSchema(V2, v1, ref last);
        Assert.Equal(v1.FindField("at")!.Id, v2.FindField("at")!.Id);
        Assert.Equal(PrimitiveType.Date, v2.FindField("day")!.Type);
        Assert.True(v2.FindField("day")!.Id > v1.HighestFieldId);
    }

    [Fact]
    public void TableMetadata_RoundTripsThroughJson_WithEveryV2Field()
    {
        var schema = TableTests.OrdersSchema();
        var spec = PartitionSpec.Build(schema, 0, PartitionSpec.UnpartitionedLastId, ("id", Transform.Bucket(8)), ("customer", Transform.Truncate(2)));
        var m = TableMetadata.Create("s3://bucket/lake/sales/orders", schema, spec, new SortOrder(1, [new SortField(1, Transform.Identity, false, true)]),
            new Dictionary<string, string> { ["owner"] = "sales" }, 1700000000000);
        m = m.WithSnapshot(new Snapshot(42, null, 1, 1700000000001, "s3://bucket/lake/sales/orders/metadata/snap-42.avro", new Dictionary<string, string> { ["operation"] = "append", ["kafka.offsets"] = "t:0=5" }, 0));
        var json = m.ToJson();
        foreach (var key in new[] { "\"format-version\":2", "\"table-uuid\"", "\"last-sequence-number\":1", "\"last-column-id\":9", "\"current-schema-id\":0", "\"default-spec-id\":0",
            "\"last-partition-id\":1001", "\"default-sort-order-id\":1", "\"current-snapshot-id\":42", "\"snapshot-log\"", "\"metadata-log\"", "\"refs\":{\"main\":{\"snapshot-id\":42,\"type\":\"branch\"}}",
            "\"identifier-field-ids\":[1]", "\"transform\":\"bucket[8]\"", "\"decimal(12, 2)\"" })
        {
            Assert.Contains(key, json);
        }

        var back = TableMetadata.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.Equal("t:0=5", back.CurrentSnapshot!.Summary["kafka.offsets"]);
    }

    [Fact]
    public void Manifest_RoundTrips_WithPartitionValuesStatsAndInheritedSequenceNumbers()
    {
        var schema = TableTests.OrdersSchema();
        var spec = PartitionSpec.Build(schema, 0, PartitionSpec.UnpartitionedLastId, ("placed_at", Transform.Day), ("amount", Transform.Identity), ("customer", Transform.Identity));
        var file = new DataFile
        {
            Path = "file:///t/data/a.parquet",
            SpecId = 0,
            Partition = [new DateOnly(2024, 2, 29), -12.34m, null],
            RecordCount = 10,
            FileSizeInBytes = 1234,
            ValueCounts = new Dictionary<int, long> { [1] = 10 },
            NullValueCounts = new Dictionary<int, long> { [1] = 0 },
            LowerBounds = new Dictionary<int, byte[]> { [1] = Values.ToBytes(PrimitiveType.Long, 1L) },
            UpperBounds = new Dictionary<int, byte[]> { [1] = Values.ToBytes(PrimitiveType.Long, 10L) },
            SplitOffsets = [4],
            SortOrderId = 0,
        };
        var (bytes, summary) = ManifestFiles.WriteManifest([new ManifestEntry(EntryStatus.Added, 7, null, null, file)], ManifestContent.Data, spec, schema, 7);
        Assert.Equal(1, summary.AddedFilesCount);
        Assert.True(summary.Partitions![2].ContainsNull);
        Assert.Equal(Values.ToBytes(PrimitiveType.Decimal(12, 2), -12.34m), summary.Partitions[1].LowerBound);

        var listEntry = summary with { Path = "file:///t/metadata/m0.avro", SequenceNumber = 5, MinSequenceNumber = 5 };
        var entries = ManifestFiles.ReadManifest(bytes, listEntry, [spec], schema);
        var e = Assert.Single(entries);
        Assert.Equal(5, e.SequenceNumber);
        Assert.Equal(5, e.FileSequenceNumber);
        Assert.Equal([new DateOnly(2024, 2, 29), -12.34m, null], e.File.Partition);
        Assert.Equal(10L, Values.FromBytes(PrimitiveType.Long, e.File.UpperBounds![1]));
        Assert.Equal([4L], e.File.SplitOffsets!);

        var list = ManifestFiles.WriteManifestList([listEntry], 7, null, 5);
        var read = Assert.Single(ManifestFiles.ReadManifestList(list, "snap"));
        Assert.Equal(listEntry.Path, read.Path);
        Assert.Equal(5, read.SequenceNumber);
        Assert.Equal(summary.Partitions[1].LowerBound, read.Partitions![1].LowerBound);

        // EXISTING entries must carry their sequence numbers; one that does not is a broken manifest.
        var (existing, _) = ManifestFiles.WriteManifest([new ManifestEntry(EntryStatus.Existing, 7, null, null, file)], ManifestContent.Data, spec, schema, 7);
        var error = Assert.Throws<IcebergFormatException>(() => ManifestFiles.ReadManifest(existing, listEntry, [spec], schema));
        Assert.Contains("only ADDED entries may inherit", error.Message);
    }
}
