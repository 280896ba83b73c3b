using System.Diagnostics;
using System.Buffers;
using Meshwork.Broker.Network;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Meshwork.Security;
using Microsoft.Extensions.Logging;

namespace Meshwork.Broker.Handlers;

/// <summary>What the connection loop does after a request: whether a response was written, whether to close.</summary>
internal readonly record struct Outcome(bool Responded, bool Close);

/// <summary>The context one request is handled in.</summary>
internal sealed class RequestContext(KafkaSession session, RequestHeader header)
{
    public KafkaSession Session { get; } = session;

    public RequestHeader Header { get; } = header;

    public short Version => Header.ApiVersion;

    private List<IDisposable>? _resources;

    /// <summary>Set by a handler that must end the connection after its response (failed SASL).</summary>
    public bool CloseAfterResponse { get; set; }

    /// <summary>Keeps <paramref name="resource"/> (a pooled read buffer) alive until the response is written.</summary>
    public void Track(IDisposable resource) => (_resources ??= []).Add(resource);

    /// <summary>Releases what <see cref="Track"/> kept.</summary>
    public void ReleaseResources()
    {
        if (_resources is null)
        {
            return;
        }

        foreach (var resource in _resources)
        {
            resource.Dispose();
        }

        _resources.Clear();
    }
}

/// <summary>
/// Decodes each request, checks that the connection is authenticated, authorizes through the one
/// policy decision point, and routes to the handler for its API (one partial file per area).
/// </summary>
internal sealed partial class RequestDispatcher(KafkaBroker broker)
{
    private readonly ILogger _logger = broker.LoggerFactory.CreateLogger<RequestDispatcher>();

    public async ValueTask<Outcome> HandleAsync(KafkaSession session, ReadOnlyMemory<byte> frame, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        KafkaRequest request;
        try
        {
            request = KafkaCodec.DecodeRequest(frame);
        }
        catch (KafkaProtocolException e) when (e.Header is { ApiKey: ApiKey.ApiVersions } header)
        {
            // KIP-511: a too-new ApiVersions gets a v0 answer with UNSUPPORTED_VERSION and our ranges, so the client retries lower.
            KafkaCodec.WriteResponse(output, header.CorrelationId, 0, KafkaCodec.CreateApiVersionsResponse(ErrorCode.UnsupportedVersion));
            return new Outcome(true, false);
        }

        var context = new RequestContext(session, request.Header);
        if (session.Principal is null && request.Header.ApiKey is not (ApiKey.ApiVersions or ApiKey.SaslHandshake or ApiKey.SaslAuthenticate))
        {
            LogUnauthenticated(_logger, session.ClientHost, request.Header.ApiKey);
            return new Outcome(false, true);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await DispatchAsync(context, request.Body, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                return new Outcome(false, context.CloseAfterResponse);
            }

            KafkaCodec.WriteResponse(output, request.Header.CorrelationId, request.Header.ApiVersion, response);
            return new Outcome(true, context.CloseAfterResponse);
        }
        finally
        {
            context.ReleaseResources();
            broker.Metrics.RecordLatency(request.Header.ApiKey, Stopwatch.GetElapsedTime(started));
        }
    }

    private async ValueTask<IKafkaResponse?> DispatchAsync(RequestContext context, IKafkaRequest body, CancellationToken cancellationToken) => body switch
    {
        ApiVersionsRequest => KafkaCodec.CreateApiVersionsResponse(),
        MetadataRequest r => Metadata(context, r),
        ProduceRequest r => await ProduceAsync(context, r).ConfigureAwait(false),
        FetchRequest r => await FetchAsync(context, r, cancellationToken).ConfigureAwait(false),
        ListOffsetsRequest r => ListOffsets(context, r),
        FindCoordinatorRequest r => FindCoordinator(context, r),
        InitProducerIdRequest r => await InitProducerIdAsync(context, r, cancellationToken).ConfigureAwait(false),
        CreateTopicsRequest r => CreateTopics(context, r),
        DeleteTopicsRequest r => DeleteTopics(context, r),
        CreatePartitionsRequest r => CreatePartitions(context, r),
        DeleteRecordsRequest r => DeleteRecords(context, r),
        DescribeConfigsRequest r => DescribeConfigs(context, r),
        AlterConfigsRequest r => AlterConfigs(context, r),
        IncrementalAlterConfigsRequest r => IncrementalAlterConfigs(context, r),
        JoinGroupRequest r => await JoinGroupAsync(context, r, cancellationToken).ConfigureAwait(false),
        SyncGroupRequest r => await SyncGroupAsync(context, r, cancellationToken).ConfigureAwait(false),
        HeartbeatRequest r => Heartbeat(context, r),
        LeaveGroupRequest r => LeaveGroup(context, r),
        OffsetCommitRequest r => await OffsetCommitAsync(context, r, cancellationToken).ConfigureAwait(false),
        OffsetFetchRequest r => OffsetFetch(context, r),
        DescribeGroupsRequest r => DescribeGroups(context, r),
        ListGroupsRequest r => ListGroups(context, r),
        DeleteGroupsRequest r => await DeleteGroupsAsync(context, r, cancellationToken).ConfigureAwait(false),
        OffsetDeleteRequest r => await OffsetDeleteAsync(context, r, cancellationToken).ConfigureAwait(false),
        SaslHandshakeRequest r => SaslHandshake(context, r),
        SaslAuthenticateRequest r => await SaslAuthenticateAsync(context, r, cancellationToken).ConfigureAwait(false),
        _ => throw new KafkaProtocolException($"API {context.Header.ApiKey} is not handled by this broker.", ErrorCode.InvalidRequest),
    };

    /// <summary>
    /// The one authorization call every request makes, per resource it touches. Denials are logged
    /// with the principal so they can be audited.
    /// </summary>
    private bool Authorize(RequestContext context, Operation operation, ResourceType type, string name)
    {
        var decision = broker.Policy.Decide(new AccessRequest(context.Session.Principal ?? Principal.Anonymous, operation, type, name));
        if (!decision.Allowed)
        {
            LogDenied(_logger, context.Session.Principal?.ToString() ?? "unauthenticated", operation, type, name, decision.Reason);
        }

        return decision.Allowed;
    }

    private long NowMs => broker.Time.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection from {Client}: {Api} before authentication")]
    private static partial void LogUnauthenticated(ILogger logger, string client, ApiKey api);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Denied {Principal} {Operation} on {ResourceType} {Resource}: {Reason}")]
    private static partial void LogDenied(ILogger logger, string principal, Operation operation, ResourceType resourceType, string resource, string reason);
}
