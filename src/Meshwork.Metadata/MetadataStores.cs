namespace Meshwork.Metadata;

/// <summary>Chooses the engine from configuration: no connection string means the embedded SQLite file.</summary>
public static class MetadataStores
{
    /// <summary>The SQLite file name inside the data directory.</summary>
    public const string SqliteFileName = "metadata.db";

    /// <summary>
    /// Opens the store named by <paramref name="connectionString"/>: a PostgreSQL connection string or URI,
    /// <c>Data Source=FILE</c> for SQLite, or empty for <c>DATA/metadata.db</c>.
    /// </summary>
    public static IMetadataStore Open(string? connectionString, string dataDirectory, IReadOnlyList<Migration>? migrations = null, TimeProvider? time = null)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return new SqliteMetadataStore(Path.Combine(dataDirectory, SqliteFileName), migrations, time);
        }

        if (PostgresConnectionString.IsPostgres(connectionString))
        {
            return new PostgresMetadataStore(connectionString, migrations, time);
        }

        const string sqlitePrefix = "Data Source=";
        if (connectionString.StartsWith(sqlitePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return new SqliteMetadataStore(connectionString[sqlitePrefix.Length..].Trim().TrimEnd(';'), migrations, time);
        }

        throw new FormatException("expected a PostgreSQL connection string (Host=...;Database=... or postgres://...) or Data Source=FILE for SQLite");
    }
}
