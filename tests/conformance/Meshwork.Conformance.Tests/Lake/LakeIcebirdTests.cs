using System.Globalization;
using System.Text.Json.Nodes;
using Meshwork.Lake;
using Meshwork.Lake.IO;
using Meshwork.Lake.Metadata;
using Meshwork.Server;
using Meshwork.Server.Configuration;
using Meshwork.Testing;

namespace Meshwork.Conformance.Tests.Lake;

/// <summary>
/// Tables written by the lake of a running mesh, on local disk and on a loopback S3 server (s3rver), are read by
/// icebird (npm) with the right rows and values — after appends, upserts (equality deletes), deletes by key and
/// deletes by predicate (position deletes), and at an older version (time travel) — and their manifests and
/// manifest lists are read by python3-avro, which finds every field id the spec assigns.
/// </summary>
public class LakeIcebirdTests
{
    private const string Bucket = "meshwork-lake";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Every struct field is optional: icebird 0.3.1 pins hyparquet 1.19, which cannot assemble a required field
    // inside an optional struct ("parquet struct parsing error"); DuckDB and hyparquet 1.31 read those (Formats tests).
    private static IcebergSchema Schema() => new(0,
    [
        NestedField.Require(1, "id", PrimitiveType.Long),
        NestedField.Optional(2, "customer", PrimitiveType.String),
        NestedField.Optional(3, "amount", PrimitiveType.Decimal(10, 2)),
        NestedField.Optional(4, "placed_at", PrimitiveType.TimestampTz),
        NestedField.Optional(5, "vip", PrimitiveType.Boolean),
        NestedField.Optional(6, "address", new StructType([NestedField.Optional(7, "city", PrimitiveType.String), NestedField.Optional(8, "zip", PrimitiveType.Int)])),
        NestedField.Optional(9, "tags", new ListType(10, true, PrimitiveType.String)),
    ], [1]);

    private static readonly string[] Names = ["Zoë", "東京商事", "Ålesund AS", "😀 emoji ltd", "O'Brien \"quoted\"", "", "plain"];

    private static object?[] RandomRow(Random random, long id)
    {
        object? Maybe(object? v) => random.Next(6) == 0 ? null : v;
        var placed = DateTimeOffset.FromUnixTimeMilliseconds(random.NextInt64(946684800000, 1893456000000));
        var amount = decimal.Round((decimal)(random.NextDouble() * 200000) - 100000m, 2);
        var tags = new List<object?>();
        for (var i = random.Next(3); i > 0; i--)
        {
            tags.Add("t" + random.Next(100).ToString(CultureInfo.InvariantCulture));
        }

        return [id, Maybe(Names[random.Next(Names.Length)] + id.ToString(CultureInfo.InvariantCulture)), Maybe(amount), Maybe(placed), Maybe(random.Next(2) == 0),
            Maybe(new object?[] { Maybe("City " + random.Next(50).ToString(CultureInfo.InvariantCulture)), random.Next(10000, 99999) }), Maybe(tags)];
    }

    /// <summary>A row as icebird prints it (see icebird_read.mjs).</summary>
    private static JsonObject Expected(object?[] r)
    {
        var address = r[5] as object?[];
        return new JsonObject
        {
            ["id"] = "long:" + ((long)r[0]!).ToString(CultureInfo.InvariantCulture),
            ["customer"] = (string?)r[1],
            ["amount"] = r[2] is decimal d ? JsonValue.Create((double)d) : null,
            ["placed_at"] = r[3] is DateTimeOffset t ? "ms:" + t.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : null,
            ["vip"] = r[4] is bool b ? JsonValue.Create(b) : null,
            ["address"] = address is null ? null : new JsonObject { ["city"] = (string?)address[0], ["zip"] = (int?)address[1] },
            ["tags"] = r[6] is List<object?> tags ? new JsonArray([.. tags.Select(x => (JsonNode?)JsonValue.Create((string?)x))]) : null,
        };
    }

    private static void AssertSameRows(IEnumerable<object?[]> expected, JsonArray actual, string what)
    {
        var want = expected.OrderBy(r => (long)r[0]!).Select(Expected).ToList();
        var got = actual.Select(n => n!.AsObject()).OrderBy(o => long.Parse(((string)o["id"]!)[5..], CultureInfo.InvariantCulture)).ToList();

        // hyparquet turns a decimal into unscaled × 10^-scale as a double; the exact value is that double rounded to the scale.
        foreach (var o in got.Where(o => o["amount"] is not null))
        {
            o["amount"] = (double)decimal.Round((decimal)o["amount"]!.GetValue<double>(), 2);
        }

        Assert.True(want.Count == got.Count, $"{what}: {want.Count} rows expected, icebird read {got.Count}");
        for (var i = 0; i < want.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(want[i], got[i]), $"{what}: row {i} differs{Environment.NewLine}expected {want[i].ToJsonString()}{Environment.NewLine}icebird  {got[i].ToJsonString()}");
        }
    }

    [Theory]
    [InlineData("local")]
    [InlineData("s3")]
    public async Task Icebird_ReadsOurTables_AfterAppendsUpsertsAndDeletes(string storage)
    {
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        using var dir = new TempDirectory("lake-icebird");
        await using var s3 = storage == "s3" ? await LakeTools.S3Server.StartAsync(dir.Combine("s3"), Bucket) : null;
        var lakeOptions = s3 is null
            ? new LakeOptions { Storage = LakeStorage.Local }
            : new LakeOptions { Storage = LakeStorage.S3, Bucket = Bucket, Prefix = "lake", S3 = s3.Options };
        await using var server = await MeshServer.StartAsync(MeshOptions.ForTests(dir.Combine("data")) with { Lake = lakeOptions }, cancellationToken: Ct);
        var warehouse = lakeOptions.Warehouse(dir.Combine("data"));
        await using var files = s3 is null ? await LakeTools.StaticServer.StartAsync(dir.Combine("data", "lake")) : null;

        // icebird fetches the locations in our metadata; map them onto the loopback server holding them.
        var (tableUrl, rewrite) = s3 is null
            ? (new Uri(files!.Address, "sales/orders").ToString(), $"{warehouse}/={files.Address}")
            : ($"{s3.Endpoint}/{Bucket}/lake/sales/orders", $"https://{Bucket}.s3.amazonaws.com/={s3.Endpoint}/{Bucket}/");

        await server.Lake.CreateNamespaceAsync(["sales"], cancellationToken: Ct);
        var schema = Schema();
        var spec = PartitionSpec.Build(schema, 0, PartitionSpec.UnpartitionedLastId, ("id", Transform.Bucket(4)));
        var table = await server.Lake.CreateTableAsync(new TableIdentifier(["sales"], "orders"), schema, spec, cancellationToken: Ct);
        Assert.Equal(warehouse + "/sales/orders", table.Location);

        var model = new Dictionary<long, object?[]>();
        var first = Enumerable.Range(1, 60).Select(i => RandomRow(random, i)).ToList();
        foreach (var r in first)
        {
            model[(long)r[0]!] = r;
        }

        var s1 = await table.NewTransaction().Append(first).SetSummaryProperty("kafka.offsets", "sales.orders.v1:0=59").CommitAsync(Ct);
        var read = await LakeTools.NodeAsync("icebird_read.mjs", tableUrl, "-", rewrite);
        Assert.Equal(s1.SnapshotId.ToString(CultureInfo.InvariantCulture), (string)read["currentSnapshotId"]!);
        AssertSameRows(model.Values, read["rows"]!.AsArray(), $"after append (seed {seed})");
        var versionAfterAppend = MetadataFiles.Version(table.MetadataLocation);

        // Upserts (existing and new keys, last one wins), deletes by key (equality deletes) and by predicate (position deletes).
        var upserts = Enumerable.Range(0, 15).Select(_ => RandomRow(random, random.Next(1, 80))).ToList();
        var deletedKeys = Enumerable.Range(0, 5).Select(_ => (long)random.Next(1, 80)).Distinct().ToList();
        var tx = table.NewTransaction().Upsert(upserts).Delete(deletedKeys.Select(k => new object?[] { k }));
        foreach (var r in upserts)
        {
            model[(long)r[0]!] = r;
        }

        foreach (var k in deletedKeys)
        {
            model.Remove(k);
        }

        var s2 = await tx.CommitAsync(Ct);
        Assert.Equal("overwrite", s2.Operation);
        var s3Snapshot = await table.NewTransaction().DeleteWhere(r => r[4] is true).CommitAsync(Ct);
        Assert.Equal("delete", s3Snapshot.Operation);
        foreach (var k in model.Where(p => p.Value[4] is true).Select(p => p.Key).ToList())
        {
            model.Remove(k);
        }

        read = await LakeTools.NodeAsync("icebird_read.mjs", tableUrl, "-", rewrite);
        AssertSameRows(model.Values, read["rows"]!.AsArray(), $"after upserts and deletes (seed {seed})");
        var ours = await table.ReadAsync(null, Ct);
        Assert.Equal(model.Keys.Order(), ours.Rows.Select(r => (long)r[0]!).Order());

        // Time travel: the metadata file of the first commit still reads as it was.
        var old = await LakeTools.NodeAsync("icebird_read.mjs", tableUrl, $"v{versionAfterAppend}.metadata.json", rewrite);
        AssertSameRows(first, old["rows"]!.AsArray(), $"at v{versionAfterAppend} (seed {seed})");

        await AssertFieldIdsAsync(table, dir.Combine("avro"));
    }

    [Fact]
    public async Task Icebird_ReadsAFlatTable_WrittenThroughTheColumnarPath()
    {
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        using var dir = new TempDirectory("lake-icebird-flat");
        await using var files = await LakeTools.StaticServer.StartAsync(dir.Path);
        var schema = new IcebergSchema(0,
        [
            NestedField.Require(1, "id", PrimitiveType.Long),
            NestedField.Optional(2, "customer", PrimitiveType.String),
            NestedField.Optional(3, "amount", PrimitiveType.Decimal(10, 2)),
            NestedField.Optional(4, "placed_at", PrimitiveType.TimestampTz),
            NestedField.Optional(5, "vip", PrimitiveType.Boolean),
            NestedField.Optional(6, "quantity", PrimitiveType.Int),
            NestedField.Optional(7, "price", PrimitiveType.Double),
        ], [1]);
        var location = LocalFileIO.ToLocation(dir.Combine("flat"));
        var table = await LakeTable.CreateAsync(new LocalFileIO(), location, schema, cancellationToken: Ct);

        // More rows than one columnar batch, so batches and their metrics merge.
        var rows = Enumerable.Range(1, 20000).Select(i =>
        {
            var r = RandomRow(random, i);
            return new object?[] { r[0], r[1], r[2], r[3], r[4], random.Next(5) == 0 ? null : random.Next(-1000, 1000), random.Next(5) == 0 ? null : Math.Round(random.NextDouble() * 1000, 3) };
        }).ToList();
        await table.NewTransaction().Append(rows).CommitAsync(Ct);
        await table.NewTransaction().Upsert(rows.Take(10).Select(r => (object?[])[r[0], "changed", r[2], r[3], r[4], r[5], r[6]])).CommitAsync(Ct);
        var expected = rows.Select(r => (object?[])r.Clone()).ToList();
        foreach (var r in expected.Take(10))
        {
            r[1] = "changed";
        }

        var read = await LakeTools.NodeAsync("icebird_read.mjs", new Uri(files.Address, "flat").ToString(), "-", $"{LocalFileIO.ToLocation(dir.Path)}/={files.Address}");
        var got = read["rows"]!.AsArray().Select(n => n!.AsObject()).OrderBy(o => long.Parse(((string)o["id"]!)[5..], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(expected.Count, got.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var g = got[i];
            var want = new JsonObject
            {
                ["id"] = "long:" + ((long)e[0]!).ToString(CultureInfo.InvariantCulture),
                ["customer"] = (string?)e[1],
                ["amount"] = e[2] is decimal d ? JsonValue.Create((double)d) : null,
                ["placed_at"] = e[3] is DateTimeOffset t ? "ms:" + t.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) : null,
                ["vip"] = e[4] is bool b ? JsonValue.Create(b) : null,
                ["quantity"] = e[5] is int q ? JsonValue.Create(q) : null,
                ["price"] = e[6] is double p ? JsonValue.Create(p) : null,
            };
            if (g["amount"] is not null)
            {
                g["amount"] = (double)decimal.Round((decimal)g["amount"]!.GetValue<double>(), 2);
            }

            Assert.True(JsonNode.DeepEquals(want, g), $"row {i} (seed {seed}){Environment.NewLine}expected {want.ToJsonString()}{Environment.NewLine}icebird  {g.ToJsonString()}");
        }
    }

    /// <summary>python3-avro reads every manifest and manifest list of the table and finds the spec's field ids and metadata.</summary>
    private static async Task AssertFieldIdsAsync(LakeTable table, string directory)
    {
        var avroFiles = await LakeTools.DownloadAsync(table.FileIO, table.Location + "/metadata/", directory, n => n.EndsWith(".avro", StringComparison.Ordinal));
        var lists = avroFiles.Where(f => Path.GetFileName(f).StartsWith("snap-", StringComparison.Ordinal)).ToList();
        var manifests = avroFiles.Except(lists).ToList();
        Assert.NotEmpty(lists);
        Assert.NotEmpty(manifests);
        var report = await LakeTools.PythonAsync("avro_field_ids.py", [.. avroFiles]);
        foreach (var file in avroFiles)
        {
            var r = report[file]!.AsObject();
            Assert.True(r["missing"]!.AsArray().Count == 0, $"{Path.GetFileName(file)}: fields without field-id: {r["missing"]!.ToJsonString()}");
            Assert.True(r["records"]!.GetValue<int>() > 0, $"{file} has no records");
            var metadata = r["metadata"]!.AsObject();
            Assert.Equal("2", (string)metadata["format-version"]!);
            var ids = r["ids"]!.AsObject();
            if (lists.Contains(file))
            {
                foreach (var key in new[] { "snapshot-id", "parent-snapshot-id", "sequence-number" })
                {
                    Assert.True(metadata.ContainsKey(key), $"{file}: manifest list metadata lacks {key}");
                }

                foreach (var (name, id) in new[] { ("manifest_path", 500), ("manifest_length", 501), ("partition_spec_id", 502), ("content", 517), ("sequence_number", 515),
                    ("min_sequence_number", 516), ("added_snapshot_id", 503), ("added_files_count", 504), ("existing_files_count", 505), ("deleted_files_count", 506),
                    ("added_rows_count", 512), ("existing_rows_count", 513), ("deleted_rows_count", 514), ("partitions", 507), ("partitions.contains_null", 509),
                    ("partitions.contains_nan", 518), ("partitions.lower_bound", 510), ("partitions.upper_bound", 511), ("key_metadata", 519) })
                {
                    AssertId(ids, name.Replace("partitions.", "partitions[].", StringComparison.Ordinal), id, file);
                }
            }
            else
            {
                foreach (var key in new[] { "schema", "schema-id", "partition-spec", "partition-spec-id", "content" })
                {
                    Assert.True(metadata.ContainsKey(key), $"{file}: manifest metadata lacks {key}");
                }

                Assert.StartsWith("[", (string)metadata["partition-spec"]!);
                foreach (var (name, id) in new[] { ("status", 0), ("snapshot_id", 1), ("sequence_number", 3), ("file_sequence_number", 4), ("data_file", 2),
                    ("data_file.content", 134), ("data_file.file_path", 100), ("data_file.file_format", 101), ("data_file.partition", 102), ("data_file.record_count", 103),
                    ("data_file.file_size_in_bytes", 104), ("data_file.column_sizes", 108), ("data_file.column_sizes[].key", 117), ("data_file.column_sizes[].value", 118),
                    ("data_file.value_counts", 109), ("data_file.null_value_counts", 110), ("data_file.nan_value_counts", 137), ("data_file.lower_bounds", 125),
                    ("data_file.lower_bounds[].key", 126), ("data_file.lower_bounds[].value", 127), ("data_file.upper_bounds", 128), ("data_file.key_metadata", 131),
                    ("data_file.split_offsets", 132), ("data_file.equality_ids", 135), ("data_file.sort_order_id", 140), ("data_file.referenced_data_file", 143) })
                {
                    AssertId(ids, name, id, file);
                }

                if ((string)metadata["content"]! == "data")
                {
                    AssertId(ids, "data_file.partition.id_bucket", 1000, file);
                }
            }
        }
    }

    private static void AssertId(JsonObject ids, string path, int expected, string file)
    {
        Assert.True(ids.ContainsKey(path), $"{Path.GetFileName(file)}: python3-avro found no field {path} (fields: {string.Join(", ", ids.Select(p => p.Key))})");
        Assert.Equal(expected, ids[path]!.GetValue<int>());
    }
}
