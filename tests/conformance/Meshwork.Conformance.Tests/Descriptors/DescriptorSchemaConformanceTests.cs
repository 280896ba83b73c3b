using System.Text.Json;
using Meshwork.Conformance.Tests.Kafka;
using Meshwork.Governance.Descriptors;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Conformance.Tests.Descriptors;

/// <summary>
/// The published JSON Schemas of the descriptors (docs/schemas) checked with python3-jsonschema against the
/// example mesh and against what our parser accepts, so the documentation and the code cannot drift apart.
/// </summary>
public sealed class DescriptorSchemaConformanceTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new("meshwork-descriptor-schemas");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ExampleDescriptors_AreValidAgainstThePublishedSchemas()
    {
        var files = Directory.GetFiles(Repository.Path("examples"), "*.yaml", SearchOption.AllDirectories);

        var results = await ValidateAsync(files);

        results.Count.ShouldBe(files.Length);
        results.ShouldAllBe(r => r.Valid, string.Join("\n", results.SelectMany(r => r.Errors.Select(e => $"{r.File}: {e}"))));
    }

    [Fact]
    public async Task AProductUsingEveryKeyOurParserAccepts_IsValidAgainstTheSchema()
    {
        const string product = """
            dataProduct:
              id: shipments
              name: Shipments
              domain: sales
              owner: logistics@contoso.com
              description: Parcels handed to carriers.
              classification: Internal
              tags: [logistics]
              status: deprecated
              sunset: 2027-06-30
              version: 2
              schema: shipments.avsc
              keyFields: [shipmentId]
              stateEvents: true
              partitions: 3
              inputs: [sales.orders]
              dataResidency: { region: EU, storageLocations: [westeurope], piiHandling: Encrypted-CMK }
              interfaces:
                - { type: API, endpoint: "https://x", authentication: OAuth2, scopes: [a], accessLevel: Read-Only, rateLimit: 10 }
              sla: { availability: 99.5, latency: "< 1s", freshness: "< 1 hour" }
              qualityMetrics: { completeness: 99, accuracy: 98, timeliness: 97 }
              dataContracts:
                - { consumer: analytics, purpose: reporting, fields: [shipmentId], excludedFields: [address], permittedLabels: [PII.Contact] }
            """;
        var diagnostics = new List<Meshwork.Governance.Diagnostics.Diagnostic>();
        DescriptorParser.ParseProduct(product, "product.yaml", diagnostics).ShouldNotBeNull();
        diagnostics.ShouldBeEmpty();

        var result = (await ValidateAsync([Write("full/product.yaml", product)])).ShouldHaveSingleItem();

        result.Valid.ShouldBeTrue(string.Join("\n", result.Errors));
    }

    [Theory]
    [InlineData("dataProduct:\n  id: x\n  name: X\n  domain: sales\n  keyfields: [a]\n", "keyfields")]
    [InlineData("dataProduct:\n  id: x\n  name: X\n  domain: sales\n  version: one\n", "version")]
    [InlineData("dataProduct:\n  id: Bad Id\n  name: X\n  domain: sales\n", "id")]
    [InlineData("dataProduct:\n  name: X\n  domain: sales\n", "id")]
    public async Task DescriptorsOurParserRejects_TheSchemaRejectsToo(string text, string key)
    {
        var diagnostics = new List<Meshwork.Governance.Diagnostics.Diagnostic>();
        DescriptorParser.ParseProduct(text, "product.yaml", diagnostics);
        diagnostics.ShouldContain(d => d.Severity == Meshwork.Governance.Diagnostics.DiagnosticSeverity.Error && d.Message.Contains(key));

        var result = (await ValidateAsync([Write($"{Guid.NewGuid():n}/product.yaml", text)])).ShouldHaveSingleItem();

        result.Valid.ShouldBeFalse();
        string.Join("\n", result.Errors).ShouldContain(key);
    }

    private string Write(string relative, string text)
    {
        var path = _dir.Combine(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<List<Result>> ValidateAsync(IEnumerable<string> files)
    {
        var output = await KafkaTools.RunAsync(KafkaTools.Python, [Repository.Path("tests", "conformance", "descriptors", "validate.py"), Repository.Path("docs", "schemas"), .. files],
            Timeout, "apt-get install python3-jsonschema python3-yaml");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonSerializer.Deserialize<Result>(line, JsonSerializerOptions.Web)!).ToList();
    }

    private sealed record Result(string File, bool Valid, IReadOnlyList<string> Errors);
}
