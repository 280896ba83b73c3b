namespace Meshwork.Metadata.CrashVictim;

/// <summary>
/// The built-in migrations plus a slow one and one after it. The slow migration writes rows and then
/// keeps working for seconds (about 5 s of inserts on SQLite, a 2 s sleep on PostgreSQL), so a SIGKILL 400 ms after it starts
/// lands while its transaction is open even on a fast, idle machine.
/// </summary>
public static class SlowMigrations
{
    /// <summary>Rows the slow migration inserts before its long tail.</summary>
    public const int ProbeRows = 1000;

    /// <summary>The migration the test kills the process in.</summary>
    public static readonly Migration Slow = new(
        9001,
        "slow",
        $"""
        CREATE TABLE crash_probe (n INTEGER NOT NULL);
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {ProbeRows}) INSERT INTO crash_probe SELECT n FROM seq;
        CREATE TABLE crash_filler (n INTEGER NOT NULL);
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 20000000) INSERT INTO crash_filler SELECT n FROM seq;
        DELETE FROM crash_filler;
        """,
        $"""
        CREATE TABLE crash_probe (n INTEGER NOT NULL);
        INSERT INTO crash_probe SELECT generate_series(1, {ProbeRows});
        SELECT pg_sleep(2);
        """);

    /// <summary>A migration after the slow one: the restart must apply it too.</summary>
    public static readonly Migration After = Migration.Portable(9002, "after_slow", "CREATE TABLE after_slow (id INTEGER PRIMARY KEY);");

    /// <summary>Every migration the victim and the resuming test apply.</summary>
    public static IReadOnlyList<Migration> All { get; } = [.. Migrations.BuiltIn, Slow, After];
}
