using System.Net;
using System.Text.Json.Nodes;
using Meshwork.Lake;
using Meshwork.Server;
using Meshwork.Server.Configuration;
using Meshwork.Testing;

namespace Meshwork.Conformance.Tests.Lake;

/// <summary>iceberg-js (npm) drives the Iceberg REST catalog that <c>mesh up</c> serves at <c>/iceberg</c>.</summary>
public class LakeRestCatalogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IcebergJs_ConfigNamespacesTablesAndCommits_AgainstOurCatalog()
    {
        using var dir = new TempDirectory("lake-rest");
        await using var server = await MeshServer.StartAsync(MeshOptions.ForTests(dir.Path), cancellationToken: Ct);
        var baseUrl = new Uri(server.HttpAddress, "iceberg").ToString();
        var result = await LakeTools.NodeAsync("iceberg_js_catalog.mjs", baseUrl, "sales");

        Assert.Equal(200, result["config"]!["status"]!.GetValue<int>());
        Assert.NotNull(result["config"]!["body"]!["defaults"]);
        Assert.Equal("sales", (string)result["createNamespace"]!["namespace"]![0]!);
        Assert.True(result["namespaceExists"]!.GetValue<bool>());
        Assert.Equal("sales-team", (string)result["loadNamespace"]!["properties"]!["owner"]!);
        Assert.Equal(409, result["duplicateNamespace"]!["status"]!.GetValue<int>());
        Assert.Equal("AlreadyExistsException", (string)result["duplicateNamespace"]!["type"]!);

        var created = result["createTable"]!.AsObject();
        Assert.Equal(2, created["format-version"]!.GetValue<int>());
        Assert.Equal(-1, created["current-snapshot-id"]!.GetValue<long>());
        Assert.Equal("day", (string)created["partition-specs"]![0]!["fields"]![0]!["transform"]!);
        Assert.Equal([1], created["schemas"]![0]!["identifier-field-ids"]!.AsArray().Select(i => i!.GetValue<int>()));
        Assert.Equal("orders", (string)result["listTables"]![0]!["name"]!);
        Assert.Contains(result["listNamespaces"]!.AsArray(), n => (string)n!["namespace"]![0]! == "sales");
        Assert.True(result["tableExists"]!.GetValue<bool>());

        var committed = result["commit"]!["metadata"]!.AsObject();
        Assert.Equal(1, committed["current-schema-id"]!.GetValue<int>());
        Assert.Equal(5, committed["last-column-id"]!.GetValue<int>());
        Assert.Equal("iceberg-js", (string)committed["properties"]!["owner"]!);
        Assert.EndsWith("/v2.metadata.json", (string)result["commit"]!["metadata-location"]!);
        Assert.Equal(409, result["staleCommit"]!["status"]!.GetValue<int>());
        Assert.Equal("CommitFailedException", (string)result["staleCommit"]!["type"]!);
        Assert.True(result["staleCommit"]!["conflict"]!.GetValue<bool>());
        Assert.Equal(2, result["reloaded"]!["schemas"]!.AsArray().Count);
        Assert.Equal(404, result["missingTable"]!["status"]!.GetValue<int>());
        Assert.Equal("NoSuchTableException", (string)result["missingTable"]!["type"]!);

        // The table iceberg-js created is an ordinary lake table: our writer appends to it, the REST API shows the snapshot.
        var table = await server.Lake.LoadTableAsync(new TableIdentifier(["sales"], "orders"), Ct);
        Assert.Equal("note", table.Schema.Fields[^1].Name);
        var snapshot = await table.NewTransaction()
            .Append([[1L, "ann", 12.5m, DateTimeOffset.Parse("2024-05-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), "first"]])
            .CommitAsync(Ct);
        using var http = new HttpClient();
        var loaded = JsonNode.Parse(await http.GetStringAsync(new Uri(server.HttpAddress, "iceberg/v1/namespaces/sales/tables/orders"), Ct))!;
        Assert.Equal(snapshot.SnapshotId, loaded["metadata"]!["current-snapshot-id"]!.GetValue<long>());
        Assert.Equal(snapshot.SnapshotId, loaded["metadata"]!["refs"]!["main"]!["snapshot-id"]!.GetValue<long>());
        var missing = await http.GetAsync(new Uri(server.HttpAddress, "iceberg/v1/namespaces/nowhere/tables"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NoSuchNamespaceException", (string)JsonNode.Parse(await missing.Content.ReadAsStringAsync(Ct))!["error"]!["type"]!);
    }
}
