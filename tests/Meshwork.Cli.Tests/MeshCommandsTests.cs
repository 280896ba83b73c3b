using System.Text.Json;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Cli.Tests;

/// <summary>The mesh-as-code and discovery commands against a mesh started empty, driven with the repository's examples/ directory.</summary>
public sealed class MeshCommandsTests : CliMeshTest
{
    private static string ExamplesDirectory => Repository.Path("examples");

    [Fact]
    public async Task PlanThenApply_OfTheExamples_CreatesEverything_AndASecondApplyChangesNothing()
    {
        var (planExit, plan, _) = await Mesh("plan", "-f", ExamplesDirectory);
        planExit.ShouldBe(ExitCodes.Ok);
        plan.ShouldContain("+ product sales.orders");
        plan.ShouldContain("+ topic analytics.revenue.v1");
        plan.ShouldContain("Plan: 35 to create, 0 to update, 0 to delete.");

        var (applyExit, apply, _) = await Mesh("apply", "-f", ExamplesDirectory);
        applyExit.ShouldBe(ExitCodes.Ok);
        apply.ShouldContain("Applied (#1): 35 to create, 0 to update, 0 to delete.");

        var (againExit, again, _) = await Mesh("apply", "-f", ExamplesDirectory);
        againExit.ShouldBe(ExitCodes.Ok);
        again.ShouldContain("No changes: the live mesh matches the definition.");

        var (_, json, _) = await Mesh("plan", "-f", ExamplesDirectory, "--output", "json");
        using var document = JsonDocument.Parse(json);
        document.RootElement.GetProperty("changes").GetArrayLength().ShouldBe(0);
        document.RootElement.GetProperty("violations").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Plan_WithAViolation_PrintsFileLineRuleAndFix_AndExitsWith5()
    {
        var copy = CopyExamples();
        var orders = Path.Combine(copy, "sales", "products", "orders", "product.yaml");
        File.WriteAllText(orders, File.ReadAllText(orders).Replace("      - \"westeurope\"", "      - \"francecentral\"", StringComparison.Ordinal));
        var line = Array.FindIndex(File.ReadAllLines(orders), l => l.Contains("francecentral", StringComparison.Ordinal)) + 1;

        var (exit, output, _) = await Mesh("apply", "-f", copy);

        exit.ShouldBe(ExitCodes.PolicyViolations);
        output.ShouldContain($"sales/products/orders/product.yaml:{line}:9: error residency.allowed-regions: 'francecentral' is not an allowed region");
        output.ShouldContain("fix: Store the product in an allowed region");
        output.ShouldContain("nothing was changed");
        Server.Broker.Logs.Topics.ShouldBeEmpty();
    }

    [Fact]
    public async Task Plan_OfAMissingDirectory_ExitsWith2()
    {
        var (exit, _, error) = await Mesh("plan", "-f", "no-such-mesh");

        exit.ShouldBe(ExitCodes.InvalidConfiguration);
        error.ShouldContain("Mesh directory");
    }

    [Fact]
    public async Task DiscoveryCommands_AnswerFromTheCatalog_AsTablesAndJson()
    {
        (await Mesh("apply", "-f", ExamplesDirectory)).Exit.ShouldBe(ExitCodes.Ok);

        var products = await Mesh("products");
        products.Output.ShouldContain("customer.customers");
        products.Output.ShouldContain("Customer 360");

        var domains = await Mesh("domains", "--output", "json");
        JsonDocument.Parse(domains.Output).RootElement.GetProperty("total").GetInt32().ShouldBe(5);

        var search = await Mesh("search", "customer", "--output", "json");
        var first = JsonDocument.Parse(search.Output).RootElement.GetProperty("items")[0];
        first.GetProperty("nameMatch").GetBoolean().ShouldBeTrue();

        var describe = await Mesh("describe", "sales.orders");
        describe.Exit.ShouldBe(ExitCodes.Ok);
        describe.Output.ShouldContain("Sales Orders");
        describe.Output.ShouldContain("sales-data-team@contoso.com");
        describe.Output.ShouldContain("orderId");
        describe.Output.ShouldContain("Consumers: analytics");

        var customers = await Mesh("describe", "customer.customers", "--output", "json");
        var email = JsonDocument.Parse(customers.Output).RootElement.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "email");
        email.GetProperty("labels")[0].GetString().ShouldBe("PII.Contact");

        var lineage = await Mesh("lineage", "analytics.revenue");
        lineage.Output.ShouldContain("analytics.revenue built from:");
        lineage.Output.ShouldContain("sales.orders");
        lineage.Output.ShouldContain("customer.customers");

        var history = await Mesh("history");
        history.Output.ShouldContain("35 to create");

        (await Mesh("findings")).Output.ShouldContain("No findings");
        (await Mesh("describe", "sales.nothing")).Exit.ShouldBe(ExitCodes.Failure);
    }

    [Fact]
    public async Task ContractExportThenImport_RoundTripsAProduct()
    {
        var (exit, contract, _) = await CliRunner.RunAsync(TestDirectory.Path, null, "contract", "export", "customer.customers", "-f", ExamplesDirectory);
        exit.ShouldBe(ExitCodes.Ok);
        contract.ShouldContain("kind: DataContract");

        var copy = CopyExamples();
        Directory.Delete(Path.Combine(copy, "customer", "products", "customers"), recursive: true);
        var file = Path.Combine(TestDirectory.Path, "customers.odcs.yaml");
        File.WriteAllText(file, contract);
        var imported = await CliRunner.RunAsync(TestDirectory.Path, null, "contract", "import", file, "--to", copy);
        imported.Exit.ShouldBe(ExitCodes.Ok, imported.Error);

        // The imported product plans exactly like the original.
        (await Mesh("apply", "-f", ExamplesDirectory)).Exit.ShouldBe(ExitCodes.Ok);
        var (_, plan, _) = await Mesh("plan", "-f", copy, "--output", "json");
        JsonDocument.Parse(plan).RootElement.GetProperty("changes").GetArrayLength().ShouldBe(0, plan);
    }

    private string CopyExamples()
    {
        var target = Path.Combine(TestDirectory.Path, "mesh-" + Guid.NewGuid().ToString("n")[..8]);
        foreach (var file in Directory.GetFiles(ExamplesDirectory, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(ExamplesDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }
}
