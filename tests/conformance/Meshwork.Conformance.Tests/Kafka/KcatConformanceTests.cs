using System.Text;
using System.Text.Json;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>kcat 1.7.1 over Debian's librdkafka 2.0.2: metadata listing and compressed keyed produce/consume with headers.</summary>
public sealed class KcatConformanceTests(KafkaMeshFixture mesh) : IClassFixture<KafkaMeshFixture>, IDisposable
{
    private const string Kcat = "kcat";
    private const string Install = "apt-get install kcat";
    private const int MessageCount = 10_000;

    private readonly TempDirectory _dir = new("meshwork-kcat");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Kcat_ListsBrokerAndTopic_AsJsonMetadata()
    {
        var topic = $"kcat-metadata-{Guid.NewGuid():n}";
        mesh.Server.Broker.Logs.CreateTopic(topic, 3, new Dictionary<string, string?>());

        var json = await RunKcatAsync(["-L", "-J", "-b", mesh.Bootstrap, "-t", topic]);

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var broker = root.GetProperty("brokers").EnumerateArray().ShouldHaveSingleItem();
        broker.GetProperty("name").GetString().ShouldBe(mesh.Bootstrap);
        var listed = root.GetProperty("topics").EnumerateArray().ShouldHaveSingleItem();
        listed.GetProperty("topic").GetString().ShouldBe(topic);
        listed.TryGetProperty("error", out _).ShouldBeFalse(json);
        listed.GetProperty("partitions").GetArrayLength().ShouldBe(3);
        foreach (var partition in listed.GetProperty("partitions").EnumerateArray())
        {
            partition.GetProperty("leader").GetInt32().ShouldBe(broker.GetProperty("id").GetInt32());
        }
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Kcat_ConsumesExactlyWhatItProduced_WithKeysHeadersAndCompression(string codec)
    {
        var topic = $"kcat-{codec}-{Guid.NewGuid():n}";
        var input = _dir.Combine($"{codec}.txt");
        var expected = new List<string>(MessageCount);
        var builder = new StringBuilder();
        for (var i = 0; i < MessageCount; i++)
        {
            // Repetitive values so compression really shrinks the batches.
            var key = $"key-{i % 977:D4}";
            var value = $"value-{i:D6}-{new string((char)('a' + (i % 26)), 40)}";
            builder.Append(key).Append('|').Append(value).Append('\n');
            expected.Add($"{key}\t{value}\ttrace=t-{codec},origin=kcat");
        }

        await File.WriteAllTextAsync(input, builder.ToString(), TestContext.Current.CancellationToken);

        await RunKcatAsync(["-P", "-b", mesh.Bootstrap, "-t", topic, "-K", "|", "-z", codec, "-H", $"trace=t-{codec}", "-H", "origin=kcat", "-l", input]);
        var output = await RunKcatAsync(["-C", "-b", mesh.Bootstrap, "-t", topic, "-e", "-o", "beginning", "-q", "-f", "%k\t%s\t%h\n"]);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(MessageCount);
        lines.ShouldBe(expected);
        // The batches must really be stored compressed: the codec is in every batch's attributes.
        var partition = mesh.Server.Broker.Logs.GetTopic(topic).ShouldNotBeNull().Partitions.ShouldHaveSingleItem();
        partition.NextOffset.ShouldBe(MessageCount);
        var codecs = StoredBatches.Headers(partition).Select(h => h.Compression.ToString().ToUpperInvariant()).Distinct();
        codecs.ShouldBe([codec.ToUpperInvariant()]);
    }

    private static Task<string> RunKcatAsync(IEnumerable<string> arguments) =>
        KafkaTools.RunAsync(Kcat, arguments, TimeSpan.FromSeconds(120), Install);
}
