using Meshwork.Metadata;
using Meshwork.Metadata.CrashVictim;

// usage: victim <connection string or "Data Source=FILE">
// Prints "applying <migration>" before each one, so the test knows when to kill.
await using var store = MetadataStores.Open(args[0], Environment.CurrentDirectory, SlowMigrations.All);
await store.MigrateAsync(new ImmediateProgress(m =>
{
    Console.Out.WriteLine($"applying {m}");
    Console.Out.Flush();
}));
Console.Out.WriteLine("migrated");
return 0;

/// <summary>Reports on the calling thread, unlike Progress&lt;T&gt;, so the line is out before the SQL runs.</summary>
internal sealed class ImmediateProgress(Action<Migration> report) : IProgress<Migration>
{
    public void Report(Migration value) => report(value);
}
