namespace Meshwork.Metadata;

/// <summary>The places where SQLite and PostgreSQL SQL differ, kept in one spot.</summary>
public sealed class SqlDialect
{
    /// <summary>SQLite's dialect.</summary>
    public static readonly SqlDialect Sqlite = new(StoreProvider.Sqlite, "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB");

    /// <summary>PostgreSQL's dialect.</summary>
    public static readonly SqlDialect Postgres = new(StoreProvider.Postgres, "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BYTEA");

    private SqlDialect(StoreProvider provider, string identityColumn, string binaryType)
    {
        Provider = provider;
        IdentityColumn = identityColumn;
        BinaryType = binaryType;
    }

    /// <summary>The engine this dialect describes.</summary>
    public StoreProvider Provider { get; }

    /// <summary>Column type of an auto-incrementing 64-bit primary key.</summary>
    public string IdentityColumn { get; }

    /// <summary>Column type for raw bytes.</summary>
    public string BinaryType { get; }

    /// <summary>Replaces the dialect placeholders <c>{{identity}}</c> and <c>{{binary}}</c> in migration SQL.</summary>
    public string Expand(string sql) => sql
        .Replace("{{identity}}", IdentityColumn, StringComparison.Ordinal)
        .Replace("{{binary}}", BinaryType, StringComparison.Ordinal);
}
