using Meshwork.Lake;
using Meshwork.Lake.IO;
using Meshwork.Lake.Metadata;
using Meshwork.Metadata;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Processing.Tests;

/// <summary>Upkeep of a materialized table: compaction and expiry keep it small without losing where it resumes from.</summary>
public sealed class TablePolicyTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Maintain_ManySmallCommits_CompactsAndExpires_AndTheOffsetsSurvive()
    {
        using var dir = new TempDirectory("table-policy");
        await using var store = MetadataStores.Open(null, dir.Path);
        await store.MigrateAsync(cancellationToken: Cancel);
        var lake = new LakeCatalog(store, new LocalFileIO(), LocalFileIO.ToLocation(dir.Combine("lake")));
        await lake.CreateNamespaceAsync(["sales"], cancellationToken: Cancel);
        var schema = new IcebergSchema(0, [NestedField.Require(1, "id", PrimitiveType.Long), NestedField.Optional(2, "v", PrimitiveType.String)], [1]);
        var table = await lake.CreateTableAsync(new TableIdentifier(["sales"], "orders"), schema, properties: new Dictionary<string, string>
        {
            [TablePolicy.MaxSnapshotAgeProperty] = "0",
            [TablePolicy.MinSnapshotsToKeepProperty] = "3",
            [MetadataFiles.DeleteAfterCommit] = "true",
            [MetadataFiles.PreviousVersionsMax] = "5",
        }, cancellationToken: Cancel);

        var commits = TablePolicy.CompactCurrentAtFiles + 6;
        for (var i = 0; i < commits; i++)
        {
            await table.NewTransaction().Upsert([[(long)(i % 10), $"v{i}"]])
                .SetSummaryProperty(ConsumedOffsets.SummaryProperty, new ConsumedOffsets("sales.orders.v1", new Dictionary<int, long> { [0] = i + 1 }).ToJson())
                .CommitAsync(Cancel);
        }

        await TablePolicy.MaintainAsync(table, history: false, DateTimeOffset.UtcNow.AddSeconds(1), Cancel);

        table.CurrentSnapshot!.Operation.ShouldBe(SnapshotOperation.Replace);
        table.CurrentSnapshot.Summary["total-data-files"].ShouldBe("1");
        table.Metadata.Snapshots.Count.ShouldBe(3);
        ConsumedOffsets.Latest(table.Metadata)!.Of(0).ShouldBe(commits);
        (await table.ReadAsync(cancellationToken: Cancel)).Rows.Count.ShouldBe(10);
        (await table.MissingFilesAsync(Cancel)).ShouldBeEmpty();

        // Once the snapshots from before the compaction expire too, their files go: 70 commits' worth does not pile up.
        for (var i = 0; i < 3; i++)
        {
            await table.NewTransaction().Upsert([[1L, "later"]])
                .SetSummaryProperty(ConsumedOffsets.SummaryProperty, new ConsumedOffsets("sales.orders.v1", new Dictionary<int, long> { [0] = commits + i + 1 }).ToJson())
                .CommitAsync(Cancel);
        }

        await TablePolicy.MaintainAsync(table, history: false, DateTimeOffset.UtcNow.AddSeconds(1), Cancel);
        ConsumedOffsets.Latest(table.Metadata)!.Of(0).ShouldBe(commits + 3);
        (await table.MissingFilesAsync(Cancel)).ShouldBeEmpty();
        var files = Directory.GetFiles(LocalFileIO.ToPath(table.Location), "*", SearchOption.AllDirectories);
        files.Length.ShouldBeLessThan(30, string.Join(Environment.NewLine, files));
    }
}
