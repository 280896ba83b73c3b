using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Meshwork.Catalog;
using Meshwork.Processing;
using Spectre.Console;

namespace Meshwork.Cli.Commands;

/// <summary>Discovery: <c>mesh domains</c>, <c>products</c>, <c>search</c>, <c>describe</c>, <c>lineage</c>, <c>findings</c>.</summary>
public static class CatalogCommands
{
    /// <summary>Creates <c>mesh domains</c>.</summary>
    public static Command Domains(CliContext context) => Listing<DomainSummary>(context, "domains", "List domains: title, region, owners and product count.",
        (_, _) => "/api/v1/domains", ["Domain", "Title", "Region", "Owners", "Products"],
        d => [d.Name, d.Title ?? "", d.Region ?? "", string.Join(", ", d.Owners), d.Products.ToString(CultureInfo.InvariantCulture)]);

    /// <summary>Creates <c>mesh products</c>: the catalog's products with how far their lake tables are.</summary>
    public static Command Products(CliContext context)
    {
        var domain = new Option<string?>("--domain", "-d") { Description = "Only this domain's products." };
        Dictionary<string, MaterializationStatus> lake = [];
        return Listing<ProductSummary>(context, "products", "List data products: domain, owner, classification, status, version, PII, and the lake tables' state and lag.",
            (parse, _) => "/api/v1/products" + (parse.GetValue(domain) is { } d ? $"?domain={Uri.EscapeDataString(d)}" : ""),
            ["Product", "Name", "Owner", "Classification", "Status", "Version", "Fields", "PII", "Lake", "Lag"],
            p => [p.FullName, p.Name, p.Owner ?? "", p.Classification ?? "", p.Status, $"v{p.Version}", p.Fields.ToString(CultureInfo.InvariantCulture), p.HasPii ? "yes" : "",
                lake.TryGetValue(p.FullName, out var m) ? m.State : "-", lake.TryGetValue(p.FullName, out var l) ? l.Lag.ToString("N0", CultureInfo.InvariantCulture) : "-"],
            async (api, ct) => lake = (await Materializations(api, ct).ConfigureAwait(false)).ToDictionary(m => m.Product, StringComparer.Ordinal),
            domain);
    }

    /// <summary>Every product's materialization, or none when the mesh runs without the materializer.</summary>
    private static async Task<IReadOnlyList<MaterializationStatus>> Materializations(ApiClient api, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetAsync<List<MaterializationStatus>>("/api/v1/materializations", cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.ExitCode == ExitCodes.Failure)
        {
            return [];
        }
    }

    /// <summary>Creates <c>mesh search TEXT</c>.</summary>
    public static Command Search(CliContext context)
    {
        var text = new Argument<string>("text") { Description = "Words to find in names, descriptions, tags, owners, field names and docs." };
        return Listing<SearchHit>(context, "search", "Search domains and products; name matches first, then by relevance.",
            (parse, _) => $"/api/v1/search?q={Uri.EscapeDataString(parse.GetValue(text)!)}",
            ["Kind", "Ref", "Name", "Match"],
            h => [h.Kind, h.Ref, h.Name, h.Snippet],
            text);
    }

    /// <summary>Creates <c>mesh describe PRODUCT</c>.</summary>
    public static Command Describe(CliContext context)
    {
        var product = new Argument<string>("product") { Description = "The product, as <domain>.<id> (e.g. sales.orders)." };
        var server = StatusCommand.CreateServerOption();
        var output = Output.CreateOption();
        var command = new Command("describe", "Everything about a product: owner, classification per field, schema, SLA, contracts, consumers, lineage.") { product, server, output };
        command.SetAction((parse, ct) => ApiClient.RunAsync(context, parse.GetValue(server)!, async api =>
        {
            var detail = await api.GetAsync<ProductDetail>($"/api/v1/products/{Uri.EscapeDataString(parse.GetValue(product)!)}", ct).ConfigureAwait(false);
            var lake = await Materialization(api, detail.Product.FullName, ct).ConfigureAwait(false);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                var json = JsonSerializer.SerializeToNode(detail, Output.Json)!.AsObject();
                json["materialization"] = JsonSerializer.SerializeToNode(lake, Output.Json);
                await context.Output.WriteLineAsync(json.ToJsonString(Output.Json)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var console = StatusCommand.Console(context);
            var p = detail.Product;
            var facts = new Grid().AddColumn().AddColumn();
            void Fact(string name, string? value)
            {
                if (!string.IsNullOrWhiteSpace(value))
                {
                    facts.AddRow(new Text(name), new Text(value));
                }
            }

            Fact("Domain", p.Domain);
            Fact("Owner", p.Owner);
            Fact("Classification", p.Classification);
            Fact("Status", $"{p.Status}, version {p.Version}");
            Fact("Topic", $"{p.Topic}{(detail.StateEvents ? " (state events, compacted)" : "")}{(detail.KeyFields.Count > 0 ? $", key: {string.Join(", ", detail.KeyFields)}" : "")}");
            Fact("Schema", detail.Subject is null ? null : $"{detail.Subject} ({detail.SchemaFormat})");
            Fact("Residency", string.Join(" ", new[] { detail.Residency.Region, detail.Residency.StorageLocations.Count > 0 ? $"[{string.Join(", ", detail.Residency.StorageLocations)}]" : null, detail.Residency.PiiHandling is { } h ? $"PII: {h}" : null }.Where(x => x is not null)));
            Fact("SLA", Levels(detail.ServiceLevels));
            Fact("Tags", string.Join(", ", p.Tags));
            Fact("Description", p.Description);
            Fact("Updated", detail.UpdatedAt.ToString("u", CultureInfo.InvariantCulture));
            Fact("Lake", lake is null ? null
                : $"{lake.State}, lag {lake.Lag:N0}; tables {string.Join(", ", new[] { lake.Current, lake.History }.OfType<TableStatus>().Select(t => $"{t.Table} @ {t.SnapshotId?.ToString(CultureInfo.InvariantCulture) ?? "(empty)"}"))}"
                  + (lake.LastCommitAt is { } at ? $"; last commit {at.ToString("u", CultureInfo.InvariantCulture)}" : "") + (lake.LastError is { } error ? $"; last error: {error}" : ""));
            console.Write(new Rule($"[bold]{Markup.Escape(p.FullName)}[/] — {Markup.Escape(p.Name)}").LeftJustified());
            console.Write(facts);

            var fields = new Table().Border(TableBorder.Rounded).Title("Fields").AddColumns("Field", "Type", "Key", "Required", "Classification", "Description");
            foreach (var f in detail.Fields)
            {
                fields.AddRow(Markup.Escape(f.Name), Markup.Escape(f.Type), f.KeyPosition?.ToString(CultureInfo.InvariantCulture) ?? "", f.Required ? "yes" : "",
                    f.Labels.Count == 0 ? "" : $"[yellow]{Markup.Escape(string.Join(", ", f.Labels))}[/]", Markup.Escape(f.Doc ?? ""));
            }

            console.Write(fields);
            if (detail.Contracts.Count > 0)
            {
                var contracts = new Table().Border(TableBorder.Rounded).Title("Contracts").AddColumns("Consumer", "Purpose", "Fields", "Excluded");
                foreach (var c in detail.Contracts)
                {
                    contracts.AddRow(Markup.Escape(c.Consumer), Markup.Escape(c.Purpose ?? ""), Markup.Escape(string.Join(", ", c.Fields)), Markup.Escape(string.Join(", ", c.ExcludedFields)));
                }

                console.Write(contracts);
            }

            console.WriteLine($"Consumers: {(detail.Consumers.Count == 0 ? "none" : string.Join("; ", detail.Consumers.Select(g => $"{g.Consumer} ({string.Join(", ", g.Fields)})")))}");
            console.WriteLine($"Built from: {(detail.Inputs.Count == 0 ? "(a source product)" : string.Join(", ", detail.Inputs))}");
            console.WriteLine($"Feeds: {(detail.Outputs.Count == 0 ? "nothing yet" : string.Join(", ", detail.Outputs))}");
            console.WriteLine($"PII findings: {(detail.Findings.Count == 0 ? "none" : string.Join("; ", detail.Findings.Select(f => $"{f.Field}: {f.Kind} ({f.Label}) x{f.Occurrences}")))}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Creates <c>mesh lineage PRODUCT</c>.</summary>
    public static Command Lineage(CliContext context)
    {
        var product = new Argument<string>("product") { Description = "The product, as <domain>.<id>." };
        var depth = new Option<int>("--depth") { Description = "Levels to follow each way (default 16).", DefaultValueFactory = _ => 16 };
        var server = StatusCommand.CreateServerOption();
        var output = Output.CreateOption();
        var command = new Command("lineage", "Show what a product is built from (upstream) and what is built from it (downstream), as trees.") { product, depth, server, output };
        command.SetAction((parse, ct) => ApiClient.RunAsync(context, parse.GetValue(server)!, async api =>
        {
            var lineage = await api.GetAsync<Lineage>($"/api/v1/lineage/{Uri.EscapeDataString(parse.GetValue(product)!)}?depth={parse.GetValue(depth)}", ct).ConfigureAwait(false);
            if (await Output.TryWriteJsonAsync(context, parse.GetValue(output), lineage).ConfigureAwait(false))
            {
                return ExitCodes.Ok;
            }

            var console = StatusCommand.Console(context);
            console.Write(Tree(lineage.Upstream, "built from"));
            console.Write(Tree(lineage.Downstream, "feeds"));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Creates <c>mesh findings [PRODUCT]</c>.</summary>
    public static Command Findings(CliContext context)
    {
        var product = new Argument<string?>("product") { Description = "Only this product's findings.", Arity = ArgumentArity.ZeroOrOne };
        var server = StatusCommand.CreateServerOption();
        var output = Output.CreateOption();
        var command = new Command("findings", "List PII the value detectors saw in sampled events of fields that do not declare it.") { product, server, output };
        command.SetAction((parse, ct) => ApiClient.RunAsync(context, parse.GetValue(server)!, async api =>
        {
            var name = parse.GetValue(product);
            var findings = await api.GetAsync<List<FindingInfo>>("/api/v1/findings" + (name is null ? "" : $"?product={Uri.EscapeDataString(name)}"), ct).ConfigureAwait(false);
            if (await Output.TryWriteJsonAsync(context, parse.GetValue(output), findings).ConfigureAwait(false))
            {
                return ExitCodes.Ok;
            }

            if (findings.Count == 0)
            {
                await context.Output.WriteLineAsync("No findings: every sampled value matches its field's labels.").ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Product", "Field", "Detected", "Label to declare", "Seen", "Sample", "Last seen");
            foreach (var f in findings)
            {
                table.AddRow(Markup.Escape(f.Product), Markup.Escape(f.Field), f.Kind, f.Label, f.Occurrences.ToString(CultureInfo.InvariantCulture), Markup.Escape(f.Sample),
                    f.LastSeen.ToString("u", CultureInfo.InvariantCulture));
            }

            StatusCommand.Console(context).Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>One product's materialization, or null when it is not materialized (or the mesh runs without the materializer).</summary>
    private static async Task<MaterializationStatus?> Materialization(ApiClient api, string product, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetAsync<MaterializationStatus>($"/api/v1/products/{Uri.EscapeDataString(product)}/materialization", cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.ExitCode == ExitCodes.Failure)
        {
            return null;
        }
    }

    /// <summary>After a page: how to get the next one.</summary>
    internal static async Task MoreAsync<T>(CliContext context, Page<T> page)
    {
        if (page.NextOffset is { } next)
        {
            await context.Error.WriteLineAsync($"Showing {page.Offset + 1}-{page.Offset + page.Items.Count} of {page.Total}; --offset {next} for more.").ConfigureAwait(false);
        }
    }

    private static Command Listing<T>(CliContext context, string name, string description, Func<ParseResult, CancellationToken, string> path, string[] columns,
        Func<T, string[]> row, params Symbol[] extra) => Listing(context, name, description, path, columns, row, null, extra);

    /// <summary>A paged listing command; <paramref name="enrich"/> (optional) fetches what the table rows also show before they are printed.</summary>
    private static Command Listing<T>(CliContext context, string name, string description, Func<ParseResult, CancellationToken, string> path, string[] columns,
        Func<T, string[]> row, Func<ApiClient, CancellationToken, Task>? enrich, params Symbol[] extra)
    {
        var server = StatusCommand.CreateServerOption();
        var output = Output.CreateOption();
        var limit = new Option<int>("--limit", "-n") { Description = "Items per page (default 50, at most 1000).", DefaultValueFactory = _ => 50 };
        var offset = new Option<int>("--offset") { Description = "Skip this many (for paging).", DefaultValueFactory = _ => 0 };
        var command = new Command(name, description) { server, output, limit, offset };
        foreach (var symbol in extra)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
        }

        command.SetAction((parse, ct) => ApiClient.RunAsync(context, parse.GetValue(server)!, async api =>
        {
            var url = path(parse, ct);
            url += (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + $"limit={parse.GetValue(limit)}&offset={parse.GetValue(offset)}";
            var page = await api.GetAsync<Page<T>>(url, ct).ConfigureAwait(false);
            if (await Output.TryWriteJsonAsync(context, parse.GetValue(output), page).ConfigureAwait(false))
            {
                return ExitCodes.Ok;
            }

            if (enrich is not null)
            {
                await enrich(api, ct).ConfigureAwait(false);
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns(columns);
            foreach (var item in page.Items)
            {
                table.AddRow(row(item).Select(Markup.Escape).ToArray());
            }

            StatusCommand.Console(context).Write(table);
            await MoreAsync(context, page).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Tree Tree(LineageNode root, string relation)
    {
        var tree = new Tree($"[bold]{Markup.Escape(root.Product)}[/] {relation}:");
        if (root.Children.Count == 0)
        {
            tree.AddNode("[grey](nothing)[/]");
        }

        foreach (var child in root.Children)
        {
            Add(tree.AddNode(Label(child)), child);
        }

        return tree;

        static void Add(TreeNode node, LineageNode lineage)
        {
            foreach (var child in lineage.Children)
            {
                Add(node.AddNode(Label(child)), child);
            }
        }

        static string Label(LineageNode node) => node.Known
            ? $"{Markup.Escape(node.Product)} [grey]({Markup.Escape(node.Name)}, {Markup.Escape(node.Domain)})[/]"
            : $"{Markup.Escape(node.Product)} [red](not in the catalog)[/]";
    }

    private static string? Levels(ServiceLevels s)
    {
        var parts = new List<string>();
        if (s.Availability is { } a)
        {
            parts.Add($"availability {a.ToString(CultureInfo.InvariantCulture)}%");
        }

        if (s.Latency is { } l)
        {
            parts.Add($"latency {l}");
        }

        if (s.Freshness is { } f)
        {
            parts.Add($"freshness {f}");
        }

        if (s.Completeness is { } c)
        {
            parts.Add($"completeness {c.ToString(CultureInfo.InvariantCulture)}%");
        }

        if (s.Accuracy is { } acc)
        {
            parts.Add($"accuracy {acc.ToString(CultureInfo.InvariantCulture)}%");
        }

        if (s.Timeliness is { } t)
        {
            parts.Add($"timeliness {t.ToString(CultureInfo.InvariantCulture)}%");
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }
}
