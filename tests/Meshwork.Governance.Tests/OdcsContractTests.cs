using Meshwork.Governance.Contracts;
using Meshwork.Governance.Descriptors;
using Meshwork.Governance.Diagnostics;
using Meshwork.Governance.Planning;
using Shouldly;

namespace Meshwork.Governance.Tests;

public sealed class OdcsContractTests
{
    private static readonly MeshDefinition Mesh = MeshDefinition.Load(MeshFixtures.Examples);

    public static TheoryData<string> Products() => [.. Mesh.Products.Select(p => p.FullName)];

    [Theory]
    [MemberData(nameof(Products))]
    public void ExportThenImport_GivesBackTheSameProductAndSchema(string fullName)
    {
        var product = Mesh.Product(fullName)!;

        var contract = OdcsContract.Export(Mesh, product);
        var imported = OdcsContract.Import(contract, "contract.yaml");

        imported.Diagnostics.ShouldBeEmpty();
        contract.ShouldContain("apiVersion: v3.0.2");
        contract.ShouldContain("kind: DataContract");
        var folder = $"{product.Domain.Name}/products/{product.Descriptor.Id}";
        var files = MeshFixtures.Examples.With($"{folder}/product.yaml", imported.ProductYaml).With($"{folder}/{imported.SchemaFileName}", imported.SchemaJson);
        var reloaded = MeshDefinition.Load(files).Product(fullName)!;
        ProductSpec.Flatten(reloaded.Descriptor).ShouldBe(ProductSpec.Flatten(product.Descriptor));
        reloaded.Schema!.Canonical.ShouldBe(product.Schema!.Canonical);
    }

    [Fact]
    public void Export_CarriesKeysClassificationsAndConsumers()
    {
        var contract = OdcsContract.Export(Mesh, Mesh.Product("customer.customers")!);

        contract.ShouldContain("physicalName: customer.customers.v1");
        contract.ShouldContain("primaryKey: true");
        contract.ShouldContain("classification: PII.Contact");
        contract.ShouldContain("role: Sales Domain");
        contract.ShouldContain("username: customer-data-team@contoso.com");
    }

    [Fact]
    public void Import_OfAForeignContract_BuildsAProductThatLoads()
    {
        const string contract = """
            apiVersion: v3.0.2
            kind: DataContract
            id: 53581432-6c55-4ba2-a65f-72344a91553a
            name: Shipments
            version: 2.1.0
            status: active
            domain: sales
            dataProduct: shipments
            description:
              purpose: Parcels handed to carriers.
            tags: [logistics]
            schema:
              - name: shipments
                logicalType: object
                properties:
                  - name: shipmentId
                    logicalType: string
                    required: true
                    primaryKey: true
                  - name: shippedAt
                    logicalType: timestamp
                    required: true
                  - name: recipientEmail
                    logicalType: string
                    classification: PII.Contact
                    description: Where the tracking link goes.
            team:
              - username: logistics@contoso.com
                role: owner
            slaProperties:
              - property: availability
                value: 99.5
            support:
              - channel: "#logistics"
            """;

        var imported = OdcsContract.Import(contract, "shipments.odcs.yaml");

        imported.Diagnostics.ShouldHaveSingleItem().RuleId.ShouldBe(RuleIds.OdcsIgnoredKey, "'support' has no place in a product");
        var files = MeshFixtures.Examples.With("sales/products/shipments/product.yaml", imported.ProductYaml).With("sales/products/shipments/shipments.avsc", imported.SchemaJson);
        var mesh = MeshDefinition.Load(files);
        mesh.Diagnostics.ShouldBeEmpty(string.Join("\n", mesh.Diagnostics));
        var product = mesh.Product("sales.shipments")!;
        product.Descriptor.Version.ShouldBe(2);
        product.Descriptor.Status.ShouldBe(ProductStatus.Published);
        product.Descriptor.Owner.ShouldBe("logistics@contoso.com");
        product.Descriptor.KeyFields.ShouldBe(["shipmentId"]);
        product.Descriptor.Sla!.Availability.ShouldBe(99.5);
        product.Schema!.Field("recipientEmail")!.DeclaredLabels.ShouldBe(["PII.Contact"]);
        product.Schema.Field("recipientEmail")!.Required.ShouldBeFalse();
    }

    [Theory]
    [InlineData("not: [closed")]
    [InlineData("- a list")]
    [InlineData("apiVersion: v2.2.2\nkind: DataContract\ndomain: sales\ndataProduct: x")]
    [InlineData("apiVersion: v3.0.2\nkind: Something\ndomain: sales\ndataProduct: x")]
    [InlineData("apiVersion: v3.0.2\nkind: DataContract")]
    public void Import_OfMalformedContracts_ReportsErrors(string text)
    {
        OdcsContract.Import(text, "bad.yaml").Diagnostics.ShouldContain(d => d.Severity == DiagnosticSeverity.Error);
    }
}
