using Meshwork.Metadata;
using Meshwork.Testing;

namespace Meshwork.Registry.Tests;

/// <summary>One migrated metadata store and a registry over it, per engine; tests use unique subject names.</summary>
public abstract class RegistryFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("meshwork-registry");

    /// <summary>The connection string of the store (null for SQLite in the data directory).</summary>
    public string? ConnectionString { get; private set; }

    public IMetadataStore Store { get; private set; } = null!;

    public SchemaRegistry Registry { get; private set; } = null!;

    public string DataDirectory => _directory.Path;

    protected abstract Task<string?> CreateDatabaseAsync();

    /// <summary>Opens a second store and registry on the same database, as a restarted process or another replica would.</summary>
    public async Task<(IMetadataStore Store, SchemaRegistry Registry)> OpenAnotherAsync()
    {
        var store = MetadataStores.Open(ConnectionString, DataDirectory);
        await store.MigrateAsync();
        return (store, new SchemaRegistry(store));
    }

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await CreateDatabaseAsync();
        Store = MetadataStores.Open(ConnectionString, DataDirectory);
        await Store.MigrateAsync();
        Registry = new SchemaRegistry(Store);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _directory.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteRegistryFixture : RegistryFixture
{
    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);
}

public sealed class PostgresRegistryFixture : RegistryFixture
{
    protected override async Task<string?> CreateDatabaseAsync() => await TestPostgres.CreateDatabaseAsync("registry");
}
