using System.Data.Common;

namespace Meshwork.Metadata;

/// <summary>
/// The metadata store: catalog, policies, grants, registry, approvals and the audit index live here.
/// One interface, two engines (<see cref="StoreProvider"/>); modules write portable SQL and ask
/// <see cref="Dialect"/> for the few places where the engines differ.
/// </summary>
public interface IMetadataStore : IAsyncDisposable
{
    /// <summary>Which engine this store runs on.</summary>
    StoreProvider Provider { get; }

    /// <summary>SQL differences between the engines.</summary>
    SqlDialect Dialect { get; }

    /// <summary>A human-readable location (file path or host/database), never containing secrets.</summary>
    string DisplayName { get; }

    /// <summary>Opens a new connection; the caller disposes it.</summary>
    Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies every pending migration, each in its own transaction, and returns the ones applied.
    /// Safe to run twice and from several processes at once.
    /// </summary>
    Task<IReadOnlyList<Migration>> MigrateAsync(IProgress<Migration>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The migrations recorded as applied, in version order.</summary>
    Task<IReadOnlyList<AppliedMigration>> GetAppliedMigrationsAsync(CancellationToken cancellationToken = default);

    /// <summary>Runs <paramref name="work"/> in one transaction, committed when it returns and rolled back when it throws.</summary>
    Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default);
}
