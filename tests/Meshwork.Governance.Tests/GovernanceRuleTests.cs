using Meshwork.Governance.Descriptors;
using Meshwork.Governance.Diagnostics;
using Meshwork.Governance.Planning;
using Shouldly;

namespace Meshwork.Governance.Tests;

/// <summary>
/// One failing example per governance rule, each an edit of the example mesh: the plan names the
/// file, the line and the rule, and is blocked (an apply of a blocked plan changes nothing).
/// </summary>
public sealed class GovernanceRuleTests
{
    private const string Orders = "sales/products/orders/product.yaml";
    private const string Customers = "customer/products/customers/product.yaml";

    private static readonly LiveMesh Live = LiveMesh.FromDefinition(MeshDefinition.Load(MeshFixtures.Examples));

    [Fact]
    public void Residency_StorageOutsideTheAllowedRegions_IsReportedAtThatLine()
    {
        // francecentral is in the EU, like the domain, but not among the allowed regions.
        var files = MeshFixtures.Examples.Edit(Orders, "      - \"westeurope\"", "      - \"francecentral\"");

        var violation = Single(files, RuleIds.ResidencyAllowedRegions);

        violation.Location.File.ShouldBe(Orders);
        violation.Location.Line.ShouldBe(files.LineOf(Orders, "francecentral"));
        violation.Message.ShouldContain("'francecentral' is not an allowed region");
    }

    [Fact]
    public void Residency_StorageOutsideTheDomainsRegion_IsReported()
    {
        var files = MeshFixtures.Examples.Edit(Orders, "      - \"westeurope\"", "      - \"us-gov-west-1\"");

        var violation = Single(files, RuleIds.ResidencyDomainRegion);

        violation.Location.Line.ShouldBe(files.LineOf(Orders, "us-gov-west-1"));
        violation.Message.ShouldContain("outside domain 'sales''s region 'EU'");
    }

    [Fact]
    public void Catalog_MissingOwner_IsReportedAtTheProduct()
    {
        var files = MeshFixtures.Examples.Edit(Orders, "  owner: \"sales-data-team@contoso.com\"\n", "");

        var violation = Single(files, RuleIds.CatalogRequireOwner);

        violation.Location.File.ShouldBe(Orders);
        violation.Location.Line.ShouldBe(files.LineOf(Orders, "dataProduct:") + 1, "a missing key is reported at the mapping that should hold it");
        violation.Fix.ShouldContain("owner:");
    }

    [Fact]
    public void Catalog_MissingSensitivityLabel_IsReported()
    {
        var files = MeshFixtures.Examples.Edit(Orders, "  classification: Confidential\n", "");

        Single(files, RuleIds.CatalogRequireSensitivityLabel).Location.File.ShouldBe(Orders);
    }

    [Fact]
    public void Classification_PiiFieldWithoutItsLabel_IsReportedWhenAutoClassificationIsOff()
    {
        var files = MeshFixtures.Examples.Edit("policies.yaml", "autoClassify: true", "autoClassify: false");

        var plan = MeshPlanner.Plan(MeshDefinition.Load(files), Live);

        var violations = plan.Errors.Where(v => v.RuleId == RuleIds.ClassificationLabelRequired).ToList();
        violations.Select(v => v.Message).ShouldContain(m => m.Contains("field 'email' of 'customer.customers'") && m.Contains("PII.Contact"));
        violations.ShouldAllBe(v => v.Location.File == "customer/products/customers/customers.avsc");
        plan.IsBlocked.ShouldBeTrue();
    }

    [Fact]
    public void Classification_PiiProductWithoutPiiHandling_IsReported()
    {
        var files = MeshFixtures.Examples.Edit(Customers, "    piiHandling: \"Encrypted-CMK\"\n", "");

        var violation = Single(files, RuleIds.ClassificationPiiHandling);

        violation.Message.ShouldContain("email (PII.Contact)");
        violation.Location.File.ShouldBe(Customers);
    }

    [Fact]
    public void Contract_ExposingAnExcludedField_IsReportedAtTheField()
    {
        var files = MeshFixtures.Examples.Edit(Customers, "fields: [\"customerId\", \"segment\", \"region\"]\n      excludedFields: [\"email\"",
            "fields: [\"customerId\", \"segment\", \"region\", \"email\"]\n      excludedFields: [\"email\"");

        var violation = Single(files, RuleIds.ContractExcludedFieldExposed);

        violation.Location.File.ShouldBe(Customers);
        violation.Location.Line.ShouldBe(files.LineOf(Customers, "\"region\", \"email\""));
        violation.Message.ShouldContain("exposes 'email'");
    }

    [Fact]
    public void Contract_ExposingAPiiFieldWithoutPermission_IsReported()
    {
        // 'name' is declared PII.Identity in the schema; the Sales contract does not exclude it, but exposing it still needs permission.
        var files = MeshFixtures.Examples.Edit(Customers, "\"region\"]\n      excludedFields: [\"email\"", "\"region\", \"name\"]\n      excludedFields: [\"email\"");

        Single(files, RuleIds.ContractPiiFieldExposed).Message.ShouldContain("PII field 'name' (PII.Identity)");
    }

    [Fact]
    public void Access_ApprovalRequiredWithoutApprovers_IsReported()
    {
        var files = MeshFixtures.Examples
            .Edit("policies.yaml", "    approvers: [\"data-steward@contoso.com\"]\n", "")
            .Edit("sales/domain.yaml", "  approvers: [\"sales-data-steward@contoso.com\"]\n", "");

        var violations = MeshPlanner.Plan(MeshDefinition.Load(files), Live).Errors.Where(v => v.RuleId == RuleIds.AccessApproversRequired).ToList();

        violations.ShouldContain(v => v.Location.File == "sales/domain.yaml");
    }

    [Fact]
    public void Schema_BreakingChangeWithoutANewMajor_IsReportedAtTheSchemaKey()
    {
        // Removing a required field without a default: consumers on v1 can no longer read what v1 now carries.
        var files = MeshFixtures.Examples.Edit("sales/products/orders/orders.avsc", "\"type\": \"string\", \"doc\": \"ISO 4217 currency code.\"",
            "\"type\": \"int\", \"doc\": \"ISO 4217 currency code.\"");

        var violation = Single(files, RuleIds.BreakingChangeNeedsMajor);

        violation.Location.File.ShouldBe(Orders);
        violation.Location.Line.ShouldBe(files.LineOf(Orders, "schema: orders.avsc"));
        violation.Fix.ShouldContain("version: 2");
    }

    [Fact]
    public void Lineage_InputFromAnotherDomainWithoutContract_IsReported()
    {
        var files = MeshFixtures.Examples.Edit("sales/products/orders/product.yaml", "  stateEvents: true\n", "  stateEvents: true\n  inputs: [financials.invoices]\n");

        Single(files, RuleIds.InputWithoutContract).Message.ShouldContain("'sales.orders' reads 'financials.invoices'");
    }

    private static Diagnostic Single(MeshFiles files, string rule)
    {
        var plan = MeshPlanner.Plan(MeshDefinition.Load(files), Live);
        plan.IsBlocked.ShouldBeTrue();
        var errors = plan.Errors.ToList();
        errors.ShouldAllBe(v => v.RuleId == rule, string.Join("\n", errors));
        return errors.ShouldHaveSingleItem();
    }
}
