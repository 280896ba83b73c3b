using System.Globalization;
using Meshwork.Bench;

// Benchmarks are measured here, never in tests. Each prints its figures beside a reference measured in the same run
// and writes them to bench/results/. See bench/README.md.
var command = args.FirstOrDefault() ?? "all";
var options = BenchOptions.Parse(args.Skip(1).ToArray());
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

switch (command)
{
    case "avro":
        await AvroCodecBench.RunAsync(options);
        break;
    case "registry":
        await RegistryHttpBench.RunAsync(options);
        break;
    case "materializer":
        await MaterializerLatencyBench.RunAsync(options);
        break;
    case "all":
        await AvroCodecBench.RunAsync(options);
        await RegistryHttpBench.RunAsync(options);
        await MaterializerLatencyBench.RunAsync(options);
        break;
    default:
        Console.Error.WriteLine("usage: Meshwork.Bench [avro|registry|materializer|all] [--seconds N] [--rounds N] [--records N] [--concurrency N] [--duration N] [--commit-interval-ms N] [--results DIR]");
        return 2;
}

return 0;
