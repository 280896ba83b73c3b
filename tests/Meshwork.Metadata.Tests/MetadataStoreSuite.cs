using Dapper;
using Meshwork.Metadata.CrashVictim;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Metadata.Tests;

/// <summary>The same store tests on every engine: SQLite (embedded) and PostgreSQL (at scale).</summary>
public abstract class MetadataStoreSuite<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : class, IStoreFactory
{
    private static readonly Migration CreateWidgets = Migration.Portable(9101, "widgets", "CREATE TABLE widgets (id INTEGER PRIMARY KEY, name TEXT NOT NULL);");
    private static readonly Migration AddColour = Migration.Portable(9102, "widget_colour", "ALTER TABLE widgets ADD COLUMN colour TEXT;");
    private static readonly Migration Broken = Migration.Portable(9103, "broken", "CREATE TABLE half_done (id INTEGER); INSERT INTO no_such_table VALUES (1);");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Migrate_AppliesEveryBuiltInMigration_OnAnEmptyStore()
    {
        await using var store = StoreExtensions.Open(await factory.NewDatabaseAsync());

        var applied = await store.MigrateAsync(cancellationToken: Cancel);

        applied.Select(m => m.Version).ShouldBe(Migrations.BuiltIn.Select(m => m.Version));
        var recorded = await store.GetAppliedMigrationsAsync(Cancel);
        recorded.Select(m => (m.Version, m.Name)).ShouldBe(Migrations.BuiltIn.Select(m => (m.Version, m.Name)));
        recorded.ShouldAllBe(m => m.Checksum.Length == 64);
    }

    [Fact]
    public async Task Migrate_ChangesNothing_WhenRunTwice()
    {
        var database = await factory.NewDatabaseAsync();
        await using (var first = StoreExtensions.Open(database))
        {
            await first.MigrateAsync(cancellationToken: Cancel);
        }

        await using var second = StoreExtensions.Open(database);
        var before = await second.GetAppliedMigrationsAsync(Cancel);

        (await second.MigrateAsync(cancellationToken: Cancel)).ShouldBeEmpty();

        (await second.GetAppliedMigrationsAsync(Cancel)).ShouldBe(before);
    }

    [Fact]
    public async Task Migrate_AppliesEachMigrationOnce_WhenProcessesMigrateAtTheSameTime()
    {
        var database = await factory.NewDatabaseAsync();
        IReadOnlyList<Migration> migrations = [.. Migrations.BuiltIn, CreateWidgets, AddColour];
        var stores = Enumerable.Range(0, 4).Select(_ => StoreExtensions.Open(database, migrations)).ToList();

        var results = await Task.WhenAll(stores.Select(s => s.MigrateAsync(cancellationToken: Cancel)));

        results.Sum(r => r.Count).ShouldBe(migrations.Count);
        (await stores[0].GetAppliedMigrationsAsync(Cancel)).Count.ShouldBe(migrations.Count);
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Migrate_RollsBackTheFailingMigrationOnly_AndKeepsTheOnesBefore()
    {
        var database = await factory.NewDatabaseAsync();
        await using var store = StoreExtensions.Open(database, [.. Migrations.BuiltIn, CreateWidgets, Broken]);

        await Should.ThrowAsync<Exception>(() => store.MigrateAsync(cancellationToken: Cancel));

        var recorded = await store.GetAppliedMigrationsAsync(Cancel);
        recorded.Select(m => m.Version).ShouldContain(CreateWidgets.Version);
        recorded.Select(m => m.Version).ShouldNotContain(Broken.Version);
        await using var connection = await store.OpenConnectionAsync(Cancel);
        (await TableExistsAsync(store, connection, "widgets")).ShouldBeTrue();
        (await TableExistsAsync(store, connection, "half_done")).ShouldBeFalse("the failed migration's first statement must roll back with it");
    }

    [Fact]
    public async Task Migrate_Refuses_WhenAnAppliedMigrationWasEdited()
    {
        var database = await factory.NewDatabaseAsync();
        await using (var original = StoreExtensions.Open(database, [.. Migrations.BuiltIn, CreateWidgets]))
        {
            await original.MigrateAsync(cancellationToken: Cancel);
        }

        var edited = CreateWidgets with { SqliteSql = CreateWidgets.SqliteSql + " -- edited", PostgresSql = CreateWidgets.PostgresSql + " -- edited" };
        await using var store = StoreExtensions.Open(database, [.. Migrations.BuiltIn, edited]);

        var error = await Should.ThrowAsync<MetadataStoreException>(() => store.MigrateAsync(cancellationToken: Cancel));
        error.Message.ShouldContain("9101_widgets was edited after it was applied");
    }

    [Fact]
    public async Task Migrate_Refuses_AStoreMigratedByANewerVersion()
    {
        var database = await factory.NewDatabaseAsync();
        await using (var newer = StoreExtensions.Open(database, [.. Migrations.BuiltIn, CreateWidgets]))
        {
            await newer.MigrateAsync(cancellationToken: Cancel);
        }

        await using var older = StoreExtensions.Open(database, Migrations.BuiltIn);

        var error = await Should.ThrowAsync<MetadataStoreException>(() => older.MigrateAsync(cancellationToken: Cancel));
        error.Message.ShouldContain("by a newer Meshwork");
    }

    [Fact]
    public async Task Migrate_ResumesCorrectly_AfterTheProcessIsKilledMidMigration()
    {
        var database = await factory.NewDatabaseAsync();
        var victim = Path.Combine(AppContext.BaseDirectory, "Meshwork.Metadata.CrashVictim.dll");
        await using (var process = ChildProcess.StartDotnet(victim, [database]))
        {
            process.WaitForLine($"applying {SlowMigrations.Slow}", TimeSpan.FromSeconds(60));
            // Let the slow migration's transaction write its first rows before the kill.
            await Task.Delay(TimeSpan.FromMilliseconds(400), Cancel);
            process.Crash();
            (await process.WaitForExitAsync(TimeSpan.FromSeconds(30))).ShouldNotBe(0);
            process.Output.ShouldNotContain("migrated");
        }

        await using var store = StoreExtensions.Open(database, SlowMigrations.All);
        var before = await store.GetAppliedMigrationsAsync(Cancel);
        before.Select(m => m.Version).ShouldNotContain(SlowMigrations.Slow.Version, "the killed migration must not be recorded");

        var applied = await store.MigrateAsync(cancellationToken: Cancel);

        applied.Select(m => m.Version).ShouldBe([SlowMigrations.Slow.Version, SlowMigrations.After.Version]);
        (await store.GetAppliedMigrationsAsync(Cancel)).Select(m => m.Version).ShouldBe(SlowMigrations.All.Select(m => m.Version));
        await using var connection = await store.OpenConnectionAsync(Cancel);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM crash_probe")).ShouldBe(SlowMigrations.ProbeRows, "rows of the killed attempt must be gone, not doubled");
        (await TableExistsAsync(store, connection, "after_slow")).ShouldBeTrue();
    }

    [Fact]
    public async Task Settings_StoreAndReplaceValues()
    {
        await using var store = StoreExtensions.Open(await factory.NewDatabaseAsync());
        await store.MigrateAsync(cancellationToken: Cancel);
        var settings = new MeshSettings(store);

        (await settings.GetAsync("region", Cancel)).ShouldBeNull();
        await settings.SetAsync("region", "westeurope", Cancel);
        await settings.SetAsync("region", "northeurope", Cancel);

        (await settings.GetAsync("region", Cancel)).ShouldBe("northeurope");
    }

    [Fact]
    public async Task Settings_GetOrCreate_KeepsTheFirstValue()
    {
        await using var store = StoreExtensions.Open(await factory.NewDatabaseAsync());
        await store.MigrateAsync(cancellationToken: Cancel);
        var settings = new MeshSettings(store);

        var first = await settings.GetOrCreateAsync("instance", () => "a", Cancel);
        var second = await settings.GetOrCreateAsync("instance", () => "b", Cancel);

        first.ShouldBe("a");
        second.ShouldBe("a");
    }

    [Fact]
    public async Task InTransaction_RollsBack_WhenTheWorkThrows()
    {
        await using var store = StoreExtensions.Open(await factory.NewDatabaseAsync());
        await store.MigrateAsync(cancellationToken: Cancel);

        await Should.ThrowAsync<InvalidOperationException>(() => store.InTransactionAsync<int>(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("INSERT INTO mesh_settings (name, value, updated_at) VALUES ('x', 'y', 'z')", transaction: transaction);
            throw new InvalidOperationException("boom");
        }, Cancel));

        (await new MeshSettings(store).GetAsync("x", Cancel)).ShouldBeNull();
    }

    [Fact]
    public async Task InTransaction_Commits_WhenTheWorkReturns()
    {
        await using var store = StoreExtensions.Open(await factory.NewDatabaseAsync());
        await store.MigrateAsync(cancellationToken: Cancel);

        await store.InTransactionAsync((connection, transaction) =>
            connection.ExecuteAsync("INSERT INTO mesh_settings (name, value, updated_at) VALUES ('x', 'y', 'z')", transaction: transaction), Cancel);

        (await new MeshSettings(store).GetAsync("x", Cancel)).ShouldBe("y");
    }

    private static async Task<bool> TableExistsAsync(IMetadataStore store, System.Data.Common.DbConnection connection, string table)
    {
        var sql = store.Provider == StoreProvider.Sqlite
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @table"
            : "SELECT count(*) FROM information_schema.tables WHERE table_name = @table";
        return await connection.ExecuteScalarAsync<long>(sql, new { table }) > 0;
    }
}

public sealed class SqliteMetadataStoreTests(SqliteStoreFactory factory) : MetadataStoreSuite<SqliteStoreFactory>(factory);

public sealed class PostgresMetadataStoreTests(PostgresStoreFactory factory) : MetadataStoreSuite<PostgresStoreFactory>(factory);
