using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meshwork.Catalog;
using Meshwork.Governance.Descriptors;
using Meshwork.Server.Http;
using Spectre.Console;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh plan</c>, <c>mesh apply</c> and <c>mesh history</c>: the mesh as code.</summary>
public static class MeshCommands
{
    /// <summary>Creates <c>mesh plan</c>.</summary>
    public static Command Plan(CliContext context) => Create(context, "plan",
        "Show what applying a mesh directory would change, and every policy violation (file:line, rule, fix). Exit 5 when violations block it.", apply: false);

    /// <summary>Creates <c>mesh apply</c>.</summary>
    public static Command Apply(CliContext context) => Create(context, "apply",
        "Make the live mesh match a directory of descriptors, in one transaction; refused (exit 5, nothing changed) when a policy is violated.", apply: true);

    /// <summary>Creates <c>mesh history</c>.</summary>
    public static Command History(CliContext context)
    {
        var server = StatusCommand.CreateServerOption();
        var output = Output.CreateOption();
        var limit = new Option<int>("--limit", "-n") { Description = "Applies to list, newest first (default 20).", DefaultValueFactory = _ => 20 };
        var offset = new Option<int>("--offset") { Description = "Skip this many (for paging).", DefaultValueFactory = _ => 0 };
        var command = new Command("history", "List recorded applies: who, when, from where, and what changed.") { server, output, limit, offset };
        command.SetAction((parse, ct) => ApiClient.RunAsync(context, parse.GetValue(server)!, async api =>
        {
            var page = await api.GetAsync<Page<ApplyRecord>>($"/api/v1/history?limit={parse.GetValue(limit)}&offset={parse.GetValue(offset)}", ct).ConfigureAwait(false);
            if (await Output.TryWriteJsonAsync(context, parse.GetValue(output), page).ConfigureAwait(false))
            {
                return ExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("#", "Applied at", "By", "Source", "Changes");
            foreach (var record in page.Items)
            {
                table.AddRow(record.Id.ToString(CultureInfo.InvariantCulture), record.AppliedAt.ToString("u", CultureInfo.InvariantCulture), Markup.Escape(record.AppliedBy),
                    Markup.Escape(record.Source), Markup.Escape(record.Summary + Environment.NewLine + string.Join(Environment.NewLine, record.Changes.Take(8).Select(Line))
                        + (record.Changes.Count > 8 ? $"{Environment.NewLine}… {record.Changes.Count - 8} more (--output json)" : "")));
            }

            StatusCommand.Console(context).Write(table);
            await CatalogCommands.MoreAsync(context, page).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Create(CliContext context, string name, string description, bool apply)
    {
        var directory = new Option<string>("--file", "-f") { Description = "The mesh directory: policies.yaml and one folder per domain.", Required = true };
        var allowDestroy = new Option<bool>("--allow-destroy") { Description = "Permit deleting products that still have consumers (their topics and data go too)." };
        var server = StatusCommand.CreateServerOption();
        var output = Output.CreateOption();
        var command = new Command(name, description) { directory, allowDestroy, server, output };
        command.SetAction(async (parse, ct) =>
        {
            var path = Path.GetFullPath(parse.GetValue(directory)!, context.WorkingDirectory);
            MeshFiles files;
            try
            {
                files = MeshFiles.FromDirectory(path);
            }
            catch (Exception e) when (e is DirectoryNotFoundException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                await context.Error.WriteLineAsync($"mesh {name}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.InvalidConfiguration;
            }

            var json = parse.GetValue(output) == OutputFormat.Json;
            if (!json)
            {
                await context.Error.WriteLineAsync($"{(apply ? "Applying" : "Planning")} {files.Paths.Count} file(s) from {parse.GetValue(directory)} against {parse.GetValue(server)}...").ConfigureAwait(false);
            }

            return await ApiClient.RunAsync(context, parse.GetValue(server)!, async api =>
            {
                var request = new PlanRequest(files.Contents, parse.GetValue(allowDestroy), Path.GetRelativePath(context.WorkingDirectory, path));
                var result = apply
                    ? await api.PostAsync<ApplyResponse>("/api/v1/apply", request, ct, problemExtension: "plan").ConfigureAwait(false)
                    : ToApply(await api.PostAsync<PlanResponse>("/api/v1/plan", request, ct).ConfigureAwait(false));
                if (json)
                {
                    object shown = apply ? result : new PlanResponse(result.Blocked, result.Summary, result.Changes, result.Violations);
                    await context.Output.WriteLineAsync(JsonSerializer.Serialize(shown, Output.Json)).ConfigureAwait(false);
                }
                else
                {
                    await PrintAsync(context, result, apply).ConfigureAwait(false);
                }

                return result.Blocked ? ExitCodes.PolicyViolations : ExitCodes.Ok;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static ApplyResponse ToApply(PlanResponse plan) => new(false, null, plan.Blocked, plan.Summary, plan.Changes, plan.Violations);

    private static async Task PrintAsync(CliContext context, ApplyResponse result, bool apply)
    {
        var o = context.Output;
        if (result.Changes.Count == 0)
        {
            await o.WriteLineAsync("No changes: the live mesh matches the definition.").ConfigureAwait(false);
        }

        foreach (var change in result.Changes)
        {
            await o.WriteLineAsync("  " + Line(change)).ConfigureAwait(false);
            if (change.Action == "update")
            {
                foreach (var field in change.Fields)
                {
                    await o.WriteLineAsync($"      {field.Key}: {Shown(field.Before)} -> {Shown(field.After)}").ConfigureAwait(false);
                }
            }
        }

        if (result.Violations.Count > 0)
        {
            await o.WriteLineAsync().ConfigureAwait(false);
            await o.WriteLineAsync("Violations:").ConfigureAwait(false);
            foreach (var v in result.Violations)
            {
                await o.WriteLineAsync($"  {v}").ConfigureAwait(false);
                await o.WriteLineAsync($"      fix: {v.Fix}").ConfigureAwait(false);
            }
        }

        await o.WriteLineAsync().ConfigureAwait(false);
        var errors = result.Violations.Count(v => v.Severity == "error");
        await o.WriteLineAsync(result.Blocked
            ? $"{(apply ? "Apply refused" : "Plan")}: {result.Summary}; blocked by {errors} error(s): nothing {(apply ? "was" : "would be")} changed."
            : apply
                ? result.Changes.Count == 0 ? "Nothing to apply." : $"Applied (#{result.HistoryId}): {result.Summary}."
                : $"Plan: {result.Summary}.").ConfigureAwait(false);
    }

    private static string Line(ChangeView change) =>
        $"{change.Action switch { "create" => "+", "update" => "~", _ => "-" }} {change.Resource} {change.Name}";

    private static string Line(AppliedChange change) =>
        $"{change.Action switch { "create" => "+", "update" => "~", _ => "-" }} {change.Resource} {change.Name}";

    private static string Shown(string? value) => value is null ? "(none)" : value.Length > 60 ? $"\"{value[..57].ReplaceLineEndings(" ")}...\"" : $"\"{value.ReplaceLineEndings(" ")}\"";
}
