using System.Diagnostics;
using System.Text;
using Meshwork.Testing;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>
/// Paths of the real Kafka clients and a runner for their driver scripts (<c>tests/conformance/kafka/</c>).
/// A missing client fails the test with the command that installs it; nothing is ever skipped.
/// </summary>
internal static class KafkaTools
{
    /// <summary>Debian's interpreter, which has python3-kafka 2.0.2 and python3-confluent-kafka; the python3 on PATH may be another.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>The folder of the driver scripts.</summary>
    public static string ScriptsDirectory => Path.Combine(Repository.Root, "tests", "conformance", "kafka");

    /// <summary>tests/conformance, where package.json pins kafkajs.</summary>
    public static string NodeProject => Path.Combine(Repository.Root, "tests", "conformance");

    /// <summary>Runs <c>/usr/bin/python3 kafka/SCRIPT args</c> after checking that kafka-python is importable.</summary>
    public static async Task<string> RunPythonAsync(string script, IEnumerable<string> arguments, TimeSpan timeout)
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: apt-get install python3 python3-kafka");
        }

        return await RunAsync(Python, [Path.Combine(ScriptsDirectory, script), .. arguments], timeout, "apt-get install python3-kafka");
    }

    /// <summary>Runs <c>node kafka/SCRIPT args</c> with tests/conformance/node_modules (kafkajs 2.2.4).</summary>
    public static async Task<string> RunNodeAsync(string script, IEnumerable<string> arguments, TimeSpan timeout)
    {
        if (!Directory.Exists(Path.Combine(NodeProject, "node_modules", "kafkajs")))
        {
            throw new InvalidOperationException($"kafkajs is not installed: cd {NodeProject} && npm install");
        }

        return await RunAsync("node", [Path.Combine(ScriptsDirectory, script), .. arguments], timeout, $"apt-get install nodejs && cd {NodeProject} && npm install");
    }

    /// <summary>Runs a process to completion within <paramref name="timeout"/>; a non-zero exit or a timeout throws with its stderr.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, string install, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? NodeProject,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{file}' is not installed: {install}. {e.Message}", e);
        }

        using (process)
        {
            var output = new StringBuilder();
            var error = new StringBuilder();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (output)
                    {
                        output.AppendLine(e.Data);
                    }
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (error)
                    {
                        error.AppendLine(e.Data);
                    }
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}. stderr:{Environment.NewLine}{Tail(error)}");
            }

            await process.WaitForExitAsync(CancellationToken.None);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}. stderr:{Environment.NewLine}{Tail(error)}{Environment.NewLine}stdout:{Environment.NewLine}{Tail(output)}");
            }

            lock (output)
            {
                return output.ToString();
            }
        }
    }

    private static string Tail(StringBuilder text)
    {
        lock (text)
        {
            const int MaxChars = 6000;
            return text.Length <= MaxChars ? text.ToString() : "..." + text.ToString(text.Length - MaxChars, MaxChars);
        }
    }
}
