using Meshwork.Governance.Descriptors;
using Meshwork.Governance.Diagnostics;
using Meshwork.Governance.Planning;
using Meshwork.Governance.Policies;
using Shouldly;

namespace Meshwork.Governance.Tests;

public sealed class ExampleMeshTests
{
    private static readonly MeshDefinition Mesh = MeshDefinition.Load(MeshFixtures.Examples);

    [Fact]
    public void Examples_LoadWithoutErrors_AndPassEveryPolicy()
    {
        Mesh.Diagnostics.ShouldBeEmpty(string.Join("\n", Mesh.Diagnostics));
        GovernanceChecker.Check(Mesh).ShouldBeEmpty(string.Join("\n", GovernanceChecker.Check(Mesh)));
        Mesh.Domains.Select(d => d.Name).ShouldBe(["analytics", "customer", "financials", "project-management", "sales"]);
        Mesh.Products.Select(p => p.FullName).ShouldBe([
            "analytics.revenue", "customer.customers", "financials.budgets", "financials.invoices",
            "project-management.milestones", "project-management.projects", "sales.orders"]);
    }

    [Fact]
    public void Plan_OnAnEmptyMesh_CreatesEveryDomainProductTopicSubjectContractAndGrant()
    {
        var plan = MeshPlanner.Plan(Mesh, LiveMesh.Empty);

        plan.IsBlocked.ShouldBeFalse();
        plan.Changes.ShouldAllBe(c => c.Action == ChangeAction.Create);
        Names(plan, MeshResource.Domain).ShouldBe(Mesh.Domains.Select(d => d.Name));
        Names(plan, MeshResource.Product).ShouldBe(Mesh.Products.Select(p => p.FullName));
        Names(plan, MeshResource.Topic).ShouldBe(Mesh.Products.Select(p => p.Topic).Order(StringComparer.Ordinal));
        Names(plan, MeshResource.Subject).ShouldBe(Mesh.Products.Select(p => p.Subject));
        Names(plan, MeshResource.Contract).ShouldContain("customer.customers->sales");
        Names(plan, MeshResource.Grant).ShouldContain("sales:read:customer.customers");
        plan.Changes.Single(c => c.Name == "sales.orders.v1").Fields.ShouldContain(new FieldChange("cleanup.policy", null, "compact"));
    }

    [Fact]
    public void Plan_AgainstWhatItsApplyLeaves_HasNoChanges()
    {
        MeshPlanner.Plan(Mesh, LiveMesh.FromDefinition(Mesh)).Changes.ShouldBeEmpty();
    }

    [Fact]
    public void Plan_AfterEditingOneDescription_ShowsExactlyThatChange()
    {
        var live = LiveMesh.FromDefinition(Mesh);
        var edited = MeshDefinition.Load(MeshFixtures.Examples.Edit("sales/products/orders/product.yaml", "The basis of sales analytics.", "The basis of all sales reporting."));

        var change = MeshPlanner.Plan(edited, live).Changes.ShouldHaveSingleItem();

        change.Action.ShouldBe(ChangeAction.Update);
        change.Resource.ShouldBe(MeshResource.Product);
        change.Name.ShouldBe("sales.orders");
        change.Fields.ShouldHaveSingleItem().Key.ShouldBe("description");
        change.Fields[0].After!.ShouldContain("The basis of all sales reporting.");
        change.Location!.File.ShouldBe("sales/products/orders/product.yaml");
    }

    [Fact]
    public void Plan_AfterAddingAnOptionalSchemaField_RegistersANewVersionWithoutViolation()
    {
        var live = LiveMesh.FromDefinition(Mesh);
        var edited = MeshDefinition.Load(MeshFixtures.Examples.Edit("sales/products/orders/orders.avsc",
            """{"name": "orderedAt",""", """{"name": "coupon", "type": ["null", "string"], "default": null, "doc": "Coupon code."}, {"name": "orderedAt","""));

        var plan = MeshPlanner.Plan(edited, live);

        plan.IsBlocked.ShouldBeFalse(string.Join("\n", plan.Violations));
        var change = plan.Changes.ShouldHaveSingleItem();
        (change.Action, change.Resource, change.Name).ShouldBe((ChangeAction.Update, MeshResource.Subject, "sales.orders.v1-value"));
    }

    [Fact]
    public void Plan_WithANewMajorVersion_CreatesTheNewTopicAndSubject_AndKeepsTheOld()
    {
        var live = LiveMesh.FromDefinition(Mesh);
        var edited = MeshDefinition.Load(MeshFixtures.Examples
            .Edit("sales/products/orders/product.yaml", "  version: 1", "  version: 2")
            .Edit("sales/products/orders/orders.avsc", """{"name": "channel",""", """{"name": "channelCode", "type": "string", "doc": "Channel code."}, {"name": "channel","""));

        var plan = MeshPlanner.Plan(edited, live);

        plan.IsBlocked.ShouldBeFalse(string.Join("\n", plan.Violations));
        plan.Changes.ShouldContain(c => c.Action == ChangeAction.Create && c.Resource == MeshResource.Topic && c.Name == "sales.orders.v2");
        plan.Changes.ShouldContain(c => c.Action == ChangeAction.Create && c.Resource == MeshResource.Subject && c.Name == "sales.orders.v2-value");
        plan.Changes.ShouldNotContain(c => c.Action == ChangeAction.Delete);
        plan.Changes.ShouldContain(c => c.Action == ChangeAction.Update && c.Resource == MeshResource.Grant && c.Name == "analytics:read:sales.orders"
            && c.Fields.Contains(new FieldChange("topic", "sales.orders.v1", "sales.orders.v2")));
    }

    [Fact]
    public void Plan_OfARemovedProductWithConsumers_IsBlockedUnlessDestroyIsAllowed()
    {
        var live = LiveMesh.FromDefinition(Mesh);
        var files = MeshFixtures.Examples;
        foreach (var path in files.Paths.Where(p => p.StartsWith("sales/products/orders/", StringComparison.Ordinal)))
        {
            files = files.With(path, null);
        }

        // analytics.revenue reads sales.orders, so it must go too for the mesh to load; its grant is the consumer left live.
        foreach (var path in files.Paths.Where(p => p.StartsWith("analytics/products/revenue/", StringComparison.Ordinal)))
        {
            files = files.With(path, null);
        }

        var blocked = MeshPlanner.Plan(MeshDefinition.Load(files), live);
        var violation = blocked.Errors.ShouldHaveSingleItem();
        violation.RuleId.ShouldBe(RuleIds.DestroyWithConsumers);
        violation.Message.ShouldContain("sales.orders");
        violation.Message.ShouldContain("analytics");
        violation.Location.File.ShouldBe("sales/products/orders/product.yaml");

        var allowed = MeshPlanner.Plan(MeshDefinition.Load(files), live, allowDestroy: true);
        allowed.IsBlocked.ShouldBeFalse();
        allowed.Changes.ShouldContain(c => c.Action == ChangeAction.Delete && c.Resource == MeshResource.Topic && c.Name == "sales.orders.v1");
        allowed.Changes.Last().Resource.ShouldBe(MeshResource.Product, "deletes run children (grants, topics) before their product");
    }

    private static List<string> Names(MeshPlan plan, MeshResource resource) =>
        plan.Changes.Where(c => c.Resource == resource).Select(c => c.Name).ToList();
}
