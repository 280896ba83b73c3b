using Meshwork.Lake.Metadata;
using Shouldly;

namespace Meshwork.Processing.Tests;

/// <summary>The consumed offsets in a snapshot summary: their JSON, and which snapshot a table resumes from.</summary>
public sealed class ConsumedOffsetsTests
{
    private static Snapshot Snap(long id, long? parent, string? offsets) => new(id, parent, id, id, $"snap-{id}.avro",
        offsets is null ? new Dictionary<string, string> { ["operation"] = "replace" } : new Dictionary<string, string> { ["operation"] = "append", [ConsumedOffsets.SummaryProperty] = offsets }, 0);

    private static TableMetadata With(params Snapshot[] snapshots) =>
        TableMetadata.Create("file:///t", new IcebergSchema(0, [NestedField.Require(1, "id", PrimitiveType.Long)]), null, null, null, 0) with
        {
            Snapshots = snapshots,
            CurrentSnapshotId = snapshots.Length == 0 ? null : snapshots[^1].SnapshotId,
        };

    [Fact]
    public void Json_IsTheDocumentedShape_AndParsesBack()
    {
        var offsets = new ConsumedOffsets("sales.orders.v1", new Dictionary<int, long> { [1] = 7, [0] = 1234 });

        offsets.ToJson().ShouldBe("""{"topic":"sales.orders.v1","partitions":{"0":1234,"1":7}}""");
        var parsed = ConsumedOffsets.Parse(offsets.ToJson());
        parsed.Topic.ShouldBe("sales.orders.v1");
        parsed.Of(0).ShouldBe(1234);
        parsed.Of(1).ShouldBe(7);
        parsed.Of(2).ShouldBe(0);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"partitions":{"0":1}}""")]
    [InlineData("""{"topic":"t","partitions":{"zero":1}}""")]
    [InlineData("""{"topic":"t","partitions":{"0":"many"}}""")]
    public void Parse_SomethingElse_FailsNamingTheProperty(string json)
    {
        Should.Throw<FormatException>(() => ConsumedOffsets.Parse(json)).Message.ShouldContain(ConsumedOffsets.SummaryProperty);
    }

    [Fact]
    public void Latest_SkipsSnapshotsWithoutOffsets_SuchAsCompactions()
    {
        var metadata = With(
            Snap(1, null, """{"topic":"t","partitions":{"0":10}}"""),
            Snap(2, 1, """{"topic":"t","partitions":{"0":20}}"""),
            Snap(3, 2, null));

        ConsumedOffsets.Latest(metadata)!.Of(0).ShouldBe(20);
        ConsumedOffsets.Latest(With()).ShouldBeNull();
    }
}
