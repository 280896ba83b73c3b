using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Meshwork.Broker.Network;
using Meshwork.Formats.Avro;
using Meshwork.Governance.Descriptors;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Kafka.Protocol.Records;
using Meshwork.Lake;
using Meshwork.Registry;
using Meshwork.Security;
using Meshwork.Server.Examples;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Processing.Tests;

/// <summary>The materializer inside a real mesh: the example products' topics into their lake tables, exactly once.</summary>
public sealed class MaterializerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Orders = "sales.orders";
    private const string OrdersTopic = "sales.orders.v1";
    private readonly TempDirectory _dir = new("meshwork-materializer");
    private MaterializerMesh _mesh = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _mesh = await MaterializerMesh.StartAsync(MaterializerMesh.OptionsFor(_dir.Combine("data")), cancellationToken: Cancel);

    public async ValueTask DisposeAsync()
    {
        await _mesh.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<MaterializationCheck.Result> CheckAsync(string product)
    {
        var result = await MaterializationCheck.CheckAsync(_mesh.Server, product, Cancel);
        output.WriteLine(result.ToString());
        result.Problems.ShouldBeEmpty(result.ToString());
        return result;
    }

    [Fact]
    public async Task Materializer_CurrentTableHasOneRowPerDistinctKey_AndHistoryEveryRecord_ForEveryExampleProduct()
    {
        await _mesh.PublishAsync(rounds: 40, cancellationToken: Cancel);

        var statuses = await _mesh.WaitCaughtUpAsync(cancellationToken: Cancel);

        statuses.Count.ShouldBe(7);
        foreach (var product in MaterializerMesh.ExampleProducts)
        {
            var result = await CheckAsync(product);
            result.TopicRecords.ShouldBe(40);
            result.HistoryRows.ShouldBe(40);
            result.CurrentRows.ShouldBe(result.DistinctKeys);
        }

        // Budgets have 40 projects x 2 fiscal years: 40 events must repeat some keys, so upserts replaced rows.
        (await CheckAsync("financials.budgets")).DistinctKeys.ShouldBeLessThan(40);
    }

    [Fact]
    public async Task Materializer_Tombstone_DeletesTheKeyFromCurrent_AndRecordsADeletedHistoryRow()
    {
        await _mesh.PublishAsync(rounds: 10, products: [Orders], cancellationToken: Cancel);
        await _mesh.WaitCaughtUpAsync([Orders], Cancel);
        var current = await _mesh.Server.Lake.LoadTableAsync(new TableIdentifier(["sales"], "orders"), Cancel);
        var victim = (string)(await current.ReadAsync(cancellationToken: Cancel)).Rows[0][0]!;

        await ProduceAsync(OrdersTopic, Encoding.UTF8.GetBytes(victim), null);
        await _mesh.WaitCaughtUpAsync([Orders], Cancel);

        await current.RefreshAsync(Cancel);
        (await current.ReadAsync(cancellationToken: Cancel)).Rows.ShouldNotContain(r => (string)r[0]! == victim);
        var history = await _mesh.Server.Lake.LoadTableAsync(new TableIdentifier(["sales"], "orders_history"), Cancel);
        var tombstone = (await history.ReadAsync(cancellationToken: Cancel)).Rows.Where(r => (bool)r[^1]!).ShouldHaveSingleItem();
        tombstone[0].ShouldBe(victim);
        tombstone[1..^4].ShouldAllBe(v => v == null);
        tombstone[^3].ShouldBe(10L);
        await CheckAsync(Orders);
    }

    [Fact]
    public async Task Materializer_NewerSchemaVersion_AddsAColumn_OlderRowsReadNull()
    {
        await _mesh.PublishAsync(rounds: 5, products: [Orders], cancellationToken: Cancel);
        await _mesh.WaitCaughtUpAsync([Orders], Cancel);
        var v1 = AvroSchema.Parse(MeshDefinition.Load(ExampleMesh.Files).Product(Orders)!.Schema!.Text) as RecordSchema;
        var v2Text = MeshDefinition.Load(ExampleMesh.Files).Product(Orders)!.Schema!.Text.Replace(
            "\"fields\": [", "\"fields\": [{\"name\": \"coupon\", \"type\": [\"null\", \"string\"], \"default\": null},", StringComparison.Ordinal);
        var registered = await _mesh.Server.Registry.RegisterAsync(OrdersTopic + "-value", new SchemaRequest(v2Text), cancellationToken: Cancel);
        registered.Version.ShouldBe(2);
        var v2 = (RecordSchema)AvroSchema.Parse(v2Text);
        var record = new EventGenerator(v1!, 7).Next(DateTimeOffset.UtcNow);
        var evolved = new AvroRecord(v2);
        foreach (var field in v2.Fields)
        {
            evolved[field.Position] = field.Name == "coupon" ? new AvroUnion(1, "SPRING-26") : record[field.Name];
        }

        await ProduceAsync(OrdersTopic, Encoding.UTF8.GetBytes((string)record["orderId"]!), WireFormat.Frame(registered.Id, AvroBinary.Encode(v2, evolved)));

        // A producer still on version 1 after the tables moved to version 2.
        var v1Id = (await _mesh.Server.Registry.GetVersionAsync(OrdersTopic + "-value", VersionSpec.Of(1), cancellationToken: Cancel)).Schema.Id;
        var older = new EventGenerator(v1!, 8).Next(DateTimeOffset.UtcNow);
        await ProduceAsync(OrdersTopic, Encoding.UTF8.GetBytes((string)older["orderId"]!), WireFormat.Frame(v1Id, AvroBinary.Encode(v1!, older)));
        await _mesh.WaitCaughtUpAsync([Orders], Cancel);

        foreach (var name in new[] { "orders", "orders_history" })
        {
            var table = await _mesh.Server.Lake.LoadTableAsync(new TableIdentifier(["sales"], name), Cancel);
            table.Schema.FindField("coupon").ShouldNotBeNull($"{name} has the new column");
            table.Metadata.Properties["meshwork.registry.version"].ShouldBe("2");
            var rows = (await table.ReadAsync(cancellationToken: Cancel)).Rows;
            var coupon = table.Schema.Fields.ToList().FindIndex(f => f.Name == "coupon");
            rows.Count(r => (string?)r[coupon] == "SPRING-26").ShouldBe(1, name);
            rows.Count(r => r[coupon] is null).ShouldBe(rows.Count - 1, name);
        }

        await CheckAsync(Orders);
    }

    [Fact]
    public async Task Materializer_AfterRestart_ResumesFromTheTables_NotFromTheConsumerGroup()
    {
        await _mesh.PublishAsync(rounds: 20, cancellationToken: Cancel);
        await _mesh.WaitCaughtUpAsync(cancellationToken: Cancel);

        // With the materializer off, rewind its consumer groups to 0: resuming from them would apply everything twice.
        await _mesh.RestartAsync(_mesh.Options with { Processing = new MaterializerOptions { Enabled = false } }, Cancel);
        using (var connection = new LocalKafkaConnection(_mesh.Server.Broker, Principal.LocalAdmin, "rewind"))
        {
            foreach (var product in MeshDefinition.Load(ExampleMesh.Files).Products)
            {
                var response = await connection.SendAsync<OffsetCommitResponse>(new OffsetCommitRequest
                {
                    GroupId = Materializer.GroupPrefix + product.FullName,
                    Topics = [new() { Name = product.Topic, Partitions = [new() { PartitionIndex = 0, CommittedOffset = 0 }] }],
                }, 8, Cancel);
                response.Topics[0].Partitions[0].ErrorCode.ShouldBe(Kafka.Protocol.ErrorCode.None);
            }
        }

        await _mesh.RestartAsync(cancellationToken: Cancel);
        await _mesh.PublishAsync(rounds: 10, seed: 2, cancellationToken: Cancel);
        await _mesh.WaitCaughtUpAsync(cancellationToken: Cancel);

        foreach (var product in MaterializerMesh.ExampleProducts)
        {
            (await CheckAsync(product)).HistoryRows.ShouldBe(30);
        }

        // The groups show the progress again, for `mesh groups`.
        var group = _mesh.Server.Broker.Groups.Snapshot().Single(g => g.GroupId == Materializer.GroupPrefix + Orders);
        group.Offsets.Single().Value.Offset.ShouldBe(30);
    }

    [Fact]
    public async Task Materializer_CommitsEveryCommitRecords_WhenTheIntervalIsLong()
    {
        await _mesh.RestartAsync(_mesh.Options with { Processing = new MaterializerOptions { CommitInterval = TimeSpan.FromHours(1), CommitRecords = 5 } }, Cancel);

        await _mesh.PublishAsync(rounds: 10, products: [Orders], cancellationToken: Cancel);
        await _mesh.WaitCaughtUpAsync([Orders], Cancel);

        var history = await _mesh.Server.Lake.LoadTableAsync(new TableIdentifier(["sales"], "orders_history"), Cancel);
        history.Metadata.Snapshots.Select(s => s.Summary.GetValueOrDefault("added-records")).ShouldBe(["5", "5"]);
        await CheckAsync(Orders);
    }

    [Fact]
    public async Task Status_OverHttp_ShowsSnapshotsOffsetsAndLag_AndTheGroupShowsInGroups()
    {
        await _mesh.PublishAsync(rounds: 6, cancellationToken: Cancel);
        await _mesh.WaitCaughtUpAsync(cancellationToken: Cancel);
        using var http = new HttpClient { BaseAddress = _mesh.Server.HttpAddress };

        var status = await http.GetFromJsonAsync<JsonElement>($"/api/v1/products/{Orders}/materialization", Cancel);

        output.WriteLine(status.ToString());
        status.GetProperty("state").GetString().ShouldBe(MaterializationState.CaughtUp);
        status.GetProperty("lag").GetInt64().ShouldBe(0);
        status.GetProperty("committedOffsets").GetProperty("0").GetInt64().ShouldBe(6);
        status.GetProperty("endOffsets").GetProperty("0").GetInt64().ShouldBe(6);
        var current = await _mesh.Server.Lake.LoadTableAsync(new TableIdentifier(["sales"], "orders"), Cancel);
        status.GetProperty("current").GetProperty("snapshotId").GetInt64().ShouldBe(current.CurrentSnapshot!.SnapshotId);
        status.GetProperty("current").GetProperty("table").GetString().ShouldBe("sales.orders");
        status.GetProperty("history").GetProperty("table").GetString().ShouldBe("sales.orders_history");
        status.GetProperty("group").GetString().ShouldBe("meshwork.materializer.sales.orders");
        (await http.GetFromJsonAsync<JsonElement>("/api/v1/materializations", Cancel)).GetArrayLength().ShouldBe(7);
        (await http.GetAsync("/api/v1/products/sales.nothing/materialization", Cancel)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var groups = await http.GetFromJsonAsync<JsonElement>("/api/v1/groups", Cancel);
        var group = groups.EnumerateArray().Single(g => g.GetProperty("groupId").GetString() == "meshwork.materializer.sales.orders");
        group.GetProperty("lag").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task DeletingAProduct_StopsItsMaterializer_AndKeepsItsTables()
    {
        await _mesh.PublishAsync(rounds: 3, cancellationToken: Cancel);
        await _mesh.WaitCaughtUpAsync(cancellationToken: Cancel);
        var withoutRevenue = new MeshFiles(
            MaterializerMesh.Examples.Contents.Where(f => !f.Key.StartsWith("analytics/products/revenue/", StringComparison.Ordinal)).ToList(), "test");

        // The materializer's own group is not a consumer that blocks the delete.
        var applied = await _mesh.Server.ControlPlane.ApplyAsync(withoutRevenue, allowDestroy: false, "test", "test", Cancel);
        applied.Applied.ShouldBeTrue(string.Join("; ", applied.Plan.Errors));
        await _mesh.Server.Materializer!.SyncProductsAsync(Cancel);

        _mesh.Server.Materializer.Status("analytics.revenue").ShouldBeNull();
        _mesh.Server.Materializer.Status().Count.ShouldBe(6);
        (await _mesh.Server.Lake.TryLoadTableAsync(new TableIdentifier(["analytics"], "revenue_history"), Cancel)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Materializer_JsonSchemaProduct_MaterializesObjectsByFieldName()
    {
        await ApplyReturnsAsync();
        var id = (await _mesh.Server.Registry.GetVersionAsync("sales.returns.v1-value", VersionSpec.Latest, cancellationToken: Cancel)).Schema.Id;

        foreach (var (key, json) in new[]
        {
            ("RET-1", """{"returnId": "RET-1", "quantity": 2, "receivedAt": "2026-12-07T09:15:00Z", "reason": "too small"}"""),
            ("RET-2", """{"returnId": "RET-2", "quantity": 1, "reason": null}"""),
            ("RET-1", """{"returnId": "RET-1", "quantity": 3, "receivedAt": "2026-12-08T10:00:00+01:00"}"""),
        })
        {
            await ProduceAsync("sales.returns.v1", Encoding.UTF8.GetBytes(key), WireFormat.Frame(id, Encoding.UTF8.GetBytes(json)));
        }

        await _mesh.WaitCaughtUpAsync(["sales.returns"], Cancel);

        var current = await _mesh.Server.Lake.LoadTableAsync(new TableIdentifier(["sales"], "returns"), Cancel);
        current.Schema.Fields.Select(f => f.Name).ShouldBe(["returnId", "quantity", "receivedAt", "reason"]);
        var rows = (await current.ReadAsync(cancellationToken: Cancel)).Rows.OrderBy(r => (string)r[0]!).ToList();
        rows.Count.ShouldBe(2);
        rows[0].ShouldBe(["RET-1", 3L, new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero), null]);
        rows[1].ShouldBe(["RET-2", 1L, null, null]);
        (await CheckAsync("sales.returns")).HistoryRows.ShouldBe(3);
    }

    /// <summary>Applies the examples plus a JSON Schema product, sales.returns.</summary>
    private async Task ApplyReturnsAsync()
    {
        const string Schema = """
            {"$schema": "http://json-schema.org/draft-07/schema#", "title": "Return", "type": "object",
             "properties": {
               "returnId": {"type": "string", "description": "Return number."},
               "quantity": {"type": "integer", "description": "Items returned."},
               "receivedAt": {"type": "string", "format": "date-time", "description": "When the parcel arrived."},
               "reason": {"type": ["string", "null"], "description": "Why, in the customer's words."}},
             "required": ["returnId", "quantity"]}
            """;
        const string Product = """
            dataProduct:
              id: returns
              name: "Sales Returns"
              domain: sales
              owner: "sales-data-team@contoso.com"
              description: "Returned orders, one state event per change."
              classification: Internal
              status: published
              version: 1
              schema: returns.json
              keyFields: [returnId]
              stateEvents: true
              dataResidency:
                region: "EU"
                storageLocations: ["westeurope"]
            """;
        var files = MaterializerMesh.Examples.With("sales/products/returns/product.yaml", Product).With("sales/products/returns/returns.json", Schema);
        var applied = await _mesh.Server.ControlPlane.ApplyAsync(files, allowDestroy: false, "test", "test", Cancel);
        applied.Applied.ShouldBeTrue(string.Join("; ", applied.Plan.Errors));
    }

    [Fact]
    public async Task Materializer_PicksUpAProduct_AsSoonAsItIsApplied()
    {
        // Polling the catalog once an hour: only the apply's wake-up can start the new product's materializer.
        await _mesh.RestartAsync(_mesh.Options with { Processing = _mesh.Options.Processing with { CatalogPollInterval = TimeSpan.FromHours(1) } }, Cancel);
        await _mesh.WaitCaughtUpAsync(cancellationToken: Cancel);

        await ApplyReturnsAsync();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(MaterializerMesh.CatchUpTimeout);
        while (_mesh.Server.Materializer!.Status("sales.returns") is null)
        {
            await Task.Delay(20, timeout.Token);
        }

        _mesh.Server.Materializer.Status("sales.returns")!.Topic.ShouldBe("sales.returns.v1");
    }

    private async Task ProduceAsync(string topic, byte[] key, byte[]? value)
    {
        using var connection = new LocalKafkaConnection(_mesh.Server.Broker, Principal.LocalAdmin, "test");
        var response = await connection.SendAsync<ProduceResponse>(new ProduceRequest
        {
            Acks = ProduceRequest.AcksAll,
            TimeoutMs = 10_000,
            Topics = [new() { Name = topic, Partitions = [new() { PartitionIndex = 0, Records = new RecordBatchBuilder().Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), key, value is null ? (ReadOnlyMemory<byte>?)null : value).Build() }] }],
        }, 7, Cancel);
        response.Responses[0].Partitions[0].ErrorCode.ShouldBe(Kafka.Protocol.ErrorCode.None, response.Responses[0].Partitions[0].ErrorMessage);
    }
}
