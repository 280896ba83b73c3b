using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Meshwork.Formats.Avro;

namespace Meshwork.Bench;

/// <summary>
/// Avro binary encode and decode throughput of Meshwork.Formats against avsc (node) on the same records in the same
/// run: the C# side generates the records, encodes them, and hands exactly those bytes to avsc, which decodes them and
/// re-encodes what it decoded (checked to be byte-identical), each phase timed for the same duration.
/// </summary>
internal static class AvroCodecBench
{
    /// <summary>An order event of the kind a mesh carries: strings, numbers, an enum, a union, a nested array and a map.</summary>
    public const string SchemaJson = """
        {"type":"record","name":"Order","namespace":"bench","fields":[
          {"name":"orderId","type":"string"},
          {"name":"customerId","type":"long"},
          {"name":"createdAt","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID","SHIPPED","CANCELLED"]}},
          {"name":"total","type":"double"},
          {"name":"currency","type":"string"},
          {"name":"note","type":["null","string"],"default":null},
          {"name":"lines","type":{"type":"array","items":{"type":"record","name":"Line","fields":[
            {"name":"sku","type":"string"},{"name":"quantity","type":"int"},{"name":"price","type":"double"}]}}},
          {"name":"tags","type":{"type":"map","values":"string"}},
          {"name":"paid","type":"boolean"}
        ]}
        """;

    private static readonly string[] Currencies = ["EUR", "USD", "GBP", "JPY"];

    public static async Task RunAsync(BenchOptions options)
    {
        var schema = (RecordSchema)AvroSchema.Parse(SchemaJson);
        var records = Generate(schema, options.Records);
        var payloads = records.Select(r => AvroBinary.Encode(schema, r)).ToArray();
        var totalBytes = payloads.Sum(p => (long)p.Length);
        Console.WriteLine($"Avro codec: {payloads.Length} records, {totalBytes} bytes ({totalBytes / payloads.Length} per record), {options.Seconds}s per phase");

        var dir = Directory.CreateTempSubdirectory("meshwork-bench-avro-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "schema.json"), SchemaJson);
            await using (var file = File.Create(Path.Combine(dir.FullName, "records.bin")))
            {
                var length = new byte[4];
                foreach (var p in payloads)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, p.Length);
                    file.Write(length);
                    file.Write(p);
                }
            }

            // One after the other, never side by side (they would share the cores), and alternating for several rounds
            // so that load from elsewhere on the machine falls on both sides alike; the report takes medians.
            var ours = new List<OurResult>();
            var avsc = new List<AvscResult>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                ours.Add(MeasureOurs(schema, payloads, totalBytes, options.Seconds));
                avsc.Add(await RunAvscAsync(dir.FullName, options.Seconds));
                Console.WriteLine($"  round {round}: decode {ours[^1].Decode.MbPerSecond:F1} vs {avsc[^1].Decode.MbPerSecond:F1} MB/s, encode {ours[^1].Encode.MbPerSecond:F1} vs {avsc[^1].Encode.MbPerSecond:F1} MB/s");
            }

            Report(options, payloads.Length, totalBytes, ours, avsc);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static List<AvroRecord> Generate(RecordSchema schema, int count)
    {
        // A fixed seed: every run measures the same records.
        var random = new Random(20261207);
        var line = (RecordSchema)((ArraySchema)schema.GetField("lines")!.Schema).Items;
        var status = (EnumSchema)schema.GetField("status")!.Schema;
        var records = new List<AvroRecord>(count);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            var lines = new List<object?>();
            for (var l = random.Next(1, 6); l > 0; l--)
            {
                lines.Add(new AvroRecord(line, $"SKU-{random.Next(100_000):D6}", random.Next(1, 20), Math.Round(random.NextDouble() * 200, 2)));
            }

            var tags = new Dictionary<string, object?>();
            for (var t = random.Next(0, 4); t > 0; t--)
            {
                tags[$"tag{t}"] = $"value-{random.Next(1000)}";
            }

            records.Add(new AvroRecord(schema,
                $"order-{i:D8}",
                (long)random.Next(1, 5_000_000),
                start + random.Next(0, 1_000_000_000),
                new AvroEnum(status, status.Symbols[random.Next(status.Symbols.Count)]),
                Math.Round(random.NextDouble() * 1000, 2),
                Currencies[random.Next(Currencies.Length)],
                random.Next(3) == 0 ? $"deliver to door {random.Next(100)}" : null,
                lines,
                tags,
                random.Next(2) == 0));
        }

        return records;
    }

    private sealed record Phase(long Rounds, double Seconds, double MbPerSecond, double RecordsPerSecond, double BytesAllocatedPerRecord);

    private sealed record OurResult(Phase Decode, Phase Encode, Phase Validate);

    private sealed record AvscResult(string Tool, string Node, bool Identical, Phase Decode, Phase Encode);

    private static OurResult MeasureOurs(RecordSchema schema, byte[][] payloads, long totalBytes, double seconds)
    {
        var decoded = payloads.Select(p => AvroBinary.Decode(schema, p)).ToArray();
        var buffer = new ArrayBufferWriter<byte>(4096);
        long sink = 0;

        var decode = Measure(payloads.Length, totalBytes, seconds, () =>
        {
            foreach (var p in payloads)
            {
                sink += AvroBinary.Decode(schema, p) is null ? 1 : 0;
            }
        });
        var encode = Measure(payloads.Length, totalBytes, seconds, () =>
        {
            foreach (var value in decoded)
            {
                buffer.ResetWrittenCount();
                AvroBinary.Encode(schema, value, buffer);
                sink += buffer.WrittenCount;
            }
        });
        var validate = Measure(payloads.Length, totalBytes, seconds, () =>
        {
            foreach (var p in payloads)
            {
                AvroBinary.Validate(schema, p);
            }
        });
        GC.KeepAlive(sink);
        return new OurResult(decode, encode, validate);
    }

    /// <summary>Runs <paramref name="round"/> (one pass over every record) for a warm-up, then for the measured time.</summary>
    private static Phase Measure(int records, long bytesPerRound, double seconds, Action round)
    {
        Run(TimeSpan.FromSeconds(seconds));
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var (rounds, elapsed) = Run(TimeSpan.FromSeconds(seconds));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return new Phase(rounds, elapsed.TotalSeconds, rounds * bytesPerRound / elapsed.TotalSeconds / 1e6, rounds * records / elapsed.TotalSeconds,
            (double)allocated / (rounds * records));

        (long Rounds, TimeSpan Elapsed) Run(TimeSpan budget)
        {
            long n = 0;
            var watch = Stopwatch.StartNew();
            do
            {
                round();
                n++;
            }
            while (watch.Elapsed < budget);
            return (n, watch.Elapsed);
        }
    }

    private static async Task<AvscResult> RunAvscAsync(string dir, double seconds)
    {
        var script = Path.Combine(BenchOptions.RepositoryRoot(), "bench", "avro", "avsc_bench.mjs");
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(dir);
        info.ArgumentList.Add(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("node is required for the avsc reference: apt-get install nodejs npm, then cd tests/conformance && npm install", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"avsc_bench.mjs exited {process.ExitCode}: {await error}");
            }

            var json = JsonDocument.Parse(await output).RootElement;
            return new AvscResult(json.GetProperty("tool").GetString()!, json.GetProperty("node").GetString()!, json.GetProperty("identical").GetBoolean(),
                Phase(json.GetProperty("decode")), Phase(json.GetProperty("encode")));
        }

        static Phase Phase(JsonElement e) => new(e.GetProperty("rounds").GetInt64(), e.GetProperty("seconds").GetDouble(), e.GetProperty("mbPerSecond").GetDouble(),
            e.GetProperty("recordsPerSecond").GetDouble(), double.NaN);
    }

    private static Phase Median(IEnumerable<Phase> phases)
    {
        var sorted = phases.OrderBy(p => p.MbPerSecond).ToList();
        return sorted[sorted.Count / 2];
    }

    private static void Report(BenchOptions options, int records, long totalBytes, List<OurResult> ours, List<AvscResult> avsc)
    {
        var rows = new (string Name, Phase Ours, Phase? Theirs, IEnumerable<double> Ratios)[]
        {
            ("decode", Median(ours.Select(o => o.Decode)), Median(avsc.Select(a => a.Decode)), ours.Zip(avsc, (o, a) => o.Decode.MbPerSecond / a.Decode.MbPerSecond)),
            ("encode", Median(ours.Select(o => o.Encode)), Median(avsc.Select(a => a.Encode)), ours.Zip(avsc, (o, a) => o.Encode.MbPerSecond / a.Encode.MbPerSecond)),
            ("validate (the broker's full mode: walk, no objects)", Median(ours.Select(o => o.Validate)), null, []),
        };
        var first = avsc[0];
        var text = new StringBuilder();
        text.AppendLine("# Avro codec: Meshwork.Formats against avsc");
        text.AppendLine();
        text.AppendLine($"Measured {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on {Machine.Describe()}; reference {first.Tool} on node {first.Node}.");
        text.AppendLine($"Command: `bench/run.sh avro --seconds {options.Seconds} --rounds {options.Rounds} --records {options.Records}`.");
        text.AppendLine();
        text.AppendLine($"{records} `bench.Order` records (strings, long, timestamp-millis, enum, double, nullable string, an array of 1-5");
        text.AppendLine($"line records, a map, a boolean): {totalBytes} bytes of Avro binary, {totalBytes / (double)records:F0} bytes per record. Both");
        text.AppendLine("sides decode the same bytes; avsc re-encodes what it decoded byte for byte " + (avsc.All(a => a.Identical) ? "(checked: identical)." : "(**NOT identical**)."));
        text.AppendLine($"Each phase runs {options.Seconds}s after a warm-up of the same length; the two sides alternate for {options.Rounds} rounds and");
        text.AppendLine("the table shows the median round of each (the per-round ratios beside it). MB/s counts Avro binary bytes (10^6).");
        text.AppendLine();
        text.AppendLine("| phase | Meshwork MB/s | avsc MB/s | Meshwork / avsc | ratio per round | Meshwork records/s | Meshwork bytes allocated per record |");
        text.AppendLine("|---|---:|---:|---:|---|---:|---:|");
        foreach (var (name, o, t, ratios) in rows)
        {
            var ratio = t is null ? "–" : $"{o.MbPerSecond / t.MbPerSecond:F2}";
            var theirs = t is null ? "–" : $"{t.MbPerSecond:F1}";
            var perRound = t is null ? "–" : string.Join(", ", ratios.Select(r => r.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)));
            text.AppendLine($"| {name} | {o.MbPerSecond:F1} | {theirs} | {ratio} | {perRound} | {o.RecordsPerSecond:F0} | {o.BytesAllocatedPerRecord:F0} |");
        }

        text.AppendLine();
        text.AppendLine("Decode materialises generic values (`AvroRecord`, boxed numbers, strings, lists, dictionaries); avsc builds");
        text.AppendLine("JavaScript objects with code it generates per schema. Both sides encode into one reused buffer (avsc:");
        text.AppendLine("`type.encode(value, buffer, 0)`, its fastest path).");
        Console.WriteLine();
        Console.WriteLine(text);
        Directory.CreateDirectory(options.ResultsDirectory);
        File.WriteAllText(Path.Combine(options.ResultsDirectory, "avro-codec.md"), text.ToString());
    }
}
