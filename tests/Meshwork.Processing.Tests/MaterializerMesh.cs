using Meshwork.Broker.Network;
using Meshwork.Governance.Descriptors;
using Meshwork.Lake;
using Meshwork.Server;
using Meshwork.Server.Configuration;
using Meshwork.Server.Examples;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshwork.Processing.Tests;

/// <summary>
/// A real in-process mesh with the materializer on (short commit interval), the example mesh applied, and its generators
/// publishing on demand. Shared by the processing tests and the conformance suite's S3 test.
/// </summary>
internal sealed class MaterializerMesh : IAsyncDisposable
{
    /// <summary>How long a test waits for the tables to catch up with the topics.</summary>
    public static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(90);

    private MaterializerMesh(MeshServer server, MeshOptions options)
    {
        Server = server;
        Options = options;
    }

    public MeshServer Server { get; private set; }

    public MeshOptions Options { get; }

    public static MeshFiles Examples => ExampleMesh.Files;

    public static IReadOnlyList<string> ExampleProducts { get; } = [.. MeshDefinition.Load(ExampleMesh.Files).Products.Select(p => p.FullName)];

    /// <summary>Test options for a mesh on <paramref name="dataDirectory"/> with the materializer on.</summary>
    public static MeshOptions OptionsFor(string dataDirectory, MaterializerOptions? processing = null, LakeOptions? lake = null) =>
        MeshOptions.ForTests(dataDirectory) with
        {
            Processing = processing ?? new MaterializerOptions { CommitInterval = TimeSpan.FromMilliseconds(100), CatalogPollInterval = TimeSpan.FromMilliseconds(500) },
            Lake = lake ?? new LakeOptions(),
        };

    public static async Task<MaterializerMesh> StartAsync(MeshOptions options, bool applyExamples = true, CancellationToken cancellationToken = default)
    {
        var server = await MeshServer.StartAsync(options, cancellationToken: cancellationToken);
        var mesh = new MaterializerMesh(server, options);
        if (applyExamples)
        {
            var applied = await server.ControlPlane.ApplyAsync(Examples, allowDestroy: false, "test", ExampleMesh.Source, cancellationToken);
            if (!applied.Applied)
            {
                throw new InvalidOperationException("the example mesh did not apply: " + string.Join("; ", applied.Plan.Errors));
            }
        }

        return mesh;
    }

    /// <summary>Stops the server and starts it again on the same data directory, with other options if given.</summary>
    public async Task RestartAsync(MeshOptions? options = null, CancellationToken cancellationToken = default)
    {
        await Server.DisposeAsync();
        Server = await MeshServer.StartAsync(options ?? Options, cancellationToken: cancellationToken);
    }

    /// <summary>Publishes <paramref name="rounds"/> events to each example product (or those <paramref name="products"/> names), as the generators do.</summary>
    public async Task PublishAsync(int rounds, int seed = 1, IReadOnlyCollection<string>? products = null, CancellationToken cancellationToken = default)
    {
        var mesh = MeshDefinition.Load(Examples);
        await using var generators = new ExampleGenerators(Server.Broker, Server.Registry, mesh, 1, TimeProvider.System, NullLogger<ExampleGenerators>.Instance);
        var topics = products?.Select(p => mesh.Product(p)!.Topic).ToHashSet();
        var producers = (await generators.CreateProducersAsync(cancellationToken)).Where(p => topics is null || topics.Contains(p.Topic)).ToList();
        using var connection = new LocalKafkaConnection(Server.Broker, ExampleGenerators.Principal, $"test-{seed}");
        for (var i = 0; i < rounds; i++)
        {
            await generators.PublishOnceAsync(producers, connection, cancellationToken);
        }
    }

    /// <summary>Waits until both tables of every product in <paramref name="products"/> (default: the examples) have committed up to the end of its topic.</summary>
    public async Task<IReadOnlyList<MaterializationStatus>> WaitCaughtUpAsync(IReadOnlyCollection<string>? products = null, CancellationToken cancellationToken = default)
    {
        var materializer = Server.Materializer ?? throw new InvalidOperationException("the materializer is off");
        products ??= ExampleProducts;
        await materializer.SyncProductsAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CatchUpTimeout);
        while (true)
        {
            var statuses = products.Select(p => materializer.Status(p)).ToList();
            if (statuses.All(s => s is not null && CaughtUp(s)))
            {
                return statuses!;
            }

            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"the tables did not catch up within {CatchUpTimeout}: " + string.Join("; ", statuses.Select((s, i) => s is null
                    ? $"{products.ElementAt(i)} not materialized"
                    : $"{s.Product} {s.State} lag {s.Lag} committed [{string.Join(",", s.CommittedOffsets.Select(o => $"{o.Key}:{o.Value}"))}] {s.LastError}")));
            }
        }
    }

    /// <summary>Caught up: both tables committed up to the end of every partition of the topic as the broker has it now.</summary>
    private bool CaughtUp(MaterializationStatus status)
    {
        var topic = Server.Broker.Logs.GetTopic(status.Topic);
        return topic is not null && status.History is not null
            && Enumerable.Range(0, topic.Partitions.Count).All(p => status.CommittedOffsets.GetValueOrDefault(p) == topic.Partitions[p].NextOffset);
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
