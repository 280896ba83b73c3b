using Meshwork.Broker.Groups;
using Meshwork.Kafka.Protocol;
using Meshwork.Metadata;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Broker.Tests.Groups;

public sealed class OffsetStoreDurabilityTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MetadataOffsetStore_Sqlite_OffsetsSurviveANewCoordinator()
    {
        using var directory = new TempDirectory("groups");
        await using var store = MetadataStores.Open(null, directory.Path);
        await store.MigrateAsync(cancellationToken: Cancel);

        await CommitThenReload(store);
    }

    [Fact]
    public async Task MetadataOffsetStore_Postgres_OffsetsSurviveANewCoordinator()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("groups");
        await using var store = MetadataStores.Open(connectionString, Path.GetTempPath());
        await store.MigrateAsync(cancellationToken: Cancel);

        await CommitThenReload(store);
    }

    [Fact]
    public async Task InMemoryOffsetStore_OffsetsSurviveANewCoordinator()
    {
        var store = new InMemoryOffsetStore();
        using var first = new GroupTestKit(store: store);
        await first.Coordinator.CommitOffsetsAsync("g", -1, "", null, [new OffsetCommitEntry("t", 0, 1)], Cancel);

        using var second = new GroupTestKit(store: store);
        await second.Coordinator.LoadAsync(Cancel);

        second.Coordinator.OffsetFetch("g", null).Partitions.Single().Offset.ShouldBe(1);
    }

    private static async Task CommitThenReload(IMetadataStore metadata)
    {
        using (var before = new GroupTestKit(store: new MetadataOffsetStore(metadata)))
        {
            await before.Coordinator.LoadAsync(Cancel);
            var joined = await before.JoinAndSyncAlone("app");
            var result = await before.Coordinator.CommitOffsetsAsync("app", joined.GenerationId, joined.MemberId, null,
                [new OffsetCommitEntry("orders", 0, 10, 2, "first"), new OffsetCommitEntry("orders", 1, 20)], Cancel);
            result.Partitions.ShouldAllBe(p => p.ErrorCode == ErrorCode.None);

            // Overwrite one and add a second group to exercise the upsert.
            await before.Coordinator.CommitOffsetsAsync("app", joined.GenerationId, joined.MemberId, null, [new OffsetCommitEntry("orders", 0, 11, 3, "second")], Cancel);
            await before.Coordinator.CommitOffsetsAsync("tool", -1, "", null, [new OffsetCommitEntry("orders", 0, 5)], Cancel);
            await before.Coordinator.CommitOffsetsAsync("gone", -1, "", null, [new OffsetCommitEntry("orders", 0, 5)], Cancel);
            (await before.Coordinator.DeleteGroupsAsync(["gone"], Cancel)).Single().ErrorCode.ShouldBe(ErrorCode.None);
        }

        using var after = new GroupTestKit(store: new MetadataOffsetStore(metadata));
        await after.Coordinator.LoadAsync(Cancel);

        after.Coordinator.OffsetFetch("app", null).Partitions.ShouldBe([
            new FetchedOffset("orders", 0, 11, 3, "second", ErrorCode.None),
            new FetchedOffset("orders", 1, 20, -1, null, ErrorCode.None),
        ]);
        after.Coordinator.OffsetFetch("tool", [new TopicPartition("orders", 0)]).Partitions.Single().Offset.ShouldBe(5);
        after.Coordinator.ListGroups().ShouldBe([new ListedGroup("app", "", "Empty"), new ListedGroup("tool", "", "Empty")]);

        // A group known only from its offsets accepts members again.
        var rejoined = await after.Join(GroupTestKit.Call("app"));
        rejoined.ErrorCode.ShouldBe(ErrorCode.None);
    }
}
