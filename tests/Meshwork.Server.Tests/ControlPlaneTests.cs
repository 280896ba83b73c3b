using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Meshwork.Broker;
using Meshwork.Broker.Network;
using Meshwork.Catalog;
using Meshwork.Governance.Descriptors;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Kafka.Protocol.Records;
using Meshwork.Registry;
using Meshwork.Server.Examples;
using Meshwork.Server.Http;
using Meshwork.Testing.Mesh;
using Shouldly;

namespace Meshwork.Server.Tests;

/// <summary>Plan and apply over HTTP against a real mesh: broker topics, registry subjects and catalog entries.</summary>
public sealed class ControlPlaneTests(ITestOutputHelper output) : MeshServerTest
{
    private const string Orders = "sales/products/orders/product.yaml";

    private static MeshFiles Examples => ExampleMesh.Files;

    [Fact]
    public async Task Apply_OfTheExamples_OnAnEmptyMesh_CreatesEveryTopicSubjectAndCatalogEntry()
    {
        var applied = await ApplyAsync(Examples);

        applied.Applied.ShouldBeTrue();
        applied.HistoryId.ShouldBe(1);
        var mesh = MeshDefinition.Load(Examples);
        foreach (var product in mesh.Products)
        {
            var topic = Server.Broker.Logs.GetTopic(product.Topic).ShouldNotBeNull();
            topic.Config.Compact.ShouldBe(product.Descriptor.StateEvents);
            ValueSchemaValidationConfig.ModeOf(topic.Config).ShouldBe(ValueSchemaValidation.Full);
            var subject = await Server.Registry.GetVersionAsync(product.Subject, VersionSpec.Latest, cancellationToken: Cancel);
            subject.Version.ShouldBe(1);
            (await Server.Catalog.ProductAsync(product.FullName, Cancel)).ShouldNotBeNull().Product.Topic.ShouldBe(product.Topic);
        }

        (await Server.Catalog.DomainsAsync(cancellationToken: Cancel)).Total.ShouldBe(5);
        var products = await Http.GetFromJsonAsync<JsonElement>("/api/v1/products", Cancel);
        products.GetProperty("total").GetInt32().ShouldBe(7);
    }

    [Fact]
    public async Task SecondApply_ChangesNothing_AndRecordsNoHistory()
    {
        await ApplyAsync(Examples);
        var topics = Server.Broker.Logs.Topics.Select(t => t.Id).Order().ToList();

        var again = await ApplyAsync(Examples);

        again.Applied.ShouldBeTrue();
        again.Changes.ShouldBeEmpty();
        again.HistoryId.ShouldBeNull();
        Server.Broker.Logs.Topics.Select(t => t.Id).Order().ShouldBe(topics);
        (await Server.Catalog.HistoryAsync(cancellationToken: Cancel)).Total.ShouldBe(1);
        (await PlanAsync(Examples)).GetProperty("changes").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Plan_AfterEditingOneField_ShowsExactlyThatChange_AsJson()
    {
        await ApplyAsync(Examples);
        var edited = Edit(Examples, "sales/products/orders/orders.avsc", "\"doc\": \"Where the order was placed.\"", "\"doc\": \"Where the customer placed the order.\"");

        var plan = await PlanAsync(edited);

        plan.GetProperty("violations").GetArrayLength().ShouldBe(0);
        var change = plan.GetProperty("changes").EnumerateArray().ShouldHaveSingleItem();
        change.GetProperty("action").GetString().ShouldBe("update");
        change.GetProperty("resource").GetString().ShouldBe("subject");
        change.GetProperty("name").GetString().ShouldBe("sales.orders.v1-value");

        var applied = await ApplyAsync(edited);
        applied.Applied.ShouldBeTrue();
        (await Server.Registry.GetVersionAsync("sales.orders.v1-value", VersionSpec.Latest, cancellationToken: Cancel)).Version.ShouldBe(2);
        (await Server.Catalog.ProductAsync("sales.orders", Cancel))!.Fields.Single(f => f.Name == "channel").Doc.ShouldBe("Where the customer placed the order.");
    }

    public static TheoryData<string, string, string, string, string> Violations() => new()
    {
        // rule, file, find, replace, text on the violating line
        { "residency.allowed-regions", Orders, "      - \"westeurope\"", "      - \"francecentral\"", "francecentral" },
        { "catalog.require-owner", Orders, "  owner: \"sales-data-team@contoso.com\"\n", "", "  id: orders" },
        { "classification.label-required", "policies.yaml", "autoClassify: true", "autoClassify: false", "" },
        { "contract.excluded-field-exposed", "customer/products/customers/product.yaml", "\"region\"]\n      excludedFields: [\"email\"", "\"region\", \"email\"]\n      excludedFields: [\"email\"", "\"region\", \"email\"" },
        { "schema.breaking-change-needs-major", "sales/products/orders/orders.avsc", "\"type\": \"string\", \"doc\": \"ISO 4217 currency code.\"", "\"type\": \"int\", \"doc\": \"ISO 4217 currency code.\"", "" },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task Apply_WithAViolation_IsRefusedWithFileLineAndRule_AndChangesNothing(string rule, string file, string find, string replace, string line)
    {
        await ApplyAsync(Examples);
        var before = await SnapshotAsync();
        var edited = Edit(Examples, file, find, replace);

        using var response = await Http.PostAsJsonAsync("/api/v1/apply", new PlanRequest(edited.Contents), Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        problem.GetProperty("detail").GetString()!.ShouldContain("nothing was changed");
        var violation = problem.GetProperty("plan").GetProperty("violations").EnumerateArray().First(v => v.GetProperty("severity").GetString() == "error");
        violation.GetProperty("rule").GetString().ShouldBe(rule);
        violation.GetProperty("file").GetString()!.ShouldNotBeEmpty();
        if (line.Length > 0)
        {
            violation.GetProperty("file").GetString().ShouldBe(file);
            violation.GetProperty("line").GetInt32().ShouldBe(LineOf(edited, file, line));
        }

        violation.GetProperty("fix").GetString()!.ShouldNotBeEmpty();
        (await SnapshotAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Apply_OfANewMajorVersion_CreatesItsTopicAndSubject_AndMovesTheGrant()
    {
        await ApplyAsync(Examples);
        var edited = Edit(Edit(Examples, Orders, "  version: 1", "  version: 2"),
            "sales/products/orders/orders.avsc", "\"type\": \"string\", \"doc\": \"ISO 4217 currency code.\"", "\"type\": \"int\", \"doc\": \"ISO 4217 currency code.\"");

        var applied = await ApplyAsync(edited);

        applied.Applied.ShouldBeTrue(string.Join("\n", applied.Violations));
        Server.Broker.Logs.GetTopic("sales.orders.v2").ShouldNotBeNull();
        Server.Broker.Logs.GetTopic("sales.orders.v1").ShouldNotBeNull("consumers of v1 keep reading while they migrate");
        (await Server.Catalog.ProductAsync("sales.orders", Cancel))!.Consumers.Single().Topic.ShouldBe("sales.orders.v2");
    }

    [Fact]
    public async Task Apply_ThatDeletesAProductWithConsumers_NeedsAllowDestroy()
    {
        await ApplyAsync(Examples);
        var files = Examples;
        foreach (var path in files.Paths.Where(p => p.StartsWith("financials/products/invoices/", StringComparison.Ordinal) || p.StartsWith("financials/products/budgets/", StringComparison.Ordinal)))
        {
            files = files.With(path, null);
        }

        // Someone reads invoices: a consumer group with a committed offset.
        await Server.Broker.Groups.CommitOffsetsAsync("auditors", -1, "", null, [new Broker.Groups.OffsetCommitEntry("financials.invoices.v1", 0, 0)], Cancel);

        using var refused = await Http.PostAsJsonAsync("/api/v1/apply", new PlanRequest(files.Contents), Cancel);
        refused.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await refused.Content.ReadAsStringAsync(Cancel)).ShouldContain("consumer group auditors");
        Server.Broker.Logs.GetTopic("financials.invoices.v1").ShouldNotBeNull();

        var applied = await ApplyAsync(files, allowDestroy: true);
        applied.Applied.ShouldBeTrue();
        Server.Broker.Logs.GetTopic("financials.invoices.v1").ShouldBeNull();
        (await Server.Catalog.ProductAsync("financials.invoices", Cancel)).ShouldBeNull();
        (await Server.Registry.GetSubjectsAsync(cancellationToken: Cancel)).ShouldNotContain("financials.invoices.v1-value");
    }

    [Fact]
    public async Task Generators_PublishValidatedEventsForEveryExampleProduct()
    {
        await ApplyAsync(Examples);
        await using var generators = new ExampleGenerators(Server.Broker, Server.Registry, MeshDefinition.Load(Examples), 1, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ExampleGenerators>.Instance);
        var producers = await generators.CreateProducersAsync(Cancel);
        using var connection = new LocalKafkaConnection(Server.Broker, ExampleGenerators.Principal, "test");

        for (var i = 0; i < 20; i++)
        {
            await generators.PublishOnceAsync(producers, connection, Cancel);
        }

        producers.Count.ShouldBe(7);
        foreach (var product in MeshDefinition.Load(Examples).Products)
        {
            generators.Published.GetValueOrDefault(product.Topic).ShouldBe(20, product.Topic);
            Server.Broker.Logs.GetTopic(product.Topic)!.Partitions.Sum(p => p.NextOffset).ShouldBe(20);
        }
    }

    [Fact]
    public async Task Generators_EncodeWithTheExampleSchemasId_EvenAfterANewerVersionIsRegistered()
    {
        await ApplyAsync(Examples);
        await ApplyAsync(Edit(Examples, "sales/products/orders/orders.avsc", """{"name": "orderedAt",""", """{"name": "coupon", "type": ["null", "string"], "default": null}, {"name": "orderedAt","""));
        await using var generators = new ExampleGenerators(Server.Broker, Server.Registry, MeshDefinition.Load(Examples), 1, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ExampleGenerators>.Instance);
        using var connection = new LocalKafkaConnection(Server.Broker, ExampleGenerators.Principal, "test");

        await generators.PublishOnceAsync(await generators.CreateProducersAsync(Cancel), connection, Cancel);

        generators.Published.GetValueOrDefault("sales.orders.v1").ShouldBe(1, "version 2 exists, but the event is version 1 and says so");
    }

    [Fact]
    public async Task Findings_FlagAnUndeclaredEmailInSampledEvents()
    {
        await ApplyAsync(Examples);
        var id = (await Server.Registry.GetVersionAsync("sales.orders.v1-value", VersionSpec.Latest, cancellationToken: Cancel)).Schema.Id;
        var schema = Formats.Avro.AvroSchema.Parse(MeshDefinition.Load(Examples).Product("sales.orders")!.Schema!.Text);
        var generator = new EventGenerator(schema, 1);
        var record = generator.Next(DateTimeOffset.UtcNow);
        record["currency"] = "billing@customer.example.com";
        await ProduceAsync("sales.orders.v1", Wire(id, Formats.Avro.AvroBinary.Encode(schema, record)));

        (await Server.Findings.ScanOnceAsync(Cancel)).ShouldBe(1);

        var finding = (await Server.Catalog.FindingsAsync("sales.orders", Cancel)).ShouldHaveSingleItem();
        finding.Field.ShouldBe("currency");
        finding.Label.ShouldBe("PII.Contact");
        finding.Sample.ShouldNotContain("billing");
        (await Server.Findings.ScanOnceAsync(Cancel)).ShouldBe(0, "events already scanned are not counted twice");
    }

    [Fact]
    public async Task Catalog_ReadsOverHttp_WithPagingAndProblemDetails()
    {
        await ApplyAsync(Examples);

        var search = await Http.GetFromJsonAsync<Page<SearchHit>>("/api/v1/search?q=customer", Cancel);
        search!.Items.ShouldContain(h => h.Ref == "customer.customers");
        var detail = await Http.GetFromJsonAsync<ProductDetail>("/api/v1/products/sales.orders", Cancel);
        detail!.Fields.Select(f => f.Name).ShouldContain("orderId");
        var lineage = await Http.GetFromJsonAsync<Lineage>("/api/v1/lineage/analytics.revenue", Cancel);
        lineage!.Upstream.Children.Count.ShouldBe(2);
        var page = await Http.GetFromJsonAsync<Page<ProductSummary>>("/api/v1/products?limit=3&offset=3", Cancel);
        page!.Items.Count.ShouldBe(3);
        page.NextOffset.ShouldBe(6);

        await ProblemAsync("/api/v1/products/sales.nothing", HttpStatusCode.NotFound, "No product 'sales.nothing'");
        await ProblemAsync("/api/v1/products?limit=0", HttpStatusCode.BadRequest, "limit must be from 1 to 1000");
        await ProblemAsync("/api/v1/search?q=***", HttpStatusCode.BadRequest, "no word to search for");
        await ProblemAsync("/api/v1/history?offset=-1", HttpStatusCode.BadRequest, "offset must be 0 or more");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"files\": {}}")]
    [InlineData("{\"files\": {\"../etc/passwd\": \"x\"}}")]
    [InlineData("{\"files\": {\"/abs.yaml\": \"x\"}}")]
    [InlineData("{\"files\": [1, 2]}")]
    [InlineData("not json")]
    public async Task Plan_WithAMalformedBody_IsABadRequest(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync("/api/v1/plan", content, Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesThePlanApplyAndCatalogRoutes()
    {
        var document = await Http.GetFromJsonAsync<JsonElement>(MeshServer.OpenApiPath, Cancel);

        var paths = document.GetProperty("paths");
        foreach (var path in (string[])["/api/v1/plan", "/api/v1/apply", "/api/v1/products/{name}", "/api/v1/search", "/api/v1/lineage/{name}", "/api/v1/history", "/api/v1/findings"])
        {
            paths.TryGetProperty(path, out _).ShouldBeTrue(path);
        }
    }

    [Fact]
    public async Task AThousandProductMesh_PlansAndApplies()
    {
        var files = GeneratedMesh(domains: 10, productsPerDomain: 100);

        var timer = Stopwatch.StartNew();
        var plan = await PlanAsync(files);
        var planned = timer.Elapsed;
        plan.GetProperty("blocked").GetBoolean().ShouldBeFalse();
        timer.Restart();
        var applied = await ApplyAsync(files);
        var applying = timer.Elapsed;
        timer.Restart();
        var again = await PlanAsync(files);
        var replanned = timer.Elapsed;

        applied.Applied.ShouldBeTrue();
        applied.Changes.Count(c => c.Resource == "topic").ShouldBe(1000);
        again.GetProperty("changes").GetArrayLength().ShouldBe(0);
        (await Server.Catalog.ProductsAsync(cancellationToken: Cancel)).Total.ShouldBe(1000);
        output.WriteLine($"1,000-product mesh: plan {planned.TotalSeconds:F2} s, apply {applying.TotalSeconds:F2} s, re-plan {replanned.TotalSeconds:F2} s (SQLite, this machine)");
    }

    private static MeshFiles GeneratedMesh(int domains, int productsPerDomain)
    {
        var files = new Dictionary<string, string>
        {
            ["policies.yaml"] = "governancePolicies:\n  dataCatalog:\n    requireDescription: true\n    requireOwner: true\n",
        };
        for (var d = 0; d < domains; d++)
        {
            files[$"domain{d}/domain.yaml"] = $"domain:\n  name: domain{d}\n  owners: [team{d}@example.org]\n";
            for (var p = 0; p < productsPerDomain; p++)
            {
                var id = $"product{p}";
                files[$"domain{d}/products/{id}/product.yaml"] =
                    $"dataProduct:\n  id: {id}\n  name: Product {d}-{p}\n  domain: domain{d}\n  owner: team{d}@example.org\n  description: Generated product {p} of domain {d}.\n" +
                    $"  schema: {id}.avsc\n  keyFields: [id]\n  stateEvents: true\n" + (p > 0 ? $"  inputs: [domain{d}.product{p - 1}]\n" : "");
                files[$"domain{d}/products/{id}/{id}.avsc"] =
                    $$"""{"type":"record","name":"P{{d}}x{{p}}","fields":[{"name":"id","type":"string","doc":"Key."},{"name":"amount","type":"double","doc":"Amount {{p}}."}]}""";
            }
        }

        return new MeshFiles(files, "generated");
    }

    private async Task<ApplyResponse> ApplyAsync(MeshFiles files, bool allowDestroy = false)
    {
        using var response = await Http.PostAsJsonAsync("/api/v1/apply", new PlanRequest(files.Contents, allowDestroy, "test"), Cancel);
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
            return problem.GetProperty("plan").Deserialize<ApplyResponse>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        }

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancel));
        return (await response.Content.ReadFromJsonAsync<ApplyResponse>(Cancel))!;
    }

    private async Task<JsonElement> PlanAsync(MeshFiles files)
    {
        using var response = await Http.PostAsJsonAsync("/api/v1/plan", new PlanRequest(files.Contents), Cancel);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
    }

    private async Task ProblemAsync(string path, HttpStatusCode status, string detail)
    {
        using var response = await Http.GetAsync(path, Cancel);
        response.StatusCode.ShouldBe(status);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync(Cancel)).ShouldContain(detail);
    }

    /// <summary>Everything an apply could touch: topics and their configs, subjects and versions, catalog products and history.</summary>
    private async Task<string> SnapshotAsync()
    {
        var topics = Server.Broker.Logs.Topics.OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => $"{t.Name}:{t.Partitions.Count}:{string.Join(",", t.Config.Overrides.OrderBy(o => o.Key, StringComparer.Ordinal))}");
        var subjects = await Server.Registry.GetSchemasAsync(cancellationToken: Cancel);
        var products = await Server.Catalog.ProductsAsync(cancellationToken: Cancel);
        var history = await Server.Catalog.HistoryAsync(cancellationToken: Cancel);
        return string.Join("\n", topics.Concat(subjects.Select(s => $"{s.Subject}@{s.Version}"))
            .Concat(products.Items.Select(p => $"{p.FullName}:{p.Description}:{p.Owner}")).Append($"history:{history.Total}"));
    }

    private async Task ProduceAsync(string topic, byte[] value)
    {
        using var connection = new LocalKafkaConnection(Server.Broker, Security.Principal.LocalAdmin, "test");
        var batch = new RecordBatchBuilder().Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "ORD-1"u8.ToArray(), value).Build();
        var response = await connection.SendAsync<ProduceResponse>(new ProduceRequest
        {
            Acks = ProduceRequest.AcksAll,
            TimeoutMs = 5000,
            Topics = [new ProduceRequest.TopicProduceData { Name = topic, Partitions = [new ProduceRequest.PartitionProduceData { PartitionIndex = 0, Records = batch }] }],
        }, 7, Cancel);
        response.Responses[0].Partitions[0].ErrorCode.ShouldBe(ErrorCode.None, response.Responses[0].Partitions[0].ErrorMessage);
    }

    private static byte[] Wire(int schemaId, byte[] body)
    {
        var value = new byte[5 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(1), schemaId);
        body.CopyTo(value, 5);
        return value;
    }

    private static MeshFiles Edit(MeshFiles files, string path, string find, string replace)
    {
        var text = files.Read(path)!;
        text.ShouldContain(find);
        return files.With(path, text.Replace(find, replace, StringComparison.Ordinal));
    }

    private static int LineOf(MeshFiles files, string path, string text) =>
        Array.FindIndex(files.Read(path)!.Split('\n'), l => l.Contains(text, StringComparison.Ordinal)) + 1;
}
