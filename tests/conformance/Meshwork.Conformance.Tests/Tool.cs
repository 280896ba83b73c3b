using System.Diagnostics;
using System.Text;

namespace Meshwork.Conformance.Tests;

/// <summary>Runs a third-party command-line tool. A missing tool fails the test with the package to install; it never skips.</summary>
internal static class Tool
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs <paramref name="file"/> to completion and returns its standard output. <paramref name="standardInput"/>, when
    /// given, is written to the tool (the driver scripts read one JSON request there). A non-zero exit throws with the
    /// tool's standard error, which names a missing library (the drivers exit 3 for that); a tool still running after
    /// <paramref name="timeout"/> is killed with its children.
    /// </summary>
    public static async Task<string> RunAsync(
        string file,
        string debianPackage,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? standardInput = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            StandardOutputEncoding = Encoding.UTF8,
        };
        if (standardInput is not null)
        {
            info.StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        }

        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{file}' is not installed: apt-get install {debianPackage} (./test.sh installs it). {e.Message}", e);
        }

        using (process)
        {
            using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
            var output = process.StandardOutput.ReadToEndAsync(cancel.Token);
            var error = process.StandardError.ReadToEndAsync(cancel.Token);
            try
            {
                if (standardInput is not null)
                {
                    // Written while the output is being read, so a tool that answers as it reads cannot block on a full pipe.
                    try
                    {
                        await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancel.Token);
                        process.StandardInput.Close();
                    }
                    catch (IOException)
                    {
                        // The tool exited without reading it all (a driver that finds its library missing exits at once):
                        // its exit code and standard error, below, say why; a broken pipe would not.
                    }
                }

                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish within {timeout ?? DefaultTimeout}.");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} exited {process.ExitCode}: {await error}");
            }

            return await output;
        }
    }
}
