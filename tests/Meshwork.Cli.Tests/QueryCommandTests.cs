using System.Text.Json;
using Meshwork.Lake;
using Meshwork.Lake.Metadata;
using Shouldly;

namespace Meshwork.Cli.Tests;

public sealed class QueryCommandTests : CliMeshTest
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Server.Lake.CreateNamespaceAsync(["sales"], cancellationToken: Cancel);
        var table = await Server.Lake.CreateTableAsync(new TableIdentifier(["sales"], "orders"),
            new IcebergSchema(0, [NestedField.Require(1, "orderId", PrimitiveType.String), NestedField.Optional(2, "note", PrimitiveType.String)], [1]), cancellationToken: Cancel);
        await table.NewTransaction().Upsert([["ORD-1", "fragile, \"handle\" with care"], ["ORD-2", null]]).CommitAsync(Cancel);
    }

    [Fact]
    public async Task Query_PrintsATable_CsvAndJson()
    {
        var table = await Mesh("query", "SELECT orderId, note FROM sales.orders ORDER BY orderId");
        table.Exit.ShouldBe(ExitCodes.Ok, table.Error);
        table.Output.ShouldContain("ORD-1");
        table.Error.ShouldContain("2 row(s)");

        var csv = await Mesh("query", "SELECT orderId, note FROM sales.orders ORDER BY orderId", "-o", "csv");
        csv.Output.ReplaceLineEndings("\n").ShouldBe("orderId,note\nORD-1,\"fragile, \"\"handle\"\" with care\"\nORD-2,\n");

        var json = await Mesh("query", "SELECT count(*) AS n FROM sales.orders", "-o", "json");
        JsonDocument.Parse(json.Output).RootElement.GetProperty("rows")[0][0].GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task Query_ReportsSqlErrorsAndBadSnapshots()
    {
        var bad = await Mesh("query", "SELECT * FROM sales.nothing");
        bad.Exit.ShouldBe(ExitCodes.Failure);
        bad.Error.ShouldContain("no table 'sales.nothing'");

        var snapshot = await Mesh("query", "SELECT 1", "--snapshot", "sales.orders");
        snapshot.Exit.ShouldBe(ExitCodes.InvalidConfiguration);
        snapshot.Error.ShouldContain("expected TABLE=SNAPSHOT_ID");
    }
}
