using Meshwork.Lake.IO;
using Meshwork.Lake.Metadata;
using Meshwork.Metadata;
using Meshwork.Testing;

namespace Meshwork.Lake.Tests;

/// <summary>The catalog on both metadata store engines: namespaces, tables, and the compare-and-swap of commits.</summary>
public class LakeCatalogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Engines() => new("sqlite", "postgres");

    private static async Task<(IMetadataStore Store, LakeCatalog Catalog)> OpenAsync(string engine, TempDirectory dir)
    {
        var connection = engine == "postgres" ? await TestPostgres.CreateDatabaseAsync("lake") : null;
        var store = MetadataStores.Open(connection, dir.Path);
        await store.MigrateAsync(cancellationToken: Ct);
        return (store, new LakeCatalog(store, new LocalFileIO(), LocalFileIO.ToLocation(dir.Combine("lake"))));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Catalog_NamespacesAndTables_CreateListLoadDrop(string engine)
    {
        using var dir = new TempDirectory("lake-catalog");
        var (store, catalog) = await OpenAsync(engine, dir);
        await using var _ = store;
        await catalog.CreateNamespaceAsync(["sales"], new Dictionary<string, string> { ["owner"] = "team-a" }, Ct);
        await catalog.CreateNamespaceAsync(["sales", "eu"], cancellationToken: Ct);
        await Assert.ThrowsAsync<NamespaceAlreadyExistsException>(() => catalog.CreateNamespaceAsync(["sales"], cancellationToken: Ct));
        Assert.Equal([["sales"]], (await catalog.ListNamespacesAsync(null, Ct)).Select(n => n.ToArray()));
        Assert.Equal([["sales", "eu"]], (await catalog.ListNamespacesAsync(["sales"], Ct)).Select(n => n.ToArray()));
        await catalog.UpdateNamespacePropertiesAsync(["sales"], new Dictionary<string, string> { ["tier"] = "gold" }, ["owner"], Ct);
        Assert.Equal(new Dictionary<string, string> { ["tier"] = "gold" }, await catalog.LoadNamespaceAsync(["sales"], Ct));

        // Client ids are reassigned from 1 in Java's order; partition sources follow.
        var schema = new IcebergSchema(7, [NestedField.Require(40, "id", PrimitiveType.Long), NestedField.Optional(41, "at", PrimitiveType.TimestampTz)], [40]);
        var spec = new PartitionSpec(0, [new PartitionField(41, 1000, "at_day", Transform.Day)]);
        var id = new TableIdentifier(["sales"], "orders");
        var table = await catalog.CreateTableAsync(id, schema, spec, cancellationToken: Ct);
        Assert.Equal([1, 2], table.Schema.Fields.Select(f => f.Id));
        Assert.Equal([1], table.Schema.IdentifierFieldIds);
        Assert.Equal(2, table.Metadata.DefaultSpec.Fields[0].SourceId);
        Assert.Equal(catalog.Warehouse + "/sales/orders", table.Location);
        await Assert.ThrowsAsync<TableAlreadyExistsException>(() => catalog.CreateTableAsync(id, schema, cancellationToken: Ct));
        Assert.Equal([id], await catalog.ListTablesAsync(["sales"], Ct));
        await Assert.ThrowsAsync<NamespaceNotEmptyException>(() => catalog.DropNamespaceAsync(["sales"], Ct));
        await Assert.ThrowsAsync<NoSuchNamespaceException>(() => catalog.ListTablesAsync(["nowhere"], Ct));

        // Dropped without purge, the files stay; the same table can be created again at the same location.
        await catalog.DropTableAsync(id, purge: false, Ct);
        var again = await catalog.CreateTableAsync(id, schema, cancellationToken: Ct);
        Assert.Equal(2, MetadataFiles.Version(again.MetadataLocation));
        await catalog.DropTableAsync(id, purge: true, Ct);
        Assert.Null(await catalog.TryLoadTableAsync(id, Ct));
        Assert.False(Directory.Exists(dir.Combine("lake", "sales", "orders", "metadata")) && Directory.EnumerateFiles(dir.Combine("lake", "sales", "orders"), "*", SearchOption.AllDirectories).Any());
        await catalog.DropNamespaceAsync(["sales", "eu"], Ct);
        await catalog.DropNamespaceAsync(["sales"], Ct);
        Assert.Empty(await catalog.ListNamespacesAsync(null, Ct));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Catalog_ConcurrentWriters_SwapWithCompareAndSwap_AndRetry(string engine)
    {
        using var dir = new TempDirectory("lake-catalog-cas");
        var (store, catalog) = await OpenAsync(engine, dir);
        await using var _ = store;
        await catalog.CreateNamespaceAsync(["sales"], cancellationToken: Ct);
        var id = new TableIdentifier(["sales"], "orders");
        await catalog.CreateTableAsync(id, TableTests.OrdersSchema(), cancellationToken: Ct);
        var a = await catalog.LoadTableAsync(id, Ct);
        var b = await catalog.LoadTableAsync(id, Ct);
        var stale = b.State;
        await a.NewTransaction().Append([TableTests.Order(1)]).CommitAsync(Ct);

        // A swap from a base that is no longer current fails, and its metadata file is removed again.
        await Assert.ThrowsAsync<CommitConflictException>(() => b.Operations.CommitAsync(stale, stale.Metadata with { LastUpdatedMs = stale.Metadata.LastUpdatedMs + 1 }, Ct));
        Assert.False(File.Exists(LocalFileIO.ToPath(MetadataFiles.Location(a.Location, 3))));

        // A transaction retries on the new base, so both appends land.
        await b.NewTransaction().Append([TableTests.Order(2)]).SetSummaryProperty("writer", "b").CommitAsync(Ct);
        var reloaded = await catalog.LoadTableAsync(id, Ct);
        Assert.Equal([1L, 2L], (await reloaded.ReadAsync(null, Ct)).Rows.Select(r => (long)r[0]!).Order());
        Assert.Equal("b", reloaded.CurrentSnapshot!.Summary["writer"]);
        Assert.Equal(2, reloaded.Metadata.Snapshots.Count);
        Assert.Equal(2, reloaded.Metadata.MetadataLog.Count);
    }

    [Fact]
    public async Task CatalogCommit_PassesOverAMetadataVersion_LeftByAWriterThatDiedBeforeItsSwap()
    {
        using var dir = new TempDirectory("lake-catalog-orphan");
        var (store, catalog) = await OpenAsync("sqlite", dir);
        await using var _ = store;
        await catalog.CreateNamespaceAsync(["sales"], cancellationToken: Ct);
        var id = new TableIdentifier(["sales"], "orders");
        var table = await catalog.CreateTableAsync(id, TableTests.OrdersSchema(), cancellationToken: Ct);

        // What a process killed between writing v2.metadata.json and swapping the catalog row leaves behind.
        await MetadataFiles.WriteNextAsync(table.FileIO, table.State, table.Metadata with { LastUpdatedMs = table.Metadata.LastUpdatedMs + 1 }, Ct);
        Assert.True(File.Exists(LocalFileIO.ToPath(MetadataFiles.Location(table.Location, 2))));

        await table.NewTransaction().Append([TableTests.Order(1)]).CommitAsync(Ct);

        var reloaded = await catalog.LoadTableAsync(id, Ct);
        Assert.Equal(3, MetadataFiles.Version(reloaded.MetadataLocation));
        Assert.Equal([1L], (await reloaded.ReadAsync(null, Ct)).Rows.Select(r => (long)r[0]!));
        Assert.Empty(await reloaded.MissingFilesAsync(Ct));
    }

    [Fact]
    public async Task MissingFiles_NamesEveryReferencedFileThatIsGone()
    {
        using var dir = new TempDirectory("lake-missing");
        var (store, catalog) = await OpenAsync("sqlite", dir);
        await using var _ = store;
        await catalog.CreateNamespaceAsync(["sales"], cancellationToken: Ct);
        var table = await catalog.CreateTableAsync(new TableIdentifier(["sales"], "orders"), TableTests.OrdersSchema(), cancellationToken: Ct);
        await table.NewTransaction().Append([TableTests.Order(1)]).CommitAsync(Ct);
        await table.NewTransaction().Upsert([TableTests.Order(1)]).CommitAsync(Ct);
        Assert.Empty(await table.MissingFilesAsync(Ct));

        var data = (await table.LiveFilesAsync(cancellationToken: Ct)).First(e => e.File.Content == Manifests.FileContent.Data).File.Path;
        var previous = table.Metadata.MetadataLog[0].MetadataFile;
        File.Delete(LocalFileIO.ToPath(data));
        File.Delete(LocalFileIO.ToPath(previous));

        Assert.Equal(new[] { data, previous }.Order(StringComparer.Ordinal), (await table.MissingFilesAsync(Ct)).Order(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    [Fact]
    public async Task DeleteAfterCommit_RemovesMetadataFilesDroppedFromTheLog_AndKeepsTheRest()
    {
        using var dir = new TempDirectory("lake-delete-after-commit");
        var (store, catalog) = await OpenAsync("sqlite", dir);
        await using var _ = store;
        await catalog.CreateNamespaceAsync(["sales"], cancellationToken: Ct);
        var properties = new Dictionary<string, string> { [MetadataFiles.DeleteAfterCommit] = "true", [MetadataFiles.PreviousVersionsMax] = "2" };
        var table = await catalog.CreateTableAsync(new TableIdentifier(["sales"], "orders"), TableTests.OrdersSchema(), properties: properties, cancellationToken: Ct);

        for (var i = 1; i <= 5; i++)
        {
            await table.NewTransaction().Append([TableTests.Order(i)]).CommitAsync(Ct);
        }

        var metadataFiles = Directory.GetFiles(LocalFileIO.ToPath(table.Location + "/metadata"), "v*.metadata.json").Select(LocalFileIO.ToLocation).Order(StringComparer.Ordinal);
        Assert.Equal(table.Metadata.MetadataLog.Select(e => e.MetadataFile).Append(table.MetadataLocation).Order(StringComparer.Ordinal), metadataFiles);
        Assert.Equal(3, metadataFiles.Count());
        Assert.Empty(await table.MissingFilesAsync(Ct));
        Assert.Equal(5, (await (await catalog.LoadTableAsync(table.Identifier!, Ct)).ReadAsync(null, Ct)).Rows.Count);
    }
}
