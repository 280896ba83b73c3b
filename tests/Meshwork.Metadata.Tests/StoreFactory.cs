using Meshwork.Testing;

namespace Meshwork.Metadata.Tests;

/// <summary>Makes an empty store of one engine; the suite below runs once per engine.</summary>
public interface IStoreFactory
{
    /// <summary>A connection string (or "Data Source=FILE") to a new, empty database.</summary>
    Task<string> NewDatabaseAsync();
}

public sealed class SqliteStoreFactory : IStoreFactory, IDisposable
{
    private readonly TempDirectory _directory = new("meshwork-store");

    public Task<string> NewDatabaseAsync() => Task.FromResult($"Data Source={_directory.Combine($"{Guid.NewGuid():n}.db")}");

    public void Dispose() => _directory.Dispose();
}

public sealed class PostgresStoreFactory : IStoreFactory
{
    public Task<string> NewDatabaseAsync() => TestPostgres.CreateDatabaseAsync("store");
}

internal static class StoreExtensions
{
    public static IMetadataStore Open(string connectionString, IReadOnlyList<Migration>? migrations = null) =>
        MetadataStores.Open(connectionString, Path.GetTempPath(), migrations);
}
