using System.CommandLine;
using System.Globalization;
using Meshwork.Server.Http;
using Spectre.Console;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh users list|set|delete</c>: the SASL/SCRAM users of the Kafka listener.</summary>
public static class UserCommands
{
    private static readonly string[] Mechanisms = ["SCRAM-SHA-256", "SCRAM-SHA-512"];

    /// <summary>Creates <c>mesh users</c> with its subcommands.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("users", "Manage the SASL users of the Kafka listener (SCRAM-SHA-256/512 credentials, also used for PLAIN).");
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Set(context));
        command.Subcommands.Add(Delete(context));
        return command;
    }

    private static Command List(CliContext context)
    {
        var server = StatusCommand.CreateServerOption();
        var output = Output.CreateOption();
        var command = new Command("list", "List users with their mechanisms and iteration counts (never passwords).") { server, output };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse.GetValue(server)!, async api =>
        {
            var users = await api.GetAsync<List<BrokerUser>>("/api/v1/broker/users", cancellationToken).ConfigureAwait(false);
            if (await Output.TryWriteJsonAsync(context, parse.GetValue(output), users).ConfigureAwait(false))
            {
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("User", "Mechanism", "Iterations", "Set at");
            foreach (var user in users)
            {
                foreach (var mechanism in user.Mechanisms)
                {
                    table.AddRow(Markup.Escape(user.User), mechanism.Mechanism, mechanism.Iterations.ToString(CultureInfo.InvariantCulture), mechanism.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
                }
            }

            StatusCommand.Console(context).Write(table);
        }));
        return command;
    }

    private static Command Set(CliContext context)
    {
        var user = new Argument<string>("user") { Description = "The user name clients log in with." };
        var server = StatusCommand.CreateServerOption();
        var passwordFile = new Option<string>("--password-file")
        {
            Description = "File holding the password (its first line). A file keeps the password out of the shell history and process list.",
            Required = true,
        };
        var mechanism = MechanismOption("Mechanism to set: SCRAM-SHA-256, SCRAM-SHA-512 or all (default all).");
        var iterations = new Option<int>("--iterations")
        {
            Description = "PBKDF2 iterations, 4096 to 16384 (default 4096).",
            DefaultValueFactory = _ => 4096,
        };
        var command = new Command("set", "Create a user or change its password.") { user, server, passwordFile, mechanism, iterations };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse.GetValue(server)!, async api =>
        {
            var path = Path.GetFullPath(parse.GetValue(passwordFile)!, context.WorkingDirectory);
            string password;
            try
            {
                password = (await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false)).FirstOrDefault() ?? "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ApiException($"cannot read --password-file {path}: {e.Message}", ExitCodes.InvalidConfiguration);
            }

            if (password.Length == 0)
            {
                throw new ApiException($"--password-file {path} is empty; its first line is the password.", ExitCodes.InvalidConfiguration);
            }

            var name = parse.GetValue(user)!;
            foreach (var selected in parse.GetValue(mechanism)!)
            {
                var set = await api.PutAsync<BrokerUserMechanism>($"/api/v1/broker/users/{Uri.EscapeDataString(name)}/{selected}",
                    new SetPasswordRequest(password, parse.GetValue(iterations)), cancellationToken).ConfigureAwait(false);
                await context.Output.WriteLineAsync($"Set {set.Mechanism} credential of user {name} ({set.Iterations} iterations).").ConfigureAwait(false);
            }
        }));
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var user = new Argument<string>("user") { Description = "The user to remove." };
        var server = StatusCommand.CreateServerOption();
        var mechanism = MechanismOption("Mechanism to remove: SCRAM-SHA-256, SCRAM-SHA-512 or all (default all that exist).");
        var command = new Command("delete", "Remove a user's credentials; its connections authenticated so far stay open.") { user, server, mechanism };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse.GetValue(server)!, async api =>
        {
            var name = parse.GetValue(user)!;
            var selected = parse.GetValue(mechanism)!;
            var existing = (await api.GetAsync<List<BrokerUser>>("/api/v1/broker/users", cancellationToken).ConfigureAwait(false))
                .SingleOrDefault(u => u.User == name)?.Mechanisms.Select(m => m.Mechanism).ToHashSet(StringComparer.Ordinal) ?? [];
            var targets = selected.Length == Mechanisms.Length ? [.. selected.Where(existing.Contains)] : selected;
            if (targets.Length == 0)
            {
                throw new ApiException($"user '{name}' has no credentials. List users with 'mesh users list'.", ExitCodes.Failure);
            }

            foreach (var target in targets)
            {
                await api.DeleteAsync($"/api/v1/broker/users/{Uri.EscapeDataString(name)}/{target}", cancellationToken).ConfigureAwait(false);
                await context.Output.WriteLineAsync($"Deleted {target} credential of user {name}.").ConfigureAwait(false);
            }
        }));
        return command;
    }

    private static Option<string[]> MechanismOption(string description) => new("--mechanism")
    {
        Description = description,
        DefaultValueFactory = _ => Mechanisms,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "all";
            if (text.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                return Mechanisms;
            }

            var match = Mechanisms.FirstOrDefault(m => m.Equals(text, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                result.AddError($"--mechanism '{text}': expected SCRAM-SHA-256, SCRAM-SHA-512 or all.");
                return null;
            }

            return [match];
        },
    };

    private static Task<int> RunAsync(CliContext context, Uri server, Func<ApiClient, Task> body) => ApiClient.RunAsync(context, server, body, "mesh users");
}
