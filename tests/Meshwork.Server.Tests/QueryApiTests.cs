using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Meshwork.Lake;
using Meshwork.Lake.Metadata;
using Meshwork.Server.Http;
using Meshwork.Testing.Mesh;
using Shouldly;

namespace Meshwork.Server.Tests;

public sealed class QueryApiTests : MeshServerTest
{
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await Server.Lake.CreateNamespaceAsync(["sales"], cancellationToken: Cancel);
        var table = await Server.Lake.CreateTableAsync(new TableIdentifier(["sales"], "orders"),
            new IcebergSchema(0, [NestedField.Require(1, "orderId", PrimitiveType.String), NestedField.Optional(2, "amount", PrimitiveType.Double)], [1]), cancellationToken: Cancel);
        await table.NewTransaction().Upsert([["ORD-1", 10.5], ["ORD-2", 20.0], ["ORD-3", null]]).CommitAsync(Cancel);
    }

    [Fact]
    public async Task Query_AnswersWithColumnsRowsAndTheSnapshotRead()
    {
        using var response = await Http.PostAsJsonAsync("/api/v1/query", new QueryBody("SELECT orderId, amount FROM sales.orders ORDER BY orderId", Limit: 2), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        result.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ShouldBe(["orderId", "amount"]);
        result.GetProperty("rows")[0][0].GetString().ShouldBe("ORD-1");
        result.GetProperty("rows")[0][1].GetDouble().ShouldBe(10.5);
        result.GetProperty("truncated").GetBoolean().ShouldBeTrue();
        result.GetProperty("tables")[0].GetProperty("snapshotId").GetInt64().ShouldBe((await Server.Lake.LoadTableAsync(new TableIdentifier(["sales"], "orders"), Cancel)).CurrentSnapshot!.SnapshotId);
    }

    [Theory]
    [InlineData("{\"sql\": \"SELECT * FROM sales.nothing\"}", HttpStatusCode.NotFound, "no table 'sales.nothing'")]
    [InlineData("{\"sql\": \"SELECT FROM\"}", HttpStatusCode.BadRequest, "syntax error")]
    [InlineData("{\"sql\": \"DROP VIEW sales.orders\"}", HttpStatusCode.BadRequest, "may only read")]
    [InlineData("{\"sql\": \"\"}", HttpStatusCode.BadRequest, "empty")]
    [InlineData("{\"sql\": \"SELECT 1\", \"limit\": 0}", HttpStatusCode.BadRequest, "limit must be")]
    [InlineData("{\"sql\": \"SELECT 1\", \"timeoutMs\": -5}", HttpStatusCode.BadRequest, "timeoutMs must be positive")]
    [InlineData("{\"sql\": \"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n\", \"timeoutMs\": 200}", HttpStatusCode.RequestTimeout, "timeout")]
    public async Task BadQueries_AreProblemDetails(string body, HttpStatusCode status, string detail)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync("/api/v1/query", content, Cancel);

        response.StatusCode.ShouldBe(status);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync(Cancel)).ShouldContain(detail, Case.Insensitive);
    }
}
