using System.Diagnostics;

namespace Meshwork.Testing;

/// <summary>Runs a command to completion and returns its exit code and combined output.</summary>
public static class Processes
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/>; stdout and stderr are combined in order of arrival.</summary>
    public static async Task<(int Exit, string Text)> RunAsync(string file, IEnumerable<string> arguments, string? workingDirectory = null, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await output.ConfigureAwait(false) + await error.ConfigureAwait(false));
    }
}
