using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Meshwork.Metadata;

/// <summary>The embedded store: one SQLite file in write-ahead-log mode.</summary>
public sealed class SqliteMetadataStore : MetadataStore
{
    private readonly string _connectionString;

    /// <summary>Opens (creating if needed) the SQLite database at <paramref name="path"/>.</summary>
    public SqliteMetadataStore(string path, IReadOnlyList<Migration>? migrations = null, TimeProvider? time = null)
        : base(migrations, time)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    /// <inheritdoc/>
    public override StoreProvider Provider => StoreProvider.Sqlite;

    /// <inheritdoc/>
    public override SqlDialect Dialect => SqlDialect.Sqlite;

    /// <inheritdoc/>
    public override string DisplayName => FilePath;

    /// <inheritdoc/>
    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // WAL lets readers run beside the single writer; synchronous=FULL makes every commit durable,
            // which metadata (grants, schemas, audit index) needs more than write speed.
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;").ConfigureAwait(false);
            return connection;
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new MetadataStoreException($"Cannot open the SQLite metadata store {FilePath}: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    protected override async Task<DbTransaction> BeginMigrationTransactionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Microsoft.Data.Sqlite begins IMMEDIATE transactions unless asked for deferred ones: the
        // write lock is taken at BEGIN, so a second migrating process waits instead of racing.
        return await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return base.DisposeAsync();
    }
}
