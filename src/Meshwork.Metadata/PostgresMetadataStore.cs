using System.Data;
using System.Data.Common;
using Dapper;
using Npgsql;

namespace Meshwork.Metadata;

/// <summary>The store at scale: PostgreSQL, shared by stateless replicas.</summary>
public sealed class PostgresMetadataStore : MetadataStore
{
    // An arbitrary constant that names "the Meshwork migration lock" among advisory locks.
    private const long MigrationLockKey = 0x4D455348_574F524B; // "MESHWORK"

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connects with an Npgsql connection string or a <c>postgres://</c> URI.</summary>
    public PostgresMetadataStore(string connectionString, IReadOnlyList<Migration>? migrations = null, TimeProvider? time = null)
        : base(migrations, time)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(connectionString));
        DisplayName = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <inheritdoc/>
    public override StoreProvider Provider => StoreProvider.Postgres;

    /// <inheritdoc/>
    public override SqlDialect Dialect => SqlDialect.Postgres;

    /// <inheritdoc/>
    public override string DisplayName { get; }

    /// <inheritdoc/>
    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new MetadataStoreException($"Cannot connect to the PostgreSQL metadata store {DisplayName}: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    protected override async Task<DbTransaction> BeginMigrationTransactionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        // Released by the server at commit, rollback or when the connection dies with its process.
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLockKey }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return transaction;
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
