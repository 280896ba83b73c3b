using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Meshwork.Governance.Descriptors;
using Meshwork.Governance.Planning;
using Meshwork.Governance.Classification;
using Meshwork.Metadata;

namespace Meshwork.Catalog;

/// <summary>
/// The catalog over the metadata store. An apply writes what it made live inside the apply's own
/// transaction (<see cref="RecordApplyAsync"/>); plans read it back as the live side of the diff
/// (<see cref="ReadLiveAsync"/>); discovery reads it through the query methods.
/// </summary>
public sealed partial class MeshCatalog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IMetadataStore _store;
    private readonly TimeProvider _time;

    /// <summary>Creates the catalog over a migrated store.</summary>
    public MeshCatalog(IMetadataStore store, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The catalog's part of the live mesh: domains, products, contracts and grants as the last apply left them.</summary>
    public async Task<LiveMesh> ReadLiveAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var domains = await c.QueryAsync<(string Name, string SpecJson)>(
            new CommandDefinition("SELECT name, spec_json FROM catalog_domains", cancellationToken: cancellationToken)).ConfigureAwait(false);
        var products = await c.QueryAsync<(string FullName, string SpecJson)>(
            new CommandDefinition("SELECT full_name, spec_json FROM catalog_products", cancellationToken: cancellationToken)).ConfigureAwait(false);
        var contracts = await c.QueryAsync<ContractRow>(new CommandDefinition(SelectContracts, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var grants = await c.QueryAsync<GrantRow>(new CommandDefinition(SelectGrants, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var policies = await c.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT spec_json FROM catalog_policies", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new LiveMesh
        {
            Policies = policies is null ? null : Spec(policies),
            Domains = domains.Select(d => new LiveDomain(d.Name, Spec(d.SpecJson))).ToList(),
            Products = products.Select(p => new LiveProduct(p.FullName, Spec(p.SpecJson))).ToList(),
            Contracts = contracts.Select(r => r.ToInfo()).Select(i => new LiveContract(i.Name, i.Product, i.Consumer,
                LiveMesh.ContractSpec(new DataContractSpec(i.Consumer, i.Purpose, i.Fields, i.ExcludedFields, i.PermittedLabels)))).ToList(),
            Grants = grants.Select(r => r.ToInfo()).Select(g => new LiveGrant(g.Name, g.Consumer, g.Product, g.Topic, g.Fields)).ToList(),
        };
    }

    /// <summary>
    /// Records in the catalog what applying <paramref name="plan"/> makes live, inside the caller's
    /// transaction: the domains and products it touches are rewritten from <paramref name="desired"/>,
    /// deleted ones removed, grants created or revoked, and the apply itself added to the history.
    /// </summary>
    /// <returns>The history id of this apply.</returns>
    public async Task<long> RecordApplyAsync(DbConnection c, DbTransaction t, MeshDefinition desired, MeshPlan plan, string appliedBy, string source,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(plan);
        var now = MetadataStore.Timestamp(_time.GetUtcNow());
        var target = LiveMesh.FromDefinition(desired);
        if (plan.Changes.Any(ch => ch.Resource == MeshResource.Policies))
        {
            await c.ExecuteAsync("DELETE FROM catalog_policies", transaction: t).ConfigureAwait(false);
            await c.ExecuteAsync("INSERT INTO catalog_policies (singleton, spec_json, updated_at) VALUES (1, @spec, @now)",
                new { spec = ToJson(target.Policies), now }, t).ConfigureAwait(false);
        }

        foreach (var change in plan.Changes.Where(c => c.Resource == MeshResource.Domain))
        {
            await DeleteDomainAsync(c, t, change.Name).ConfigureAwait(false);
            if (change.Action != ChangeAction.Delete && desired.Domain(change.Name) is { } domain)
            {
                await InsertDomainAsync(c, t, domain, now).ConfigureAwait(false);
            }
        }

        var classifier = new FieldClassifier(desired.Policies.DataClassification);
        var contracts = target.Contracts.ToLookup(x => x.Product, StringComparer.Ordinal);
        foreach (var name in TouchedProducts(plan, desired))
        {
            var created = await c.ExecuteScalarAsync<string?>("SELECT created_at FROM catalog_products WHERE full_name = @name", new { name }, t).ConfigureAwait(false);
            await DeleteProductAsync(c, t, name).ConfigureAwait(false);
            if (desired.Product(name) is { } product)
            {
                await InsertProductAsync(c, t, desired, product, classifier, contracts[name], created ?? now, now).ConfigureAwait(false);
            }
        }

        foreach (var change in plan.Changes.Where(c => c.Resource == MeshResource.Grant))
        {
            await c.ExecuteAsync("DELETE FROM catalog_grants WHERE name = @Name", new { change.Name }, t).ConfigureAwait(false);
            if (change.Action != ChangeAction.Delete && target.Grants.FirstOrDefault(g => g.Name == change.Name) is { } grant)
            {
                await c.ExecuteAsync(
                    "INSERT INTO catalog_grants (name, consumer, product, topic, fields_json, granted_by, granted_at) VALUES (@Name, @Consumer, @Product, @Topic, @fields, @appliedBy, @now)",
                    new { grant.Name, grant.Consumer, grant.Product, grant.Topic, fields = ToJson(grant.Fields), appliedBy, now }, t).ConfigureAwait(false);
            }
        }

        var changes = plan.Changes.Select(ch => new AppliedChange(ch.Action.ToString().ToLowerInvariant(), ch.Resource.ToString().ToLowerInvariant(), ch.Name,
            ch.Fields.Select(f => new AppliedField(f.Key, f.Before, f.After)).ToList())).ToList();
        var insert = "INSERT INTO catalog_applies (applied_by, applied_at, source, summary, changes_json) VALUES (@appliedBy, @now, @source, @summary, @changes)";
        var args = new { appliedBy, now, source, summary = plan.Summary, changes = JsonSerializer.Serialize(changes, Json) };
        if (_store.Provider == StoreProvider.Postgres)
        {
            return await c.ExecuteScalarAsync<long>(insert + " RETURNING id", args, t).ConfigureAwait(false);
        }

        await c.ExecuteAsync(insert, args, t).ConfigureAwait(false);
        return await c.ExecuteScalarAsync<long>("SELECT last_insert_rowid()", transaction: t).ConfigureAwait(false);
    }

    /// <summary>Every product a change names, through its own name, topic, subject, contract or grant.</summary>
    private static IEnumerable<string> TouchedProducts(MeshPlan plan, MeshDefinition desired)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var change in plan.Changes)
        {
            var name = change.Resource switch
            {
                MeshResource.Product => change.Name,
                MeshResource.Topic => ProductOfTopic(change.Name),
                MeshResource.Subject => change.Name.EndsWith("-value", StringComparison.Ordinal) ? ProductOfTopic(change.Name[..^"-value".Length]) : null,
                MeshResource.Contract => change.Name.Split("->")[0],
                _ => null,
            };
            if (name is not null)
            {
                names.Add(name);
            }
        }

        // Field labels come from the policies' classification rules: a policy change rewrites every product.
        if (plan.Changes.Any(c => c.Resource == MeshResource.Policies))
        {
            names.UnionWith(desired.Products.Select(p => p.FullName));
        }

        return names;
    }

    /// <summary><c>domain.product.v3</c> → <c>domain.product</c>.</summary>
    private static string? ProductOfTopic(string topic)
    {
        var cut = topic.LastIndexOf(".v", StringComparison.Ordinal);
        return cut > 0 && int.TryParse(topic.AsSpan(cut + 2), CultureInfo.InvariantCulture, out _) ? topic[..cut] : null;
    }

    private static async Task DeleteDomainAsync(DbConnection c, DbTransaction t, string name)
    {
        await c.ExecuteAsync("DELETE FROM catalog_domains WHERE name = @name", new { name }, t).ConfigureAwait(false);
        await c.ExecuteAsync("DELETE FROM catalog_search WHERE kind = 'domain' AND ref = @name", new { name }, t).ConfigureAwait(false);
    }

    private static async Task InsertDomainAsync(DbConnection c, DbTransaction t, DomainDescriptor domain, string now)
    {
        var spec = ProductSpec.Flatten(domain);
        await c.ExecuteAsync(
            "INSERT INTO catalog_domains (name, title, description, region, owners_json, approvers_json, spec_json, updated_at) " +
            "VALUES (@Name, @Title, @Description, @Region, @owners, @approvers, @spec, @now)",
            new { domain.Name, domain.Title, domain.Description, domain.Region, owners = ToJson(domain.Owners), approvers = ToJson(domain.Approvers), spec = ToJson(spec), now },
            t).ConfigureAwait(false);
        await InsertSearchAsync(c, t, "domain", domain.Name, domain.Title ?? domain.Name, $"{domain.Title} {SplitWords(domain.Name)}", string.Join(' ', domain.Owners), domain.Description ?? "", "")
            .ConfigureAwait(false);
    }

    private static async Task DeleteProductAsync(DbConnection c, DbTransaction t, string name)
    {
        foreach (var sql in (string[])[
            "DELETE FROM catalog_products WHERE full_name = @name",
            "DELETE FROM catalog_fields WHERE product = @name",
            "DELETE FROM catalog_inputs WHERE product = @name",
            "DELETE FROM catalog_contracts WHERE product = @name",
            "DELETE FROM catalog_search WHERE kind = 'product' AND ref = @name",
        ])
        {
            await c.ExecuteAsync(sql, new { name }, t).ConfigureAwait(false);
        }
    }

    private static async Task InsertProductAsync(DbConnection c, DbTransaction t, MeshDefinition mesh, DataProduct product, FieldClassifier classifier,
        IEnumerable<LiveContract> contracts, string created, string now)
    {
        var d = product.Descriptor;
        var spec = ProductSpec.Flatten(d);
        await c.ExecuteAsync(
            "INSERT INTO catalog_products (full_name, domain, product_id, name, description, owner, classification, status, version, topic, subject, " +
            "schema_format, schema_text, tags_json, spec_json, created_at, updated_at) VALUES (@FullName, @domain, @Id, @Name, @Description, @Owner, " +
            "@Classification, @status, @Version, @Topic, @subject, @format, @schema, @tags, @spec, @created, @now)",
            new
            {
                product.FullName, domain = product.Domain.Name, d.Id, d.Name, d.Description, d.Owner, d.Classification, status = d.Status.ToString().ToLowerInvariant(),
                d.Version, product.Topic, subject = product.Schema is null ? null : product.Subject, format = product.Schema?.Format, schema = product.Schema?.Text,
                tags = ToJson(d.Tags), spec = ToJson(spec), created, now,
            },
            t).ConfigureAwait(false);

        var labels = (product.Schema is null ? [] : classifier.Classify(product.Schema)).ToDictionary(l => l.Field, l => l.Effective, StringComparer.Ordinal);
        var fields = product.Schema?.Fields ?? [];
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            var key = d.KeyFields.ToList().IndexOf(f.Name);
            await c.ExecuteAsync(
                "INSERT INTO catalog_fields (product, position, name, type, doc, required, key_position, labels_json) VALUES (@FullName, @i, @Name, @Type, @Doc, @required, @key, @labels)",
                new { product.FullName, i, f.Name, f.Type, f.Doc, required = f.Required ? 1 : 0, key = key < 0 ? (int?)null : key + 1, labels = ToJson(labels.GetValueOrDefault(f.Name) ?? []) },
                t).ConfigureAwait(false);
        }

        foreach (var input in d.Inputs.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            await c.ExecuteAsync("INSERT INTO catalog_inputs (product, input) VALUES (@FullName, @input)", new { product.FullName, input = input.ToLowerInvariant() }, t).ConfigureAwait(false);
        }

        foreach (var contract in contracts)
        {
            var declared = d.DataContracts.First(x => Governance.Contracts.ContractConsumers.Resolve(mesh, x.Consumer) == contract.Consumer || x.Consumer == contract.Consumer);
            await c.ExecuteAsync(
                "INSERT INTO catalog_contracts (name, product, consumer, purpose, fields_json, excluded_json, labels_json) VALUES (@Name, @Product, @Consumer, @Purpose, @fields, @excluded, @labels)",
                new { contract.Name, contract.Product, contract.Consumer, declared.Purpose, fields = ToJson(declared.Fields), excluded = ToJson(declared.ExcludedFields), labels = ToJson(declared.PermittedLabels) },
                t).ConfigureAwait(false);
        }

        var fieldText = string.Join(' ', fields.Select(f => $"{f.Name} {SplitWords(f.Name)} {f.Doc} {string.Join(' ', labels.GetValueOrDefault(f.Name) ?? [])}"));
        await InsertSearchAsync(c, t, "product", product.FullName, d.Name, $"{d.Name} {SplitWords(product.FullName)}", string.Join(' ', d.Tags.Append(d.Classification ?? "")),
            $"{d.Description} {product.Domain.Title} {d.Owner}", fieldText).ConfigureAwait(false);
    }

    /// <summary>Indexes one entry: <paramref name="title"/> is shown, <paramref name="name"/> (title plus identifier words) is searched with the highest weight.</summary>
    private static Task<int> InsertSearchAsync(DbConnection c, DbTransaction t, string kind, string reference, string title, string name, string tags, string description, string fields) =>
        c.ExecuteAsync("INSERT INTO catalog_search (kind, ref, title, name, tags, description, fields) VALUES (@kind, @reference, @title, @name, @tags, @description, @fields)",
            new { kind, reference, title, name, tags, description, fields }, t);

    /// <summary><c>customerId</c> → <c>customer Id</c>, <c>project-management</c> → <c>project management</c>: so words inside identifiers are found.</summary>
    private static string SplitWords(string identifier)
    {
        var builder = new System.Text.StringBuilder(identifier.Length + 8);
        for (var i = 0; i < identifier.Length; i++)
        {
            var ch = identifier[i];
            if (char.IsUpper(ch) && i > 0 && char.IsLower(identifier[i - 1]))
            {
                builder.Append(' ');
            }

            builder.Append(ch is '-' or '_' or '.' ? ' ' : ch);
        }

        return builder.ToString();
    }

    private static string ToJson<T>(T value) => JsonSerializer.Serialize(value, Json);

    private static IReadOnlyList<string> List(string json) => JsonSerializer.Deserialize<List<string>>(json, Json) ?? [];

    private static IReadOnlyDictionary<string, string> Spec(string json) =>
        JsonSerializer.Deserialize<SortedDictionary<string, string>>(json, Json) ?? new SortedDictionary<string, string>();

    private static DateTimeOffset Instant(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private const string SelectContracts = "SELECT name, product, consumer, purpose, fields_json AS FieldsJson, excluded_json AS ExcludedJson, labels_json AS LabelsJson FROM catalog_contracts";

    private const string SelectGrants = "SELECT name, consumer, product, topic, fields_json AS FieldsJson, granted_by AS GrantedBy, granted_at AS GrantedAt FROM catalog_grants";

    private sealed class ContractRow
    {
        public string Name { get; set; } = "";

        public string Product { get; set; } = "";

        public string Consumer { get; set; } = "";

        public string? Purpose { get; set; }

        public string FieldsJson { get; set; } = "[]";

        public string ExcludedJson { get; set; } = "[]";

        public string LabelsJson { get; set; } = "[]";

        public ContractInfo ToInfo() => new(Name, Product, Consumer, Purpose, List(FieldsJson), List(ExcludedJson), List(LabelsJson));
    }

    private sealed class GrantRow
    {
        public string Name { get; set; } = "";

        public string Consumer { get; set; } = "";

        public string Product { get; set; } = "";

        public string Topic { get; set; } = "";

        public string FieldsJson { get; set; } = "[]";

        public string GrantedBy { get; set; } = "";

        public string GrantedAt { get; set; } = "";

        public GrantInfo ToInfo() => new(Name, Consumer, Product, Topic, List(FieldsJson), GrantedBy, Instant(GrantedAt));
    }
}
