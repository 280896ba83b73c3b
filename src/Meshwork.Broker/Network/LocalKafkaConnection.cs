using System.Buffers;
using System.IO.Pipelines;
using Meshwork.Kafka.Protocol;
using Meshwork.Security;

namespace Meshwork.Broker.Network;

/// <summary>
/// A connection to the broker from inside the same process (the example generators, the embedded
/// processors). Each request is encoded, handled by the same dispatcher a socket connection uses —
/// authorization, validation, metrics and all — and its response decoded; only the socket is missing.
/// Requests are answered one at a time, in order, as on a real connection.
/// </summary>
public sealed class LocalKafkaConnection : IDisposable
{
    private const int SizePrefixBytes = sizeof(int);
    private readonly KafkaBroker _broker;
    private readonly KafkaSession _session;
    private readonly string _clientId;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _correlationId;

    /// <summary>Opens a connection authenticated as <paramref name="principal"/>.</summary>
    public LocalKafkaConnection(KafkaBroker broker, Principal principal, string clientId)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(principal);
        _broker = broker;
        _clientId = clientId;
        _session = new KafkaSession($"local-{clientId}-{Guid.NewGuid():n}", null, principal);
    }

    /// <summary>Sends <paramref name="request"/> at <paramref name="version"/> and returns the broker's response.</summary>
    /// <exception cref="KafkaProtocolException">The broker closed the connection instead of answering (the request was refused).</exception>
    public async Task<TResponse> SendAsync<TResponse>(IKafkaRequest request, short version, CancellationToken cancellationToken = default)
        where TResponse : IKafkaResponse
    {
        ArgumentNullException.ThrowIfNull(request);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var header = new RequestHeader { ApiKey = request.Api, ApiVersion = version, CorrelationId = ++_correlationId, ClientId = _clientId };
            using var frame = new PooledBufferWriter();
            KafkaCodec.WriteRequest(frame, header, request);
            var pipe = new Pipe();
            var outcome = await _broker.Dispatcher.HandleAsync(_session, frame.WrittenMemory[SizePrefixBytes..], pipe.Writer, cancellationToken).ConfigureAwait(false);
            await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            if (!outcome.Responded)
            {
                throw new KafkaProtocolException($"The broker closed the local connection instead of answering {request.Api} v{version}.", ErrorCode.UnknownServerError);
            }

            var read = await pipe.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var bytes = read.Buffer.Slice(SizePrefixBytes).ToArray();
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            return (TResponse)KafkaCodec.DecodeResponse(bytes, request.Api, version, out _);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _gate.Dispose();
}
