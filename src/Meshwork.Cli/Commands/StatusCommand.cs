using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Meshwork.Server.Http;
using Spectre.Console;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh status</c>: asks a running mesh whether it is ready and what it runs.</summary>
public static class StatusCommand
{
    /// <summary>The server a client command talks to unless told otherwise.</summary>
    public const string DefaultServer = "http://127.0.0.1:8080";

    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var server = CreateServerOption();
        var output = Output.CreateOption();
        var command = new Command("status", "Show whether a running mesh is ready, and its version and store.") { server, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var baseAddress = parse.GetValue(server)!;
            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
            VersionResponse? version;
            HealthResponse? ready;
            try
            {
                version = await http.GetFromJsonAsync<VersionResponse>("/api/v1/version", Output.Json, cancellationToken).ConfigureAwait(false);
                using var readiness = await http.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                ready = await readiness.Content.ReadFromJsonAsync<HealthResponse>(Output.Json, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                await context.Error.WriteLineAsync($"mesh status: cannot reach a mesh at {baseAddress}: {e.Message}. Is 'mesh up' running? Use --server to point elsewhere.").ConfigureAwait(false);
                return ExitCodes.ServerUnreachable;
            }

            var status = new StatusResult(baseAddress.ToString(), ready?.Status ?? "unknown", version!);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(status, Output.Json)).ConfigureAwait(false);
            }
            else
            {
                var table = new Table().AddColumns("Property", "Value").Border(TableBorder.Rounded);
                table.AddRow("Server", Markup.Escape(status.Server));
                table.AddRow("Status", Markup.Escape(status.Status));
                table.AddRow("Version", Markup.Escape(version!.Version));
                table.AddRow("Instance", Markup.Escape(version.InstanceId));
                table.AddRow("Metadata store", Markup.Escape(version.MetadataStore));
                table.AddRow("Runtime", Markup.Escape(version.Runtime));
                Console(context).Write(table);
            }

            return status.Status == "ready" ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>The <c>--server URL</c> option of every command that talks to a running mesh.</summary>
    internal static Option<Uri> CreateServerOption() => UrlOption.Create("--server", DefaultServer, "Base URL of the mesh's HTTP API");

    /// <summary>A Spectre console that writes to the command's output writer.</summary>
    internal static IAnsiConsole Console(CliContext context)
    {
        // Piped into a file or grep there is no terminal: no escape codes, and no wrapping of names at 80 columns.
        var terminal = context.Output == System.Console.Out && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    private const int RedirectedWidth = 240;

    private sealed record StatusResult(string Server, string Status, VersionResponse Version);
}
