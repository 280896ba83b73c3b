using Meshwork.Lake.IO;
using Meshwork.Lake.Manifests;
using Meshwork.Lake.Metadata;
using Meshwork.Testing;

namespace Meshwork.Lake.Tests;

/// <summary>Writes, reads, deletes, upserts, time travel and maintenance on file-system-layout tables.</summary>
public class TableTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static IcebergSchema OrdersSchema() => new(0,
    [
        NestedField.Require(1, "id", PrimitiveType.Long),
        NestedField.Optional(2, "customer", PrimitiveType.String),
        NestedField.Optional(3, "amount", PrimitiveType.Decimal(12, 2)),
        NestedField.Optional(4, "placed_at", PrimitiveType.TimestampTz),
        NestedField.Optional(5, "address", new StructType([NestedField.Optional(6, "city", PrimitiveType.String), NestedField.Optional(7, "zip", PrimitiveType.Int)])),
        NestedField.Optional(8, "tags", new ListType(9, false, PrimitiveType.String)),
    ], [1]);

    internal static object?[] Order(long id, string customer = "c", decimal amount = 1.5m, int day = 0) =>
        [id, customer, amount, new DateTimeOffset(2024, 1, 1, 12, 0, 0, TimeSpan.Zero).AddDays(day), new object?[] { "Paris", 75000 + (int)id }, new List<object?> { "a", null }];

    private static async Task<LakeTable> NewTable(TempDirectory dir, PartitionSpec? spec = null) =>
        await LakeTable.CreateAsync(new LocalFileIO(), LocalFileIO.ToLocation(dir.Combine("orders")), OrdersSchema(), spec, cancellationToken: Ct);

    [Fact]
    public async Task Append_ThenRead_ReturnsEveryRow()
    {
        using var dir = new TempDirectory("lake-append");
        var table = await NewTable(dir);
        var snapshot = await table.NewTransaction().Append([Order(1), Order(2), Order(3)]).SetSummaryProperty("kafka.offsets", "orders:0=3").CommitAsync(Ct);
        Assert.Equal("append", snapshot.Operation);
        Assert.Equal("orders:0=3", snapshot.Summary["kafka.offsets"]);
        Assert.Equal("3", snapshot.Summary["total-records"]);
        var reopened = await LakeTable.LoadAsync(new LocalFileIO(), table.Location, cancellationToken: Ct);
        var rows = await reopened.ReadAsync(null, Ct);
        Assert.Equal([1L, 2L, 3L], rows.Rows.Select(r => (long)r[0]!).Order());
        var first = rows.Rows.Single(r => (long)r[0]! == 1);
        Assert.Equal(1.5m, first[2]);
        Assert.Equal("Paris", ((object?[])first[4]!)[0]);
        Assert.Equal(new List<object?> { "a", null }, first[5]);
        Assert.Equal(snapshot.SnapshotId, reopened.CurrentSnapshot!.SnapshotId);
        Assert.Equal(2, MetadataFiles.Version(reopened.MetadataLocation));
    }

    [Fact]
    public async Task UpsertAndDelete_ByKey_UseEqualityDeletes_AndTimeTravelSeesOldRows()
    {
        using var dir = new TempDirectory("lake-upsert");
        var table = await NewTable(dir);
        var first = await table.NewTransaction().Append([Order(1, "ann"), Order(2, "bob"), Order(3, "cy")]).CommitAsync(Ct);
        var second = await table.NewTransaction().Upsert([Order(2, "bob-v2"), Order(4, "dee"), Order(4, "dee-v2")]).Delete([[3L]]).CommitAsync(Ct);
        Assert.Equal("overwrite", second.Operation);
        Assert.Equal("1", second.Summary["added-equality-delete-files"]);
        var now = await table.ReadAsync(null, Ct);
        Assert.Equal(["ann", "bob-v2", "dee-v2"], now.Rows.Select(r => (string)r[1]!).Order());
        var then = await table.ReadAsync(first.SnapshotId, Ct);
        Assert.Equal(["ann", "bob", "cy"], then.Rows.Select(r => (string)r[1]!).Order());
        var files = await table.LiveFilesAsync(null, Ct);
        var eq = files.Single(f => f.File.Content == FileContent.EqualityDeletes);
        Assert.Equal([1], eq.File.EqualityIds!);
        Assert.Equal(second.SequenceNumber, eq.SequenceNumber);
    }

    [Fact]
    public async Task DeleteWhere_WritesPositionDeletes_ThatApplyOnRead()
    {
        using var dir = new TempDirectory("lake-posdel");
        var table = await NewTable(dir);
        await table.NewTransaction().Append(Enumerable.Range(1, 10).Select(i => Order(i, "c" + i))).CommitAsync(Ct);
        var snapshot = await table.NewTransaction().DeleteWhere(r => (long)r[0]! % 2 == 0).CommitAsync(Ct);
        Assert.Equal("delete", snapshot.Operation);
        Assert.Equal("5", snapshot.Summary["added-position-deletes"]);
        var rows = await table.ReadAsync(null, Ct);
        Assert.Equal([1L, 3L, 5L, 7L, 9L], rows.Rows.Select(r => (long)r[0]!).Order());
        var pos = (await table.LiveFilesAsync(null, Ct)).Single(f => f.File.Content == FileContent.PositionDeletes);
        Assert.NotNull(pos.File.ReferencedDataFile);
    }

    [Fact]
    public async Task PartitionedTable_WritesOneFilePerPartition_WithPartitionValues()
    {
        using var dir = new TempDirectory("lake-part");
        var schema = OrdersSchema();
        var spec = PartitionSpec.Build(schema, 0, PartitionSpec.UnpartitionedLastId, ("placed_at", Transform.Day), ("id", Transform.Bucket(4)), ("customer", Transform.Truncate(1)));
        var table = await NewTable(dir, spec);
        await table.NewTransaction().Append(Enumerable.Range(0, 20).Select(i => Order(i, i % 2 == 0 ? "even" : "odd", day: i % 3))).CommitAsync(Ct);
        var files = await table.LiveFilesAsync(null, Ct);
        Assert.True(files.Count > 3);
        foreach (var f in files)
        {
            Assert.Equal(3, f.File.Partition.Count);
            Assert.IsType<DateOnly>(f.File.Partition[0]);
            Assert.InRange((int)f.File.Partition[1]!, 0, 3);
            Assert.Contains("placed_at_day=2024-01-0", f.File.Path);
        }

        await table.NewTransaction().Upsert([Order(5, "changed", day: 2)]).CommitAsync(Ct);
        var rows = await table.ReadAsync(null, Ct);
        Assert.Equal(20, rows.Rows.Count);
        Assert.Equal("changed", rows.Rows.Single(r => (long)r[0]! == 5)[1]);
    }

    [Fact]
    public async Task ConcurrentCommits_BothLand_ThroughRetries()
    {
        using var dir = new TempDirectory("lake-race");
        var table = await NewTable(dir);
        var other = await LakeTable.LoadAsync(new LocalFileIO(), table.Location, cancellationToken: Ct);
        await table.NewTransaction().Append([Order(1)]).CommitAsync(Ct);

        // `other` still holds version 1: its commit conflicts, refreshes, and retries on top.
        await other.NewTransaction().Append([Order(2)]).CommitAsync(Ct);
        await table.RefreshAsync(Ct);
        Assert.Equal([1L, 2L], (await table.ReadAsync(null, Ct)).Rows.Select(r => (long)r[0]!).Order());
        Assert.Equal(2, table.Metadata.Snapshots.Count);
        Assert.Equal(2, table.Metadata.LastSequenceNumber);
    }

    [Fact]
    public async Task ManyWritersInParallel_NeverLoseACommit()
    {
        using var dir = new TempDirectory("lake-parallel");
        var table = await NewTable(dir);
        await table.SetPropertiesAsync(new Dictionary<string, string> { [LakeTable.CommitRetriesProperty] = "50" }, Ct);
        var writers = Enumerable.Range(0, 6).Select(async w =>
        {
            var t = await LakeTable.LoadAsync(new LocalFileIO(), table.Location, cancellationToken: Ct);
            for (var i = 0; i < 3; i++)
            {
                await t.NewTransaction().Append([Order((w * 100) + i)]).CommitAsync(Ct);
            }
        });
        await Task.WhenAll(writers);
        await table.RefreshAsync(Ct);
        Assert.Equal(18, (await table.ReadAsync(null, Ct)).Rows.Count);
        Assert.Equal(18, table.Metadata.Snapshots.Count);
        Assert.Equal(18, table.Metadata.LastSequenceNumber);
    }

    [Fact]
    public async Task CompactThenExpire_DeletesReplacedFiles_AndOrphansAreRemoved()
    {
        using var dir = new TempDirectory("lake-maint");
        var table = await NewTable(dir);
        await table.NewTransaction().Append([Order(1), Order(2), Order(3)]).CommitAsync(Ct);
        await table.NewTransaction().Upsert([Order(2, "new")]).CommitAsync(Ct);
        await table.NewTransaction().DeleteWhere(r => (long)r[0]! == 3).CommitAsync(Ct);
        var before = (await table.ReadAsync(null, Ct)).Rows.Select(r => (string)r[1]!).Order().ToList();
        var replace = await table.CompactAsync(Ct);
        Assert.Equal("replace", replace!.Operation);
        Assert.Equal(before, (await table.ReadAsync(null, Ct)).Rows.Select(r => (string)r[1]!).Order().ToList());
        Assert.Single(await table.LiveFilesAsync(null, Ct));

        var deleted = await table.ExpireSnapshotsAsync(DateTimeOffset.UtcNow.AddMinutes(1), retainLast: 1, Ct);
        Assert.Single(table.Metadata.Snapshots);
        Assert.Contains(deleted, d => d.EndsWith("-eq-deletes.parquet", StringComparison.Ordinal));
        Assert.Contains(deleted, d => d.EndsWith("-pos-deletes.parquet", StringComparison.Ordinal));
        foreach (var d in deleted)
        {
            Assert.False(File.Exists(LocalFileIO.ToPath(d)), d);
        }

        Assert.Equal(before, (await table.ReadAsync(null, Ct)).Rows.Select(r => (string)r[1]!).Order().ToList());
        var orphan = dir.Combine("orders", "data", "stray.parquet");
        await File.WriteAllTextAsync(orphan, "left by a crashed writer", Ct);
        var removed = await table.RemoveOrphanFilesAsync(DateTimeOffset.UtcNow.AddMinutes(1), Ct);
        Assert.Contains(LocalFileIO.ToLocation(orphan), removed);
        Assert.Equal(before, (await table.ReadAsync(null, Ct)).Rows.Select(r => (string)r[1]!).Order().ToList());
    }

    [Fact]
    public async Task SchemaEvolution_OldFilesReadWithNullsForNewColumns()
    {
        using var dir = new TempDirectory("lake-evolve");
        var table = await NewTable(dir);
        await table.NewTransaction().Append([Order(1)]).CommitAsync(Ct);
        var evolved = new IcebergSchema(0, [.. OrdersSchema().Fields, NestedField.Optional(10, "note", PrimitiveType.String)], [1]);
        var current = await table.UpdateSchemaAsync(evolved, Ct);
        Assert.Equal(1, current.SchemaId);
        await table.NewTransaction().Append([[.. Order(2), "hello"]]).CommitAsync(Ct);
        var rows = await table.ReadAsync(null, Ct);
        Assert.Equal(10, table.Metadata.LastColumnId);
        Assert.Null(rows.Rows.Single(r => (long)r[0]! == 1)[6]);
        Assert.Equal("hello", rows.Rows.Single(r => (long)r[0]! == 2)[6]);
    }
}
