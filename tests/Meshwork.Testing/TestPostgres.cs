using System.Diagnostics;
using Npgsql;

namespace Meshwork.Testing;

/// <summary>
/// The PostgreSQL server the suites run against: the one <c>./test.sh</c> started (its connection string
/// in <c>MESHTEST_POSTGRES</c>), or, when a suite runs on its own, one started here with the same
/// <c>tests/tools/postgres.sh</c> and stopped at process exit. Each test gets its own database.
/// </summary>
public static class TestPostgres
{
    /// <summary>The environment variable holding an admin connection string to a running server.</summary>
    public const string EnvironmentVariable = "MESHTEST_POSTGRES";

    private static readonly Lazy<string> Server = new(StartOrFind, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>An admin connection string to the server (database <c>postgres</c>).</summary>
    public static string AdminConnectionString => Server.Value;

    /// <summary>Creates a new, empty database and returns a connection string to it.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():n}"[..Math.Min(63, prefix.Length + 33)];
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = false }.ConnectionString;
    }

    private static string StartOrFind()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }

        var directory = Directory.CreateTempSubdirectory("meshwork-pg-").FullName;
        var script = Repository.Path("tests", "tools", "postgres.sh");
        var (exit, output, error) = Run(script, "start", directory);
        if (exit != 0)
        {
            throw new InvalidOperationException(
                $"Could not start PostgreSQL for the tests ({script} start exited {exit}): {error.Trim()} " +
                $"Run ./test.sh, which installs PostgreSQL 15, or set {EnvironmentVariable} to an admin connection string.");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Run(script, "stop", directory);
        return output.Trim();
    }

    private static (int Exit, string Output, string Error) Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
