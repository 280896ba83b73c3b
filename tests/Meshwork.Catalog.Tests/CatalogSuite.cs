using Meshwork.Governance.Classification;
using Meshwork.Governance.Descriptors;
using Meshwork.Governance.Planning;
using Meshwork.Metadata;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Catalog.Tests;

/// <summary>The catalog on one engine; each test gets its own empty, migrated store.</summary>
public abstract class CatalogSuite : IAsyncLifetime
{
    private static readonly MeshFiles Examples = MeshFiles.FromDirectory(Repository.Path("examples"));
    private readonly TempDirectory _directory = new("meshwork-catalog");
    private IMetadataStore _store = null!;
    private LiveMesh _bus = LiveMesh.Empty;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private MeshCatalog Catalog { get; set; } = null!;

    protected abstract Task<string?> CreateDatabaseAsync();

    public async ValueTask InitializeAsync()
    {
        _store = MetadataStores.Open(await CreateDatabaseAsync(), _directory.Path);
        await _store.MigrateAsync(cancellationToken: Cancel);
        Catalog = new MeshCatalog(_store);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task RecordedApply_ReadsBackAsLive_SoTheSamePlanHasNoCatalogChanges()
    {
        var mesh = await ApplyAsync(Examples);

        var live = await Catalog.ReadLiveAsync(Cancel);
        var expected = LiveMesh.FromDefinition(mesh);
        var plan = MeshPlanner.Plan(mesh, live with { Topics = expected.Topics, Subjects = expected.Subjects });

        plan.Changes.ShouldBeEmpty(string.Join("\n", plan.Changes));
        live.Products.Count.ShouldBe(7);
        live.Grants.ShouldContain(g => g.Name == "sales:read:customer.customers" && g.Fields.SequenceEqual(new[] { "customerId", "segment", "region" }));
    }

    [Fact]
    public async Task Listings_PageThroughDomainsAndProducts()
    {
        await ApplyAsync(Examples);

        var domains = await Catalog.DomainsAsync(limit: 2, offset: 0, cancellationToken: Cancel);
        domains.Total.ShouldBe(5);
        domains.Items.Select(d => d.Name).ShouldBe(["analytics", "customer"]);
        domains.NextOffset.ShouldBe(2);
        (await Catalog.DomainsAsync(limit: 2, offset: 4, cancellationToken: Cancel)).NextOffset.ShouldBeNull();

        var products = await Catalog.ProductsAsync(domain: "financials", cancellationToken: Cancel);
        products.Items.Select(p => p.FullName).ShouldBe(["financials.budgets", "financials.invoices"]);
        (await Catalog.ProductsAsync(cancellationToken: Cancel)).Items.Single(p => p.FullName == "customer.customers").HasPii.ShouldBeTrue();
    }

    [Fact]
    public async Task Search_FindsAProductByAWordInAFieldDescription()
    {
        await ApplyAsync(Examples);

        // "Fulfilment status." is the doc of sales.orders' status field, and nowhere else.
        var hit = (await Catalog.SearchAsync("fulfilment", cancellationToken: Cancel)).Items.ShouldHaveSingleItem();

        hit.Ref.ShouldBe("sales.orders");
        hit.Kind.ShouldBe("product");
        hit.Snippet.ShouldContain("[Fulfilment]", Case.Insensitive);
    }

    [Fact]
    public async Task Search_RanksNameMatchesFirst()
    {
        await ApplyAsync(Examples);

        var hits = (await Catalog.SearchAsync("customer", cancellationToken: Cancel)).Items;

        hits.Select(h => h.Ref).ShouldContain("customer.customers");
        hits.Select(h => h.Ref).ShouldContain("sales.orders", "orders mention the customer in a field doc");
        var firstOther = hits.ToList().FindIndex(h => !h.NameMatch);
        firstOther.ShouldBeGreaterThan(0);
        hits.Skip(firstOther).ShouldAllBe(h => !h.NameMatch, "every name match ranks above every other hit");
        hits.Take(firstOther).Select(h => h.Ref).ShouldContain("customer.customers");
        hits.ToList().FindIndex(h => h.Ref == "customer.customers").ShouldBeLessThan(hits.ToList().FindIndex(h => h.Ref == "sales.orders"));
    }

    [Fact]
    public async Task Search_MatchesPrefixesAndEveryWord()
    {
        await ApplyAsync(Examples);

        (await Catalog.SearchAsync("invoic", cancellationToken: Cancel)).Items.Select(h => h.Ref).ShouldContain("financials.invoices");
        (await Catalog.SearchAsync("revenue segment", cancellationToken: Cancel)).Items.First().Ref.ShouldBe("analytics.revenue");
        (await Catalog.SearchAsync("revenue zzzzunknown", cancellationToken: Cancel)).Items.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("\"; DROP TABLE catalog_products; --")]
    [InlineData("NEAR(customer orders)")]
    [InlineData("name:customer")]
    [InlineData("customer & !orders | (x")]
    [InlineData("c*")]
    public async Task Search_TreatsQuerySyntaxAsPlainWords(string text)
    {
        await ApplyAsync(Examples);

        var page = await Catalog.SearchAsync(text, cancellationToken: Cancel);

        page.Total.ShouldBeGreaterThanOrEqualTo(0);
        (await Catalog.ProductsAsync(cancellationToken: Cancel)).Total.ShouldBe(7);
    }

    [Fact]
    public async Task Search_WithoutAnyWord_IsAnArgumentError()
    {
        await Should.ThrowAsync<ArgumentException>(() => Catalog.SearchAsync(" *** ", cancellationToken: Cancel));
    }

    [Fact]
    public async Task Product_DescribesFieldsLabelsContractsConsumersAndLineage()
    {
        await ApplyAsync(Examples);

        var customers = (await Catalog.ProductAsync("customer.customers", Cancel))!;
        customers.Fields.Single(f => f.Name == "email").Labels.ShouldBe(["PII.Contact"]);
        customers.Fields.Single(f => f.Name == "customerId").KeyPosition.ShouldBe(1);
        customers.Contracts.Select(c => c.Consumer).ShouldBe(["analytics", "sales"]);
        customers.Contracts.Single(c => c.Consumer == "sales").ExcludedFields.ShouldBe(["email", "phone", "address"]);
        customers.Residency.PiiHandling.ShouldBe("Encrypted-CMK");
        customers.Outputs.ShouldBe(["analytics.revenue"]);

        var orders = (await Catalog.ProductAsync("sales.orders", Cancel))!;
        orders.Consumers.ShouldHaveSingleItem().Consumer.ShouldBe("analytics");
        orders.ServiceLevels.Availability.ShouldBe(99.9);
        orders.Schema.ShouldNotBeNull().ShouldContain("OrderStatus");
        (await Catalog.ProductAsync("sales.nothing", Cancel)).ShouldBeNull();
    }

    [Fact]
    public async Task Lineage_IsATreeInBothDirections()
    {
        await ApplyAsync(Examples);

        var revenue = (await Catalog.LineageAsync("analytics.revenue", cancellationToken: Cancel))!;
        revenue.Upstream.Children.Select(c => c.Product).ShouldBe(["customer.customers", "sales.orders"]);
        revenue.Downstream.Children.ShouldBeEmpty();

        var projects = (await Catalog.LineageAsync("project-management.projects", cancellationToken: Cancel))!;
        projects.Downstream.Children.Select(c => c.Product).ShouldBe(["financials.budgets", "project-management.milestones"]);
    }

    [Fact]
    public async Task History_RecordsWhoWhenAndTheChanges()
    {
        await ApplyAsync(Examples);
        await ApplyAsync(Examples.Edit("sales/products/orders/product.yaml", "The basis of sales analytics.", "The basis of reporting."));

        var history = await Catalog.HistoryAsync(cancellationToken: Cancel);

        history.Total.ShouldBe(2);
        var latest = history.Items[0];
        latest.AppliedBy.ShouldBe("tester");
        latest.Summary.ShouldBe("0 to create, 1 to update, 0 to delete");
        var change = latest.Changes.ShouldHaveSingleItem();
        (change.Action, change.Resource, change.Name).ShouldBe(("update", "product", "sales.orders"));
        change.Fields.ShouldHaveSingleItem().Key.ShouldBe("description");
        (await Catalog.SearchAsync("reporting", cancellationToken: Cancel)).Items.Select(h => h.Ref).ShouldContain("sales.orders");
    }

    [Fact]
    public async Task Apply_OfADeletedProduct_RemovesItEverywhere()
    {
        await ApplyAsync(Examples);
        var files = Examples;
        foreach (var path in files.Paths.Where(p => p.StartsWith("financials/products/budgets/", StringComparison.Ordinal)))
        {
            files = files.With(path, null);
        }

        await ApplyAsync(files, allowDestroy: true);

        (await Catalog.ProductAsync("financials.budgets", Cancel)).ShouldBeNull();
        (await Catalog.SearchAsync("budget", cancellationToken: Cancel)).Items.Select(h => h.Ref).ShouldNotContain("financials.budgets");
        (await Catalog.LineageAsync("project-management.projects", cancellationToken: Cancel))!.Downstream.Children.Select(c => c.Product).ShouldBe(["project-management.milestones"]);
    }

    [Fact]
    public async Task Findings_Accumulate()
    {
        await ApplyAsync(Examples);
        Finding[] findings = [new("address", PiiKind.Email, "PII.Contact", 2, 0, "***********rg")];

        await Catalog.RecordFindingsAsync("customer.customers", findings, Cancel);
        await Catalog.RecordFindingsAsync("customer.customers", findings, Cancel);

        var finding = (await Catalog.FindingsAsync(cancellationToken: Cancel)).ShouldHaveSingleItem();
        finding.Occurrences.ShouldBe(4);
        finding.Kind.ShouldBe("Email");
        (await Catalog.ProductAsync("customer.customers", Cancel))!.Findings.ShouldHaveSingleItem();
    }

    private async Task<MeshDefinition> ApplyAsync(MeshFiles files, bool allowDestroy = false)
    {
        var mesh = MeshDefinition.Load(files);
        // Topics and subjects live in the broker and the registry; here they are what the previous apply made.
        var live = await Catalog.ReadLiveAsync(Cancel) with { Topics = _bus.Topics, Subjects = _bus.Subjects };
        var plan = MeshPlanner.Plan(mesh, live, allowDestroy);
        plan.IsBlocked.ShouldBeFalse(string.Join("\n", plan.Violations));
        await _store.InTransactionAsync((c, t) => Catalog.RecordApplyAsync(c, t, mesh, plan, "tester", "test", Cancel), Cancel);
        _bus = LiveMesh.FromDefinition(mesh);
        return mesh;
    }
}

public sealed class SqliteCatalogTests : CatalogSuite
{
    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);
}

public sealed class PostgresCatalogTests : CatalogSuite
{
    protected override async Task<string?> CreateDatabaseAsync() => await TestPostgres.CreateDatabaseAsync("catalog");
}
