using System.Data;
using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Meshwork.Metadata;

/// <summary>
/// What both engines share: transactions and the migrator. Subclasses only open connections and
/// take the cross-process migration lock their own way.
/// </summary>
public abstract class MetadataStore : IMetadataStore
{
    private readonly IReadOnlyList<Migration> _migrations;
    private readonly TimeProvider _time;

    /// <summary>Creates a store that knows <paramref name="migrations"/> (the built-in set unless a test says otherwise).</summary>
    protected MetadataStore(IReadOnlyList<Migration>? migrations, TimeProvider? time)
    {
        _migrations = migrations ?? Migrations.BuiltIn;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public abstract StoreProvider Provider { get; }

    /// <inheritdoc/>
    public abstract SqlDialect Dialect { get; }

    /// <inheritdoc/>
    public abstract string DisplayName { get; }

    /// <inheritdoc/>
    public abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Begins a transaction that holds the store-wide migration lock until it ends, so that two
    /// processes starting at once never apply the same migration twice.
    /// </summary>
    protected abstract Task<DbTransaction> BeginMigrationTransactionAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
        var result = await work(connection, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(IProgress<Migration>? progress = null, CancellationToken cancellationToken = default)
    {
        var applied = new List<Migration>();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await EnsureHistoryTableAsync(connection, cancellationToken).ConfigureAwait(false);

        foreach (var migration in _migrations)
        {
            // Each migration is its own transaction: a crash mid-way rolls back that one migration
            // and the next start resumes from the last committed version.
            await using var transaction = await BeginMigrationTransactionAsync(connection, cancellationToken).ConfigureAwait(false);
            var recorded = await ReadHistoryAsync(connection, transaction).ConfigureAwait(false);
            CheckHistory(recorded);
            if (recorded.Any(m => m.Version == migration.Version))
            {
                continue;
            }

            progress?.Report(migration);
            await connection.ExecuteAsync(new CommandDefinition(migration.SqlFor(Dialect), transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@Version, @Name, @Checksum, @AppliedAt)",
                new { migration.Version, migration.Name, Checksum = migration.ChecksumFor(Dialect), AppliedAt = Timestamp(_time.GetUtcNow()) },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(migration);
        }

        // An empty migration list still validates what the database holds.
        if (_migrations.Count == 0)
        {
            CheckHistory(await ReadHistoryAsync(connection, null).ConfigureAwait(false));
        }

        return applied;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AppliedMigration>> GetAppliedMigrationsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await EnsureHistoryTableAsync(connection, cancellationToken).ConfigureAwait(false);
        return await ReadHistoryAsync(connection, null).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Timestamps are stored as ISO-8601 text in UTC so both engines sort and compare them the same way.</summary>
    public static string Timestamp(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private async Task EnsureHistoryTableAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginMigrationTransactionAsync(connection, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                checksum   TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """,
            transaction: transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<AppliedMigration>> ReadHistoryAsync(DbConnection connection, DbTransaction? transaction)
    {
        var rows = await connection.QueryAsync<(long Version, string Name, string Checksum, string AppliedAt)>(
            "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version", transaction: transaction).ConfigureAwait(false);
        return rows.Select(r => new AppliedMigration(
            (int)r.Version, r.Name, r.Checksum,
            DateTimeOffset.Parse(r.AppliedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))).ToList();
    }

    private void CheckHistory(List<AppliedMigration> recorded)
    {
        foreach (var applied in recorded)
        {
            var known = _migrations.FirstOrDefault(m => m.Version == applied.Version);
            if (known is null)
            {
                if (applied.Version > (_migrations.Count == 0 ? 0 : _migrations[^1].Version))
                {
                    throw new MetadataStoreException(
                        $"The metadata store {DisplayName} was migrated to version {applied.Version} ({applied.Name}) by a newer Meshwork; " +
                        "upgrade this binary or point it at another store.");
                }

                throw new MetadataStoreException($"The metadata store {DisplayName} records migration {applied.Version} ({applied.Name}), which this Meshwork does not know.");
            }

            if (known.ChecksumFor(Dialect) != applied.Checksum)
            {
                throw new MetadataStoreException(
                    $"Migration {known} was edited after it was applied to {DisplayName}; add a new migration instead of changing a released one.");
            }
        }
    }
}
