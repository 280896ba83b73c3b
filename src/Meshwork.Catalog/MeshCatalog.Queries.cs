using System.Text.Json;
using Dapper;
using Meshwork.Governance.Classification;

namespace Meshwork.Catalog;

public sealed partial class MeshCatalog
{
    /// <summary>The most items one page holds.</summary>
    public const int MaxPageSize = 1000;

    private const int MaxLineageDepth = 16;

    /// <summary>Domains, by name, with their product counts.</summary>
    public async Task<Page<DomainSummary>> DomainsAsync(int limit = 100, int offset = 0, CancellationToken cancellationToken = default)
    {
        CheckPage(limit, offset);
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var total = await c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM catalog_domains", cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await c.QueryAsync<(string Name, string? Title, string? Description, string? Region, string Owners, string Approvers, long Products)>(new CommandDefinition(
            "SELECT d.name, d.title, d.description, d.region, d.owners_json, d.approvers_json, (SELECT COUNT(*) FROM catalog_products p WHERE p.domain = d.name) " +
            "FROM catalog_domains d ORDER BY d.name LIMIT @limit OFFSET @offset", new { limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return Page<DomainSummary>.Of(rows.Select(r => new DomainSummary(r.Name, r.Title, r.Description, r.Region, List(r.Owners), List(r.Approvers), (int)r.Products)).ToList(),
            total, offset, limit);
    }

    /// <summary>Products, by full name, optionally of one domain.</summary>
    public async Task<Page<ProductSummary>> ProductsAsync(string? domain = null, int limit = 100, int offset = 0, CancellationToken cancellationToken = default)
    {
        CheckPage(limit, offset);
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var where = domain is null ? "" : " WHERE p.domain = @domain";
        var total = await c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM catalog_products p" + where, new { domain }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await c.QueryAsync<ProductRow>(new CommandDefinition(SelectProducts + where + " ORDER BY p.full_name LIMIT @limit OFFSET @offset",
            new { domain, limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var summaries = new List<ProductSummary>();
        foreach (var row in rows)
        {
            summaries.Add(row.ToSummary(await FieldsAsync(c, row.FullName, cancellationToken).ConfigureAwait(false)));
        }

        return Page<ProductSummary>.Of(summaries, total, offset, limit);
    }

    /// <summary>Everything about one product, or null when the catalog has no such product.</summary>
    public async Task<ProductDetail?> ProductAsync(string fullName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fullName);
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QuerySingleOrDefaultAsync<ProductRow>(new CommandDefinition(SelectProducts + " WHERE p.full_name = @fullName",
            new { fullName = fullName.ToLowerInvariant() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var name = row.FullName;
        var fields = await FieldsAsync(c, name, cancellationToken).ConfigureAwait(false);
        var contracts = (await c.QueryAsync<ContractRow>(new CommandDefinition(SelectContracts + " WHERE product = @name ORDER BY name", new { name }, cancellationToken: cancellationToken))
            .ConfigureAwait(false)).Select(r => r.ToInfo()).ToList();
        var grants = (await c.QueryAsync<GrantRow>(new CommandDefinition(SelectGrants + " WHERE product = @name ORDER BY name", new { name }, cancellationToken: cancellationToken))
            .ConfigureAwait(false)).Select(r => r.ToInfo()).ToList();
        var inputs = (await c.QueryAsync<string>(new CommandDefinition("SELECT input FROM catalog_inputs WHERE product = @name ORDER BY input", new { name }, cancellationToken: cancellationToken))
            .ConfigureAwait(false)).ToList();
        var outputs = (await c.QueryAsync<string>(new CommandDefinition("SELECT product FROM catalog_inputs WHERE input = @name ORDER BY product", new { name }, cancellationToken: cancellationToken))
            .ConfigureAwait(false)).ToList();
        var spec = Spec(row.SpecJson);
        double? Number(string key) => spec.TryGetValue(key, out var v) && double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        IReadOnlyList<string> Items(string key) => spec.TryGetValue(key, out var v) ? v.Trim('[', ']').Split(", ", StringSplitOptions.RemoveEmptyEntries) : [];
        return new ProductDetail(
            row.ToSummary(fields),
            row.Subject,
            row.SchemaFormat,
            row.SchemaText,
            Items("keyFields"),
            spec.GetValueOrDefault("stateEvents") == "true",
            new Residency(spec.GetValueOrDefault("dataResidency.region"), Items("dataResidency.storageLocations"), spec.GetValueOrDefault("dataResidency.piiHandling")),
            new ServiceLevels(Number("sla.availability"), spec.GetValueOrDefault("sla.latency"), spec.GetValueOrDefault("sla.freshness"),
                Number("qualityMetrics.completeness"), Number("qualityMetrics.accuracy"), Number("qualityMetrics.timeliness")),
            fields,
            contracts,
            grants,
            inputs,
            outputs,
            await FindingsAsync(name, cancellationToken).ConfigureAwait(false),
            Instant(row.CreatedAt),
            Instant(row.UpdatedAt));
    }

    /// <summary>The products <paramref name="fullName"/> is built from (upstream) and the ones built from it (downstream), as trees.</summary>
    public async Task<Lineage?> LineageAsync(string fullName, int depth = MaxLineageDepth, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fullName);
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var products = (await c.QueryAsync<(string FullName, string Name, string Domain)>(new CommandDefinition(
            "SELECT full_name, name, domain FROM catalog_products", cancellationToken: cancellationToken)).ConfigureAwait(false)).ToDictionary(p => p.FullName, StringComparer.Ordinal);
        var key = fullName.ToLowerInvariant();
        if (!products.ContainsKey(key))
        {
            return null;
        }

        var edges = (await c.QueryAsync<(string Product, string Input)>(new CommandDefinition("SELECT product, input FROM catalog_inputs", cancellationToken: cancellationToken))
            .ConfigureAwait(false)).ToList();
        var inputs = edges.ToLookup(e => e.Product, e => e.Input, StringComparer.Ordinal);
        var outputs = edges.ToLookup(e => e.Input, e => e.Product, StringComparer.Ordinal);
        depth = Math.Clamp(depth, 1, MaxLineageDepth);

        LineageNode Build(string name, ILookup<string, string> next, int level, HashSet<string> path)
        {
            var known = products.TryGetValue(name, out var p);
            // The path set stops a cycle that slipped into the store from recursing forever.
            var children = level >= depth || !path.Add(name)
                ? []
                : next[name].Order(StringComparer.Ordinal).Select(n => Build(n, next, level + 1, path)).ToList();
            path.Remove(name);
            return new LineageNode(name, known ? p.Name : name, known ? p.Domain : name.Split('.')[0], known, children);
        }

        return new Lineage(key, Build(key, inputs, 0, []), Build(key, outputs, 0, []));
    }

    /// <summary>Recorded applies, newest first.</summary>
    public async Task<Page<ApplyRecord>> HistoryAsync(int limit = 20, int offset = 0, CancellationToken cancellationToken = default)
    {
        CheckPage(limit, offset);
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var total = await c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM catalog_applies", cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = await c.QueryAsync<(long Id, string AppliedBy, string AppliedAt, string Source, string Summary, string Changes)>(new CommandDefinition(
            "SELECT id, applied_by, applied_at, source, summary, changes_json FROM catalog_applies ORDER BY id DESC LIMIT @limit OFFSET @offset",
            new { limit, offset }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return Page<ApplyRecord>.Of(rows.Select(r => new ApplyRecord(r.Id, r.AppliedBy, Instant(r.AppliedAt), r.Source, r.Summary,
            JsonSerializer.Deserialize<List<AppliedChange>>(r.Changes, Json) ?? [])).ToList(), total, offset, limit);
    }

    /// <summary>The effective labels of each field of <paramref name="fullName"/> (what the value detectors compare samples with).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> FieldLabelsAsync(string fullName, CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return (await FieldsAsync(c, fullName, cancellationToken).ConfigureAwait(false)).ToDictionary(f => f.Name, f => f.Labels, StringComparer.Ordinal);
    }

    /// <summary>Adds what a scan of sampled events found to the product's findings (counts accumulate; first-seen is kept).</summary>
    public async Task RecordFindingsAsync(string product, IReadOnlyList<Finding> findings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(findings);
        if (findings.Count == 0)
        {
            return;
        }

        var now = Metadata.MetadataStore.Timestamp(_time.GetUtcNow());
        await _store.InTransactionAsync(async (c, t) =>
        {
            foreach (var f in findings)
            {
                var key = new { product, f.Field, kind = f.Kind.ToString() };
                var existing = await c.QuerySingleOrDefaultAsync<(long Occurrences, string FirstSeen)?>(
                    "SELECT occurrences, first_seen FROM catalog_findings WHERE product = @product AND field = @Field AND kind = @kind", key, t).ConfigureAwait(false);
                await c.ExecuteAsync("DELETE FROM catalog_findings WHERE product = @product AND field = @Field AND kind = @kind", key, t).ConfigureAwait(false);
                await c.ExecuteAsync(
                    "INSERT INTO catalog_findings (product, field, kind, label, occurrences, sample, first_seen, last_seen) VALUES (@product, @Field, @kind, @Label, @occurrences, @Redacted, @first, @now)",
                    new { product, f.Field, kind = f.Kind.ToString(), f.Label, occurrences = (existing?.Occurrences ?? 0) + f.Occurrences, f.Redacted, first = existing?.FirstSeen ?? now, now },
                    t).ConfigureAwait(false);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Findings of one product, or of all when <paramref name="product"/> is null; most recent first.</summary>
    public async Task<IReadOnlyList<FindingInfo>> FindingsAsync(string? product = null, CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<(string Product, string Field, string Kind, string Label, long Occurrences, string Sample, string FirstSeen, string LastSeen)>(new CommandDefinition(
            "SELECT product, field, kind, label, occurrences, sample, first_seen, last_seen FROM catalog_findings" + (product is null ? "" : " WHERE product = @product") +
            " ORDER BY last_seen DESC, product, field", new { product }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new FindingInfo(r.Product, r.Field, r.Kind, r.Label, r.Occurrences, r.Sample, Instant(r.FirstSeen), Instant(r.LastSeen))).ToList();
    }

    private static async Task<IReadOnlyList<FieldInfo>> FieldsAsync(System.Data.Common.DbConnection c, string product, CancellationToken cancellationToken)
    {
        var rows = await c.QueryAsync<(string Name, string Type, string? Doc, long Required, long? KeyPosition, string Labels)>(new CommandDefinition(
            "SELECT name, type, doc, required, key_position, labels_json FROM catalog_fields WHERE product = @product ORDER BY position",
            new { product }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new FieldInfo(r.Name, r.Type, r.Doc, r.Required != 0, (int?)r.KeyPosition, List(r.Labels))).ToList();
    }

    private static void CheckPage(int limit, int offset)
    {
        if (limit is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"limit must be from 1 to {MaxPageSize}.");
        }

        if (offset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "offset must be 0 or more.");
        }
    }

    private const string SelectProducts =
        "SELECT p.full_name AS FullName, p.name, p.domain, p.owner, p.classification, p.status, p.version, p.topic, p.subject, p.schema_format AS SchemaFormat, " +
        "p.schema_text AS SchemaText, p.tags_json AS TagsJson, p.description, p.spec_json AS SpecJson, p.created_at AS CreatedAt, p.updated_at AS UpdatedAt FROM catalog_products p";

    private sealed class ProductRow
    {
        public string FullName { get; set; } = "";

        public string Name { get; set; } = "";

        public string Domain { get; set; } = "";

        public string? Owner { get; set; }

        public string? Classification { get; set; }

        public string Status { get; set; } = "";

        public long Version { get; set; }

        public string Topic { get; set; } = "";

        public string? Subject { get; set; }

        public string? SchemaFormat { get; set; }

        public string? SchemaText { get; set; }

        public string TagsJson { get; set; } = "[]";

        public string? Description { get; set; }

        public string SpecJson { get; set; } = "{}";

        public string CreatedAt { get; set; } = "";

        public string UpdatedAt { get; set; } = "";

        public ProductSummary ToSummary(IReadOnlyList<FieldInfo> fields) =>
            new(FullName, Name, Domain, Owner, Classification, Status, (int)Version, Topic, List(TagsJson), Description, fields.Count, fields.Any(f => f.Labels.Any(Labels.IsPii)));
    }
}
