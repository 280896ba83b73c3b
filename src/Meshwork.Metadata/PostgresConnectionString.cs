using Npgsql;

namespace Meshwork.Metadata;

/// <summary>Accepts both Npgsql keyword strings and <c>postgres://user:password@host:port/db?key=value</c> URIs.</summary>
public static class PostgresConnectionString
{
    /// <summary>True when <paramref name="value"/> looks like a PostgreSQL connection string of either form.</summary>
    public static bool IsPostgres(string value) =>
        value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || value.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns an Npgsql keyword connection string; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static string Normalize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains("://", StringComparison.Ordinal))
        {
            try
            {
                return new NpgsqlConnectionStringBuilder(value).ConnectionString;
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"not a valid PostgreSQL connection string: {e.Message}", e);
            }
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != "postgres" && uri.Scheme != "postgresql"))
        {
            throw new FormatException("expected postgres://user:password@host:port/database");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            try
            {
                builder[Uri.UnescapeDataString(kv[0])] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "true";
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"unknown PostgreSQL option '{kv[0]}': {e.Message}", e);
            }
        }

        return builder.ConnectionString;
    }

    /// <summary>The connection string with its password replaced, safe to print or log.</summary>
    public static string Redact(string value)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(Normalize(value));
            if (!string.IsNullOrEmpty(builder.Password))
            {
                builder.Password = "***";
            }

            return builder.ConnectionString;
        }
        catch (FormatException)
        {
            return "***";
        }
    }
}
