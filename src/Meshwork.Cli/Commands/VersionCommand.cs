using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Meshwork.Server;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh version</c>: this binary's version.</summary>
public static class VersionCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var output = Output.CreateOption();
        var command = new Command("version", "Print the version of this mesh binary.") { output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                var body = new { name = "meshwork", version = MeshStatus.Version, runtime = RuntimeInformation.FrameworkDescription };
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(body, Output.Json)).ConfigureAwait(false);
            }
            else
            {
                await context.Output.WriteLineAsync($"meshwork {MeshStatus.Version} ({RuntimeInformation.FrameworkDescription})").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
