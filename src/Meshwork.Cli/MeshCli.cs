using System.CommandLine;
using Meshwork.Cli.Commands;
using Meshwork.Server.Configuration;

namespace Meshwork.Cli;

/// <summary>
/// The <c>mesh</c> command tree. <see cref="RunAsync"/> takes its writers and environment as arguments
/// so tests run the real command in-process.
/// </summary>
public static class MeshCli
{
    /// <summary>Builds the root command with every subcommand.</summary>
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("Meshwork: a self-hosted, event-driven data mesh platform.");
        root.Subcommands.Add(UpCommand.Create(context));
        root.Subcommands.Add(StatusCommand.Create(context));
        root.Subcommands.Add(BrokerCommands.Topics(context));
        root.Subcommands.Add(BrokerCommands.Groups(context));
        root.Subcommands.Add(BrokerCommands.Tail(context));
        root.Subcommands.Add(UserCommands.Create(context));
        root.Subcommands.Add(SchemaCommands.Create(context));
        root.Subcommands.Add(MeshCommands.Plan(context));
        root.Subcommands.Add(MeshCommands.Apply(context));
        root.Subcommands.Add(MeshCommands.History(context));
        root.Subcommands.Add(CatalogCommands.Domains(context));
        root.Subcommands.Add(CatalogCommands.Products(context));
        root.Subcommands.Add(CatalogCommands.Search(context));
        root.Subcommands.Add(CatalogCommands.Describe(context));
        root.Subcommands.Add(CatalogCommands.Lineage(context));
        root.Subcommands.Add(CatalogCommands.Findings(context));
        root.Subcommands.Add(ContractCommands.Create(context));
        root.Subcommands.Add(QueryCommand.Create(context));
        root.Subcommands.Add(VersionCommand.Create(context));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = Build(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await context.Error.WriteLineAsync($"mesh: {error.Message}").ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync("Run 'mesh --help' for usage.").ConfigureAwait(false);
            return ExitCodes.InvalidConfiguration;
        }

        var configuration = new InvocationConfiguration
        {
            Output = context.Output,
            Error = context.Error,
            // `mesh up` handles SIGINT and SIGTERM itself so it can shut down in order.
            ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>What a command may touch outside itself: its writers, the environment and the working directory.</summary>
public sealed record CliContext(TextWriter Output, TextWriter Error, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory)
{
    /// <summary>The real console, environment and working directory.</summary>
    public static CliContext FromProcess()
    {
        var input = ConfigInput.FromProcess(null, []);
        return new CliContext(Console.Out, Console.Error, input.Environment, input.WorkingDirectory);
    }
}
