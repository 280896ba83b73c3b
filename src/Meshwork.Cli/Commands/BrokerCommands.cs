using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meshwork.Server.Http;
using Spectre.Console;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh topics</c>, <c>mesh groups</c> and <c>mesh tail</c>: the embedded broker from the command line.</summary>
public static class BrokerCommands
{
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Creates <c>mesh topics</c>.</summary>
    public static Command Topics(CliContext context)
    {
        var server = StatusCommand.CreateServerOption();
        var output = Output.CreateOption();
        var command = new Command("topics", "List the broker's topics with partitions, records, size and throughput.") { server, output };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse.GetValue(server)!, async api =>
        {
            var topics = await api.GetAsync<List<TopicSummary>>("/api/v1/topics", cancellationToken).ConfigureAwait(false);
            if (await Output.TryWriteJsonAsync(context, parse.GetValue(output), topics).ConfigureAwait(false))
            {
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Topic", "Partitions", "Cleanup", "Records", "Size", "In (records)", "Out (records)");
            foreach (var t in topics)
            {
                table.AddRow(Markup.Escape(t.Name), Number(t.Partitions), t.CleanupPolicy, Number(t.Records), Bytes(t.SizeBytes), Number(t.RecordsIn), Number(t.RecordsOut));
            }

            StatusCommand.Console(context).Write(table);
        }));
        return command;
    }

    /// <summary>Creates <c>mesh groups</c>.</summary>
    public static Command Groups(CliContext context)
    {
        var server = StatusCommand.CreateServerOption();
        var output = Output.CreateOption();
        var command = new Command("groups", "List consumer groups with their state, members and lag.") { server, output };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse.GetValue(server)!, async api =>
        {
            var groups = await api.GetAsync<List<GroupSummaryView>>("/api/v1/groups", cancellationToken).ConfigureAwait(false);
            if (await Output.TryWriteJsonAsync(context, parse.GetValue(output), groups).ConfigureAwait(false))
            {
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Group", "State", "Members", "Generation", "Lag", "Partitions");
            foreach (var g in groups)
            {
                table.AddRow(Markup.Escape(g.GroupId), g.State, Number(g.Members), Number(g.Generation), Number(g.Lag), Number(g.Partitions.Count));
            }

            StatusCommand.Console(context).Write(table);
        }));
        return command;
    }

    /// <summary>Creates <c>mesh tail TOPIC</c>.</summary>
    public static Command Tail(CliContext context)
    {
        var topic = new Argument<string>("topic") { Description = "The topic to read." };
        var server = StatusCommand.CreateServerOption();
        var output = Output.CreateOption();
        var partition = new Option<int>("--partition", "-p") { Description = "Partition to read (default 0).", DefaultValueFactory = _ => 0 };
        var offset = new Option<long?>("--offset") { Description = "First offset to print (default: the last --limit records)." };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the partition's first offset." };
        var limit = new Option<int>("--limit", "-n") { Description = "Records to print before following (default 10).", DefaultValueFactory = _ => 10 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new records until Ctrl-C." };
        var command = new Command("tail", "Print a topic's records: key, value, headers; --follow for new ones.")
        {
            topic, server, output, partition, offset, fromBeginning, limit, follow,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse.GetValue(server)!, async api =>
        {
            var name = Uri.EscapeDataString(parse.GetValue(topic)!);
            var index = parse.GetValue(partition);
            var count = parse.GetValue(limit);
            var detail = await api.GetAsync<TopicDetail>($"/api/v1/topics/{name}", cancellationToken).ConfigureAwait(false);
            var range = detail.Partitions.FirstOrDefault(p => p.Partition == index)
                ?? throw new ApiException($"topic '{detail.Topic.Name}' has no partition {index} (it has {detail.Partitions.Count}).", ExitCodes.Failure);
            var next = parse.GetValue(offset) ?? (parse.GetValue(fromBeginning) ? range.LogStartOffset : Math.Max(range.LogStartOffset, range.EndOffset - count));
            var json = parse.GetValue(output) == OutputFormat.Json;
            var printed = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                var page = await api.GetAsync<RecordPage>($"/api/v1/topics/{name}/records?partition={index}&offset={next}&limit={Math.Max(1, count - printed)}", cancellationToken).ConfigureAwait(false);
                foreach (var record in page.Records)
                {
                    await context.Output.WriteLineAsync(json ? JsonSerializer.Serialize(record, Output.Json).ReplaceLineEndings(" ") : Line(record)).ConfigureAwait(false);
                    printed++;
                }

                next = page.NextOffset;
                if (!parse.GetValue(follow) && (printed >= count || page.Records.Count == 0))
                {
                    return;
                }

                if (parse.GetValue(follow) && page.Records.Count == 0)
                {
                    printed = 0;
                    await Task.Delay(FollowInterval, cancellationToken).ConfigureAwait(false);
                }
            }
        }));
        return command;
    }

    private static string Line(RecordView record)
    {
        var headers = record.Headers.Count == 0 ? "" : "  " + string.Join(" ", record.Headers.Select(h => $"{h.Key}={h.Value}"));
        return $"{record.Partition}:{record.Offset}  {record.Timestamp:u}  {record.Key ?? "(null)"} = {record.Value ?? "(null)"}{headers}";
    }

    private static Task<int> RunAsync(CliContext context, Uri server, Func<ApiClient, Task> body) => ApiClient.RunAsync(context, server, body);

    internal static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Bytes(long value) => value switch
    {
        < 1024 => $"{value} B",
        < 1024 * 1024 => $"{value / 1024.0:F1} KiB",
        < 1024L * 1024 * 1024 => $"{value / (1024.0 * 1024):F1} MiB",
        _ => $"{value / (1024.0 * 1024 * 1024):F1} GiB",
    };
}
