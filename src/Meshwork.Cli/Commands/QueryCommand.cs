using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Meshwork.Server.Http;
using Spectre.Console;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh query "SQL"</c>: SQL over the products' lake tables, as a table, CSV or JSON.</summary>
public static class QueryCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var sql = new Argument<string>("sql") { Description = "One SELECT over product tables: domain.product (current state) and domain.product_history (every event). SQLite dialect." };
        var format = new Option<string>("--output", "-o") { Description = "table, csv or json.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var limit = new Option<int?>("--limit", "-n") { Description = "Rows at most (default 1,000; at most 100,000)." };
        var timeout = new Option<double?>("--timeout") { Description = "Seconds the query may run (default 30)." };
        var snapshots = new Option<string[]>("--snapshot") { Description = "Read a table at a snapshot: --snapshot sales.orders=1234 (repeatable)." };
        var server = StatusCommand.CreateServerOption();
        var command = new Command("query", "Run SQL over the data products' lake tables at their latest (or a named) snapshot.") { sql, format, limit, timeout, snapshots, server };
        command.SetAction(async (parse, ct) =>
        {
            var at = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(snapshots) ?? [])
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !long.TryParse(pair.AsSpan(eq + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                {
                    await context.Error.WriteLineAsync($"mesh query: --snapshot '{pair}': expected TABLE=SNAPSHOT_ID, such as sales.orders=1234.").ConfigureAwait(false);
                    return ExitCodes.InvalidConfiguration;
                }

                at[pair[..eq]] = id;
            }

            var seconds = parse.GetValue(timeout);
            var body = new QueryBody(parse.GetValue(sql), parse.GetValue(limit), seconds is { } s ? (long)(s * 1000) : null, at.Count == 0 ? null : at);
            return await ApiClient.RunAsync(context, parse.GetValue(server)!, async api =>
            {
                var result = await api.PostAsync<QueryResponse>("/api/v1/query", body, ct).ConfigureAwait(false);
                switch (parse.GetValue(format))
                {
                    case "json":
                        await context.Output.WriteLineAsync(JsonSerializer.Serialize(result, Output.Json)).ConfigureAwait(false);
                        break;
                    case "csv":
                        await context.Output.WriteLineAsync(string.Join(",", result.Columns.Select(c => Csv(c.Name)))).ConfigureAwait(false);
                        foreach (var row in result.Rows)
                        {
                            await context.Output.WriteLineAsync(string.Join(",", row.Select(v => Csv(Text(v))))).ConfigureAwait(false);
                        }

                        break;
                    default:
                        var table = new Table().Border(TableBorder.Rounded).AddColumns(result.Columns.Select(c => Markup.Escape(c.Name)).ToArray());
                        foreach (var row in result.Rows)
                        {
                            table.AddRow(row.Select(v => Markup.Escape(Text(v))).ToArray());
                        }

                        StatusCommand.Console(context).Write(table);
                        await context.Error.WriteLineAsync($"{result.Rows.Count} row(s){(result.Truncated ? " (truncated at the limit; --limit for more)" : "")} in {result.ElapsedMs} ms; " +
                            string.Join(", ", result.Tables.Select(t => $"{t.Table} at snapshot {(t.SnapshotId?.ToString(CultureInfo.InvariantCulture) ?? "none")}"))).ConfigureAwait(false);
                        break;
                }

                return ExitCodes.Ok;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        JsonElement { ValueKind: JsonValueKind.Null } => "",
        JsonElement { ValueKind: JsonValueKind.String } s => s.GetString()!,
        JsonElement e => e.GetRawText(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled.</summary>
    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : new StringBuilder("\"").Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"').ToString();
}
