using System.Buffers;
using System.IO.Pipelines;
using Meshwork.Broker.Network;
using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol;
using Meshwork.Metadata;
using Meshwork.Security;
using Meshwork.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshwork.Broker.Tests.Handlers;

/// <summary>A real broker (SQLite metadata in a temp directory) driven request by request, without sockets.</summary>
internal sealed class DispatcherTestKit : IAsyncDisposable
{
    private readonly TempDirectory _dir;
    private readonly IMetadataStore _store;
    private readonly KafkaSession _session = new("test-connection", null, Principal.Anonymous);
    private int _correlationId;

    private DispatcherTestKit(TempDirectory dir, IMetadataStore store, KafkaBroker broker)
    {
        _dir = dir;
        _store = store;
        Broker = broker;
    }

    public KafkaBroker Broker { get; }

    public static async Task<DispatcherTestKit> StartAsync(BrokerOptions? options = null)
    {
        var dir = new TempDirectory("dispatcher");
        var store = MetadataStores.Open(null, dir.Path);
        await store.MigrateAsync(cancellationToken: TestContext.Current.CancellationToken);
        var broker = await KafkaBroker.StartAsync(options ?? new BrokerOptions { Port = 0 }, new BrokerStorageOptions(), dir.Path, store,
            AllowAllPolicy.Instance, TimeProvider.System, NullLoggerFactory.Instance, "test-cluster", TestContext.Current.CancellationToken);
        return new DispatcherTestKit(dir, store, broker);
    }

    /// <summary>Sends one request at <paramref name="version"/> and decodes the response.</summary>
    public async Task<TResponse> SendAsync<TResponse>(IKafkaRequest request, short version)
        where TResponse : IKafkaResponse
    {
        var header = new RequestHeader { ApiKey = request.Api, ApiVersion = version, CorrelationId = ++_correlationId, ClientId = "dispatcher-test" };
        var frame = new ArrayBufferWriter<byte>();
        KafkaCodec.WriteRequest(frame, header, request);
        var pipe = new Pipe();
        var outcome = await Broker.Dispatcher.HandleAsync(_session, frame.WrittenMemory[KafkaFraming.SizePrefixLength..], pipe.Writer, TestContext.Current.CancellationToken);
        if (!outcome.Responded)
        {
            throw new InvalidOperationException($"{request.Api} v{version} got no response (close: {outcome.Close}).");
        }

        await pipe.Writer.CompleteAsync();
        var read = await pipe.Reader.ReadAsync(TestContext.Current.CancellationToken);
        var bytes = read.Buffer.ToArray();
        return (TResponse)KafkaCodec.DecodeResponse(bytes.AsMemory(KafkaFraming.SizePrefixLength), request.Api, version, out _);
    }

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        await _store.DisposeAsync();
        _dir.Dispose();
    }
}
