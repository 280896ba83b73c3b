using System.Globalization;

namespace Meshwork.Bench;

/// <summary>Command-line options shared by the benchmarks.</summary>
/// <param name="Seconds">How long each measured phase (or slice) runs.</param>
/// <param name="Rounds">How many times the measurement and its reference alternate; figures are medians or totals over the rounds.</param>
/// <param name="Records">How many distinct records the Avro benchmark cycles through.</param>
/// <param name="Concurrency">How many requests the HTTP benchmark keeps in flight.</param>
/// <param name="ResultsDirectory">Where the results files go.</param>
/// <param name="Duration">How long the materializer benchmark measures, in seconds.</param>
/// <param name="CommitIntervalMs">The materializer's commit interval in its benchmark.</param>
internal sealed record BenchOptions(double Seconds, int Rounds, int Records, int Concurrency, string ResultsDirectory, int Duration, int CommitIntervalMs)
{
    public static BenchOptions Parse(string[] args)
    {
        var seconds = 3.0;
        var rounds = 3;
        var records = 10_000;
        var concurrency = 16;
        var results = Path.Combine(RepositoryRoot(), "bench", "results");
        var duration = 60;
        var commitIntervalMs = (int)Processing.MaterializerOptions.DefaultCommitInterval.TotalMilliseconds;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--seconds":
                    seconds = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--rounds":
                    rounds = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--records":
                    records = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--concurrency":
                    concurrency = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--duration":
                    duration = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--commit-interval-ms":
                    commitIntervalMs = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--results":
                    results = Path.GetFullPath(value);
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        return new BenchOptions(seconds, rounds, records, concurrency, results, duration, commitIntervalMs);
    }

    /// <summary>The checkout the benchmark was built from (it looks for Meshwork.slnx upwards from the binary).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Meshwork.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Meshwork.slnx not found above {AppContext.BaseDirectory}; run the benchmark from a checkout.");
    }
}
