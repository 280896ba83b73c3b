using Meshwork.Server;
using Meshwork.Server.Configuration;
using Meshwork.Testing;
using Npgsql;
using Shouldly;

namespace Meshwork.Conformance.Tests;

/// <summary>
/// The stock database clients read what a running mesh wrote: operators inspect and back up the
/// metadata store with psql and sqlite3, so it must be plain, well-formed SQL storage.
/// </summary>
public sealed class MetadataStoreConformanceTests : IDisposable
{
    private readonly TempDirectory _dir = new("meshwork-conformance");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Psql_ReadsTheSchemaAndInstanceId_ThatMeshUpWroteToPostgres()
    {
        var database = await TestPostgres.CreateDatabaseAsync("psql");
        string instanceId;
        await using (var server = await MeshServer.StartAsync(MeshOptions.ForTests(_dir.Path) with { Metadata = new MetadataOptions(database) }, cancellationToken: Cancel))
        {
            instanceId = server.Status.InstanceId;
        }

        var builder = new NpgsqlConnectionStringBuilder(database);
        var psql = new Dictionary<string, string>
        {
            ["PGHOST"] = builder.Host!,
            ["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = builder.Username!,
            ["PGPASSWORD"] = builder.Password!,
            ["PGDATABASE"] = builder.Database!,
        };

        var tables = await Tool.RunAsync("psql", "postgresql-client", ["-XAtc", "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"], psql);
        var stored = await Tool.RunAsync("psql", "postgresql-client", ["-XAtc", "SELECT value FROM mesh_settings WHERE name = 'mesh.instance_id'"], psql);
        var versions = await Tool.RunAsync("psql", "postgresql-client", ["-XAtc", "SELECT count(*) FROM schema_migrations"], psql);

        tables.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldContain("mesh_settings");
        tables.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldContain("schema_migrations");
        stored.Trim().ShouldBe(instanceId);
        int.Parse(versions.Trim(), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(Metadata.Migrations.BuiltIn.Count);
    }

    [Fact]
    public async Task Sqlite3_PassesIntegrityCheck_AndReadsTheInstanceId_OfTheEmbeddedStore()
    {
        string instanceId;
        await using (var server = await MeshServer.StartAsync(MeshOptions.ForTests(_dir.Path), cancellationToken: Cancel))
        {
            instanceId = server.Status.InstanceId;
        }

        var file = Path.Combine(_dir.Path, Metadata.MetadataStores.SqliteFileName);

        (await Tool.RunAsync("sqlite3", "sqlite3", [file, "PRAGMA integrity_check"])).Trim().ShouldBe("ok");
        (await Tool.RunAsync("sqlite3", "sqlite3", [file, "SELECT value FROM mesh_settings WHERE name = 'mesh.instance_id'"])).Trim().ShouldBe(instanceId);
        (await Tool.RunAsync("sqlite3", "sqlite3", [file, "PRAGMA journal_mode"])).Trim().ShouldBe("wal");
    }
}
