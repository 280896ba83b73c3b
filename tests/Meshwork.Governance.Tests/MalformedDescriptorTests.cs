using Meshwork.Governance.Descriptors;
using Meshwork.Governance.Diagnostics;
using Shouldly;

namespace Meshwork.Governance.Tests;

/// <summary>Bad descriptors get an error naming file, line and key; loading never throws.</summary>
public sealed class MalformedDescriptorTests
{
    private const string Orders = "sales/products/orders/product.yaml";

    [Fact]
    public void BadYaml_IsReportedWithItsLine()
    {
        var files = MeshFixtures.Examples.Edit(Orders, "  version: 1\n", "  version: [1\n");

        // The unreadable product also makes analytics.revenue's input unknown; the YAML error comes first.
        var error = Errors(files).Where(e => e.Location.File == Orders).ShouldHaveSingleItem();

        error.RuleId.ShouldBe(RuleIds.YamlSyntax);
        error.Location.Line.ShouldBe(files.LineOf(Orders, "version: [1"));
    }

    [Fact]
    public void UnknownKey_IsReportedWithItsLine_AndASuggestion()
    {
        var files = MeshFixtures.Examples.Edit(Orders, "  stateEvents: true\n", "  stateEvents: true\n  keyfields: [orderId]\n");

        var error = Errors(files).ShouldHaveSingleItem();

        error.RuleId.ShouldBe(RuleIds.UnknownKey);
        error.Location.Line.ShouldBe(files.LineOf(Orders, "keyfields:"));
        error.Message.ShouldContain("keyfields");
        error.Message.ShouldContain("keyFields");
    }

    [Fact]
    public void WrongType_IsReportedWithTheKey()
    {
        var files = MeshFixtures.Examples.Edit(Orders, "  version: 1\n", "  version: one\n");

        var error = Errors(files).ShouldHaveSingleItem();

        error.RuleId.ShouldBe(RuleIds.WrongType);
        error.Location.Line.ShouldBe(files.LineOf(Orders, "version: one"));
        error.Message.ShouldContain("version");
    }

    [Fact]
    public void ListWhereAMappingBelongs_IsAWrongType()
    {
        var files = MeshFixtures.Examples.Edit(Orders, "  sla:\n    availability: 99.9\n    latency: \"< 100ms\"\n    freshness: \"< 1 hour\"\n", "  sla: [99.9]\n");

        var error = Errors(files).ShouldHaveSingleItem();

        error.RuleId.ShouldBe(RuleIds.WrongType);
        error.Message.ShouldContain("sla");
    }

    [Fact]
    public void MissingRequiredKey_IsReported()
    {
        var files = MeshFixtures.Examples.Edit(Orders, "  name: \"Sales Orders\"\n", "");

        var error = Errors(files).First(e => e.Location.File == Orders);

        error.RuleId.ShouldBe(RuleIds.MissingKey);
        error.Message.ShouldContain("'dataProduct.name'");
    }

    [Fact]
    public void CycleInInputs_IsReportedWhereItCloses()
    {
        var files = MeshFixtures.Examples
            .Edit(Orders, "  stateEvents: true\n", "  stateEvents: true\n  inputs: [analytics.revenue]\n")
            // analytics must grant sales a contract, or the cycle hides behind a missing-contract error.
            .Edit("analytics/products/revenue/product.yaml", "  sla:\n", "  dataContracts:\n    - consumer: sales\n      fields: [day]\n  sla:\n");

        var errors = Errors(files);

        errors.ShouldContain(e => e.RuleId == RuleIds.LineageCycle && e.Message.Contains("analytics.revenue -> sales.orders -> analytics.revenue"));
    }

    [Fact]
    public void UnknownInput_IsReportedWithASuggestion()
    {
        var files = MeshFixtures.Examples.Edit("analytics/products/revenue/product.yaml", "inputs: [sales.orders,", "inputs: [sales.order,");

        var error = Errors(files).ShouldHaveSingleItem();

        error.RuleId.ShouldBe(RuleIds.UnknownInput);
        error.Message.ShouldContain("Did you mean 'sales.orders'");
    }

    [Fact]
    public void DuplicateProduct_IsReported()
    {
        var files = MeshFixtures.Examples
            .With("sales/products/orders2/product.yaml", MeshFixtures.Examples.Read(Orders))
            .With("sales/products/orders2/orders.avsc", MeshFixtures.Examples.Read("sales/products/orders/orders.avsc"));

        var errors = Errors(files);

        errors.ShouldContain(e => e.RuleId == RuleIds.DuplicateProduct && e.Location.File == "sales/products/orders2/product.yaml");
    }

    [Fact]
    public void DuplicateDomain_IsReported()
    {
        var files = MeshFixtures.Examples.With("sales2/domain.yaml", MeshFixtures.Examples.Read("sales/domain.yaml"));

        Errors(files).ShouldContain(e => e.RuleId == RuleIds.DuplicateDomain && e.Location.File == "sales2/domain.yaml" && e.Message.Contains("sales/domain.yaml"));
    }

    [Fact]
    public void InvalidSchema_IsReportedInTheSchemaFile()
    {
        var files = MeshFixtures.Examples.Edit("sales/products/orders/orders.avsc", "\"type\": \"string\", \"doc\": \"Order number.\"", "\"type\": \"strng\", \"doc\": \"Order number.\"");

        var error = Errors(files).ShouldHaveSingleItem();

        error.RuleId.ShouldBe(RuleIds.SchemaInvalid);
        error.Location.File.ShouldBe("sales/products/orders/orders.avsc");
        error.Message.ShouldContain("strng");
    }

    [Fact]
    public void MissingSchemaFile_IsReportedAtTheSchemaKey()
    {
        var files = MeshFixtures.Examples.With("sales/products/orders/orders.avsc", null);

        var error = Errors(files).ShouldHaveSingleItem();

        error.RuleId.ShouldBe(RuleIds.SchemaMissingFile);
        error.Location.Line.ShouldBe(files.LineOf(Orders, "schema: orders.avsc"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("just a string")]
    [InlineData("dataProduct: 42")]
    [InlineData("- a\n- b")]
    [InlineData("dataProduct:\n  id: Orders!\n  name: x\n  domain: sales")]
    [InlineData("\t\tdataProduct: {")]
    public void GarbageProductFiles_AreDiagnosed_NeverThrown(string text)
    {
        var files = MeshFixtures.Examples.With(Orders, text);

        Errors(files).ShouldNotBeEmpty();
    }

    private static List<Diagnostic> Errors(MeshFiles files) =>
        MeshDefinition.Load(files).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
}
