using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Meshwork.Metadata;

/// <summary>
/// One versioned schema change. The SQL may hold dialect placeholders (see <see cref="SqlDialect.Expand"/>),
/// or come in two files, <c>NNNN_name.sqlite.sql</c> and <c>NNNN_name.postgres.sql</c>, where the engines differ too much.
/// </summary>
public sealed record Migration(int Version, string Name, string SqliteSql, string PostgresSql)
{
    /// <summary>The SQL to run on <paramref name="dialect"/>.</summary>
    public string SqlFor(SqlDialect dialect) =>
        dialect.Expand(dialect.Provider == StoreProvider.Sqlite ? SqliteSql : PostgresSql);

    /// <summary>SHA-256 of the SQL for <paramref name="dialect"/>: an applied migration must never change.</summary>
    public string ChecksumFor(SqlDialect dialect) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SqlFor(dialect))));

    /// <summary>A migration whose SQL is the same on both engines.</summary>
    public static Migration Portable(int version, string name, string sql) => new(version, name, sql, sql);

    /// <inheritdoc/>
    public override string ToString() => $"{Version:D4}_{Name}";
}

/// <summary>A migration as recorded in the store's <c>schema_migrations</c> table.</summary>
public sealed record AppliedMigration(int Version, string Name, string Checksum, DateTimeOffset AppliedAt);

/// <summary>The migrations shipped with Meshwork, read from the embedded <c>Migrations/*.sql</c> files.</summary>
public static partial class Migrations
{
    private const string ResourcePrefix = "Meshwork.Metadata.Migrations.";

    /// <summary>Every built-in migration, in version order.</summary>
    public static IReadOnlyList<Migration> BuiltIn { get; } = Load(typeof(Migrations).Assembly);

    private static List<Migration> Load(Assembly assembly)
    {
        var files = new Dictionary<(int Version, string Name), Dictionary<string, string>>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = resource[ResourcePrefix.Length..];
            var match = FileNamePattern().Match(fileName);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Migration file '{fileName}' must be named NNNN_name.sql, NNNN_name.sqlite.sql or NNNN_name.postgres.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var key = (int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups["name"].Value);
            if (!files.TryGetValue(key, out var variants))
            {
                files[key] = variants = [];
            }

            variants[match.Groups["engine"].Success ? match.Groups["engine"].Value : "any"] = reader.ReadToEnd();
        }

        var migrations = new List<Migration>();
        foreach (var ((version, name), variants) in files.OrderBy(f => f.Key.Version))
        {
            variants.TryGetValue("any", out var portable);
            var sqlite = variants.GetValueOrDefault("sqlite") ?? portable
                ?? throw new InvalidOperationException($"Migration {version:D4}_{name} has a PostgreSQL file but no SQLite one.");
            var postgres = variants.GetValueOrDefault("postgres") ?? portable
                ?? throw new InvalidOperationException($"Migration {version:D4}_{name} has a SQLite file but no PostgreSQL one.");
            if (migrations.Count > 0 && migrations[^1].Version == version)
            {
                throw new InvalidOperationException($"Two migrations share version {version:D4}: {migrations[^1].Name} and {name}.");
            }

            migrations.Add(new Migration(version, name, sqlite, postgres));
        }

        return migrations;
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[a-z0-9_]+?)(\.(?<engine>sqlite|postgres))?\.sql$")]
    private static partial Regex FileNamePattern();
}
