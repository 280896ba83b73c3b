using Meshwork.Lake;
using Meshwork.Lake.IO;
using Meshwork.Lake.Metadata;
using Meshwork.Metadata;
using Meshwork.Security;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Query.Tests;

/// <summary>SQL over real lake tables (SQLite store, Parquet files on disk), as the local admin and through restricted views.</summary>
public sealed class QueryEngineTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("meshwork-query");
    private IMetadataStore _store = null!;
    private LakeCatalog _lake = null!;
    private QueryEngine _engine = null!;
    private long _firstSnapshot;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = MetadataStores.Open(null, _dir.Path);
        await _store.MigrateAsync(cancellationToken: Cancel);
        _lake = new LakeCatalog(_store, new LocalFileIO(), LocalFileIO.ToLocation(_dir.Combine("lake")));
        await _lake.CreateNamespaceAsync(["sales"], cancellationToken: Cancel);
        await _lake.CreateNamespaceAsync(["customer"], cancellationToken: Cancel);
        var orders = await _lake.CreateTableAsync(new TableIdentifier(["sales"], "orders"), new IcebergSchema(0,
        [
            NestedField.Require(1, "orderId", PrimitiveType.String),
            NestedField.Require(2, "customerId", PrimitiveType.String),
            NestedField.Require(3, "amount", PrimitiveType.Decimal(12, 2)),
            NestedField.Optional(4, "orderedAt", PrimitiveType.TimestampTz),
        ], [1]), cancellationToken: Cancel);
        await orders.NewTransaction().Upsert([Order("ORD-1", "CUST-1", 10.50m), Order("ORD-2", "CUST-2", 99.99m)]).CommitAsync(Cancel);
        _firstSnapshot = orders.CurrentSnapshot!.SnapshotId;
        await orders.NewTransaction().Upsert([Order("ORD-2", "CUST-2", 120.00m), Order("ORD-3", "CUST-1", 5.25m)]).CommitAsync(Cancel);

        var customers = await _lake.CreateTableAsync(new TableIdentifier(["customer"], "customers"), new IcebergSchema(0,
        [
            NestedField.Require(1, "customerId", PrimitiveType.String),
            NestedField.Optional(2, "email", PrimitiveType.String),
            NestedField.Optional(3, "segment", PrimitiveType.String),
        ], [1]), cancellationToken: Cancel);
        await customers.NewTransaction().Upsert([["CUST-1", "ana@example.org", "ENTERPRISE"], ["CUST-2", "jan@example.org", "CONSUMER"]]).CommitAsync(Cancel);
        _engine = new QueryEngine(_lake, AllowAllPolicy.Instance, FullAccessViewPolicy.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    private static object?[] Order(string id, string customer, decimal amount) => [id, customer, amount, DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture)];

    private Task<QueryResult> Query(string sql, int? limit = null, IReadOnlyDictionary<string, long>? snapshots = null, Principal? principal = null, QueryEngine? engine = null) =>
        (engine ?? _engine).ExecuteAsync(principal ?? Principal.LocalAdmin, new QueryRequest(sql, limit, Snapshots: snapshots), Cancel);

    [Fact]
    public async Task Count_ReadsTheLatestSnapshot_WithUpsertsApplied()
    {
        var result = await Query("SELECT count(*) AS n, sum(amount) AS total FROM sales.orders");

        result.Columns.Select(c => c.Name).ShouldBe(["n", "total"]);
        result.Rows.ShouldHaveSingleItem()[0].ShouldBe(3L);
        ((double)result.Rows[0][1]!).ShouldBe(135.75, 1e-9);
        result.Tables.ShouldHaveSingleItem().Table.ShouldBe("sales.orders");
    }

    [Fact]
    public async Task Join_AcrossDomains_AndTimestampsAreSortableText()
    {
        var result = await Query("""
            SELECT c.segment, count(*) AS orders, min(o.orderedAt) AS first
            FROM sales.orders o JOIN customer.customers c ON c.customerId = o.customerId
            GROUP BY c.segment ORDER BY c.segment
            """);

        result.Rows.Select(r => (r[0], r[1])).ShouldBe([("CONSUMER", (object)1L), ("ENTERPRISE", (object)2L)]);
        result.Rows[0][2].ShouldBe("2026-12-07T10:00:00.000000Z");
    }

    [Fact]
    public async Task NamedSnapshot_ReadsTheTableAsItWas()
    {
        var result = await Query("SELECT orderId, amount FROM sales.orders ORDER BY orderId", snapshots: new Dictionary<string, long> { ["sales.orders"] = _firstSnapshot });

        result.Rows.Select(r => r[0]).ShouldBe(["ORD-1", "ORD-2"]);
        result.Rows[1][1].ShouldBe(99.99);
        result.Tables.Single().SnapshotId.ShouldBe(_firstSnapshot);
    }

    [Fact]
    public async Task Limit_TruncatesAndSaysSo()
    {
        var result = await Query("SELECT * FROM sales.orders ORDER BY orderId", limit: 2);

        result.Rows.Count.ShouldBe(2);
        result.Truncated.ShouldBeTrue();
    }

    [Fact]
    public async Task Views_HideColumns_MaskValues_AndFilterRows()
    {
        var engine = new QueryEngine(_lake, AllowAllPolicy.Instance, new SalesView());

        var result = await Query("SELECT * FROM customer.customers ORDER BY customerId", engine: engine);

        result.Columns.Select(c => c.Name).ShouldBe(["customerId", "email"]);
        result.Rows.ShouldHaveSingleItem()[1].ShouldBe("a***");
        (await Should.ThrowAsync<QueryException>(() => Query("SELECT segment FROM customer.customers", engine: engine))).Error.ShouldBe(QueryError.Sql);
    }

    [Fact]
    public async Task DeniedTables_AreForbidden()
    {
        var engine = new QueryEngine(_lake, new DenyCustomer(), FullAccessViewPolicy.Instance);

        var error = await Should.ThrowAsync<QueryException>(() => Query("SELECT * FROM customer.customers", engine: engine));

        error.Error.ShouldBe(QueryError.Forbidden);
        error.Message.ShouldContain("customer.customers");
        (await Query("SELECT count(*) FROM sales.orders", engine: engine)).Rows[0][0].ShouldBe(3L);
    }

    [Theory]
    [InlineData("SELECT * FROM sales.nothing", QueryError.UnknownTable, "the tables of 'sales' are sales.orders")]
    [InlineData("SELEC 1", QueryError.Sql, "syntax error")]
    [InlineData("SELECT nope FROM sales.orders", QueryError.Sql, "no such column: nope")]
    [InlineData("SELECT * FROM elsewhere.orders", QueryError.Sql, "no such table: elsewhere.orders")]
    [InlineData("", QueryError.InvalidRequest, "empty")]
    [InlineData("SELECT 1; SELECT 2", QueryError.InvalidRequest, "only one statement")]
    [InlineData("DELETE FROM sales.orders", QueryError.Sql, "cannot modify orders because it is a view")]
    [InlineData("CREATE TEMP TABLE copy AS SELECT * FROM sales.orders", QueryError.ReadOnly, "may only read")]
    [InlineData("DROP VIEW sales.orders", QueryError.ReadOnly, "may only read")]
    [InlineData("ATTACH DATABASE '/tmp/x.db' AS x", QueryError.ReadOnly, "may only read")]
    [InlineData("PRAGMA table_info('orders$raw')", QueryError.ReadOnly, "may only read")]
    [InlineData("CREATE TABLE t (a)", QueryError.ReadOnly, "may only read")]
    [InlineData("SELECT load_extension('x')", QueryError.Sql, "not authorized")]
    public async Task BadQueries_GetAClearError(string sql, QueryError kind, string message)
    {
        var error = await Should.ThrowAsync<QueryException>(() => Query(sql));

        error.Error.ShouldBe(kind);
        error.Message.ShouldContain(message, Case.Insensitive);
    }

    [Fact]
    public async Task ARunawayQuery_IsStoppedAtItsTimeout()
    {
        const string forever = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n";

        var error = await Should.ThrowAsync<QueryException>(() =>
            _engine.ExecuteAsync(Principal.LocalAdmin, new QueryRequest(forever, Timeout: TimeSpan.FromMilliseconds(300)), Cancel));

        error.Error.ShouldBe(QueryError.Timeout);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(QueryEngine.MaxLimit + 1)]
    public async Task OutOfRangeLimits_AreRefused(int limit)
    {
        (await Should.ThrowAsync<QueryException>(() => Query("SELECT 1", limit: limit))).Error.ShouldBe(QueryError.InvalidRequest);
    }

    [Fact]
    public async Task ASnapshotForATableTheQueryDoesNotRead_IsAnError()
    {
        var error = await Should.ThrowAsync<QueryException>(() => Query("SELECT 1", snapshots: new Dictionary<string, long> { ["sales.orders"] = _firstSnapshot }));

        error.Message.ShouldContain("does not read");
        (await Should.ThrowAsync<QueryException>(() => Query("SELECT * FROM sales.orders", snapshots: new Dictionary<string, long> { ["sales.orders"] = 42 }))).Error.ShouldBe(QueryError.UnknownTable);
    }

    private sealed class SalesView : IDataViewPolicy
    {
        public DataView ViewOf(Principal principal, string product, string table) => product == "customer.customers"
            ? new DataView(["customerId", "email"], new Dictionary<string, string> { ["email"] = "substr(email, 1, 1) || '***'" }, "segment = 'ENTERPRISE'")
            : DataView.Everything;
    }

    private sealed class DenyCustomer : IAccessPolicy
    {
        public AccessDecision Decide(AccessRequest request) =>
            request.ResourceName.StartsWith("customer.", StringComparison.Ordinal) ? AccessDecision.Deny("no contract with the customer domain") : AccessDecision.Allow("test");
    }
}
