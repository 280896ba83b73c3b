using Meshwork.Conformance.Tests.Lake;
using Meshwork.Lake;
using Meshwork.Processing.Tests;
using Meshwork.Testing;

namespace Meshwork.Conformance.Tests.Processing;

/// <summary>
/// The materializer with the lake on a real S3 implementation (s3rver on loopback): every example product's tables equal
/// its topic — after a first run and again after a restart that resumes from the tables on S3.
/// </summary>
public sealed class MaterializerS3Tests(ITestOutputHelper output)
{
    private const string Bucket = "meshwork-materialized";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Materializer_OnS3_TablesEqualTheTopics_BeforeAndAfterARestart()
    {
        using var dir = new TempDirectory("materializer-s3");
        await using var s3 = await LakeTools.S3Server.StartAsync(dir.Combine("s3"), Bucket);
        var lake = new LakeOptions { Storage = LakeStorage.S3, Bucket = Bucket, Prefix = "lake", S3 = s3.Options };
        await using var mesh = await MaterializerMesh.StartAsync(MaterializerMesh.OptionsFor(dir.Combine("data"), lake: lake), cancellationToken: Ct);

        await mesh.PublishAsync(rounds: 25, cancellationToken: Ct);
        await mesh.WaitCaughtUpAsync(cancellationToken: Ct);
        await CheckAllAsync(mesh, records: 25);

        await mesh.RestartAsync(cancellationToken: Ct);
        await mesh.PublishAsync(rounds: 10, seed: 2, cancellationToken: Ct);
        await mesh.WaitCaughtUpAsync(cancellationToken: Ct);
        await CheckAllAsync(mesh, records: 35);

        var table = await mesh.Server.Lake.LoadTableAsync(new TableIdentifier(["sales"], "orders"), Ct);
        Assert.StartsWith($"s3://{Bucket}/lake/sales/orders/metadata/", table.MetadataLocation, StringComparison.Ordinal);
    }

    private async Task CheckAllAsync(MaterializerMesh mesh, int records)
    {
        foreach (var product in MaterializerMesh.ExampleProducts)
        {
            var result = await MaterializationCheck.CheckAsync(mesh.Server, product, Ct);
            output.WriteLine(result.ToString());
            Assert.Empty(result.Problems);
            Assert.Equal(records, result.HistoryRows);
            Assert.Equal(result.DistinctKeys, result.CurrentRows);
        }
    }
}
