using System.Buffers.Binary;
using System.Text;
using Meshwork.Broker;
using Meshwork.Broker.Network;
using Meshwork.Formats.Avro;
using Meshwork.Governance.Descriptors;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Kafka.Protocol.Records;
using Meshwork.Registry;
using Meshwork.Security;
using Microsoft.Extensions.Logging;

namespace Meshwork.Server.Examples;

/// <summary>
/// Publishes state events for every product of the example mesh through the broker, as the
/// domains' producers would: Avro in the schema registry's wire format, keyed by the product's key
/// fields, on the product's topic, through the same produce path (and validation) as any Kafka client.
/// </summary>
public sealed partial class ExampleGenerators : IAsyncDisposable
{
    /// <summary>The principal the generators produce as.</summary>
    public static readonly Principal Principal = new("example-generator", PrincipalKind.Service, new Dictionary<string, string> { ["role"] = "producer" });

    private const short ProduceVersion = 7;
    private const int ProduceTimeoutMs = 10_000;
    private static readonly TimeSpan ErrorLogInterval = TimeSpan.FromMinutes(1);

    private readonly KafkaBroker _broker;
    private readonly SchemaRegistry _registry;
    private readonly MeshDefinition _mesh;
    private readonly int _eventsPerSecond;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, DateTimeOffset> _lastError = [];
    private Task? _loop;

    /// <summary>Creates the generators for <paramref name="mesh"/>'s products; <see cref="Start"/> begins publishing.</summary>
    public ExampleGenerators(KafkaBroker broker, SchemaRegistry registry, MeshDefinition mesh, int eventsPerSecond, TimeProvider time, ILogger<ExampleGenerators> logger)
    {
        _broker = broker;
        _registry = registry;
        _mesh = mesh;
        _eventsPerSecond = eventsPerSecond;
        _time = time;
        _logger = logger;
    }

    /// <summary>Events published so far, per topic.</summary>
    public IReadOnlyDictionary<string, long> Published => _published;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _published = new(StringComparer.Ordinal);

    /// <summary>Starts publishing in the background.</summary>
    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Publishes one event for every product now (what each tick does).</summary>
    public async Task PublishOnceAsync(IReadOnlyList<Producer> producers, LocalKafkaConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(producers);
        var now = _time.GetUtcNow();
        var request = new ProduceRequest { Acks = ProduceRequest.AcksAll, TimeoutMs = ProduceTimeoutMs };
        foreach (var producer in producers)
        {
            var (key, value) = producer.Next(now);
            var partitions = _broker.Logs.GetTopic(producer.Topic)?.Partitions.Count ?? 1;
            var batch = new RecordBatchBuilder().Add(now.ToUnixTimeMilliseconds(), key, value).Build();
            request.Topics.Add(new ProduceRequest.TopicProduceData
            {
                Name = producer.Topic,
                Partitions = [new ProduceRequest.PartitionProduceData { PartitionIndex = Partitioner.Partition(key, partitions), Records = batch }],
            });
        }

        var response = await connection.SendAsync<ProduceResponse>(request, ProduceVersion, cancellationToken).ConfigureAwait(false);
        foreach (var topic in response.Responses)
        {
            foreach (var partition in topic.Partitions)
            {
                if (partition.ErrorCode == ErrorCode.None)
                {
                    _published.AddOrUpdate(topic.Name, 1, (_, n) => n + 1);
                }
                else if (!_lastError.TryGetValue(topic.Name, out var last) || now - last > ErrorLogInterval)
                {
                    _lastError[topic.Name] = now;
                    LogRefused(_logger, topic.Name, partition.ErrorCode, partition.ErrorMessage ?? "");
                }
            }
        }
    }

    /// <summary>One producer per example product whose subject is registered; products without one are skipped with a log line.</summary>
    public async Task<IReadOnlyList<Producer>> CreateProducersAsync(CancellationToken cancellationToken)
    {
        var producers = new List<Producer>();
        var seed = 20261207;
        foreach (var product in _mesh.Products.Where(p => p.Schema is { Format: "AVRO" }))
        {
            try
            {
                // Events are encoded with the example's own schema file (it carries the "generate" hints), so they must name
                // the id of that schema in the subject, not the latest version, which an apply may have moved on.
                var version = await _registry.LookupAsync(product.Subject, new SchemaRequest(product.Schema!.Text), cancellationToken: cancellationToken).ConfigureAwait(false);
                producers.Add(new Producer(product.Topic, version.Schema.Id, AvroSchema.Parse(product.Schema.Text), product.Descriptor.KeyFields, seed++));
            }
            catch (SchemaRegistryException e)
            {
                LogSkipped(_logger, product.FullName, e.Message);
            }
        }

        return producers;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var producers = await CreateProducersAsync(cancellationToken).ConfigureAwait(false);
            if (producers.Count == 0 || _eventsPerSecond <= 0)
            {
                return;
            }

            LogStarted(_logger, producers.Count, _eventsPerSecond);
            using var connection = new LocalKafkaConnection(_broker, Principal, "example-generator");
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / _eventsPerSecond), _time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await PublishOnceAsync(producers, connection, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(_logger, e);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>Makes the key and the wire-format value of one product's next event.</summary>
    public sealed class Producer(string topic, int schemaId, AvroSchema schema, IReadOnlyList<string> keyFields, int seed)
    {
        private readonly EventGenerator _generator = new(schema, seed);

        /// <summary>The product's topic.</summary>
        public string Topic { get; } = topic;

        /// <summary>The next event: key (key fields joined by '|') and value (magic 0, schema id, Avro).</summary>
        public (byte[] Key, byte[] Value) Next(DateTimeOffset now)
        {
            var record = _generator.Next(now);
            var key = string.Join('|', keyFields.Select(f => KeyText(record[f])));
            return (Encoding.UTF8.GetBytes(key), WireFormat.Frame(schemaId, AvroBinary.Encode(schema, record)));
        }

        private static string KeyText(object? value) => value switch
        {
            null => "",
            AvroEnum e => e.Symbol,
            AvroUnion u => KeyText(u.Value),
            DateOnly d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Example generators publishing {Products} products at {Rate} event(s)/s each")]
    private static partial void LogStarted(ILogger logger, int products, int rate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Example generator for {Topic} was refused: {Error} {Message}")]
    private static partial void LogRefused(ILogger logger, string topic, ErrorCode error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No example generator for {Product}: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string product, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Example generators stopped")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>Kafka's default partitioner: murmur2 of the key bytes, positive, modulo the partition count — so keys land where Java and librdkafka producers put them.</summary>
public static class Partitioner
{
    /// <summary>The partition for <paramref name="key"/> among <paramref name="partitions"/>.</summary>
    public static int Partition(ReadOnlySpan<byte> key, int partitions) => (int)((Murmur2(key) & 0x7fffffff) % (uint)partitions);

    /// <summary>Kafka's murmur2 (seed 0x9747b28c), as <c>org.apache.kafka.common.utils.Utils.murmur2</c>.</summary>
    public static uint Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = 0x9747b28c ^ (uint)length;
        var i = 0;
        for (; i + 4 <= length; i += 4)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        switch (length - i)
        {
            case 3:
                h ^= (uint)data[i + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[i + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[i];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return h;
    }
}
