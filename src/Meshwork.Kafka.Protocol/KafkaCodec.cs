using System.Buffers;
using Meshwork.Kafka.Protocol.Messages;

namespace Meshwork.Kafka.Protocol;

/// <summary>A decoded request: its header and body.</summary>
/// <param name="Header">The request header.</param>
/// <param name="Body">The request body.</param>
public readonly record struct KafkaRequest(RequestHeader Header, IKafkaRequest Body);

/// <summary>
/// Entry points for whole frames. A broker reads a frame with <see cref="KafkaFraming.TryReadFrame"/>, decodes it
/// with <see cref="DecodeRequest(ReadOnlyMemory{byte})"/>, and answers with <see cref="WriteResponse"/>, which picks the response header
/// version (always v0 for ApiVersions) and adds the size prefix.
/// </summary>
public static partial class KafkaCodec
{
    /// <summary>
    /// Decodes a request frame (without its size prefix). Throws <see cref="KafkaProtocolException"/> for unknown
    /// APIs, unsupported versions (<see cref="ErrorCode.UnsupportedVersion"/>, with <see cref="KafkaProtocolException.Header"/>
    /// set so the broker can answer ApiVersions in v0 per KIP-511) and malformed bodies.
    /// </summary>
    /// <remarks>Byte fields of the body (Produce records) are slices of <paramref name="frame"/>: keep it alive while using them.</remarks>
    public static KafkaRequest DecodeRequest(ReadOnlyMemory<byte> frame)
    {
        var reader = new KafkaReader(frame);
        var header = RequestHeader.Read(ref reader);
        if (!ApiVersionTable.IsSupported(header.ApiKey, header.ApiVersion))
        {
            throw new KafkaProtocolException(
                $"{header.ApiKey} version {header.ApiVersion} is not supported; supported versions are " +
                $"{ApiVersionTable.Get(header.ApiKey).MinVersion}-{ApiVersionTable.Get(header.ApiKey).MaxVersion}.",
                ErrorCode.UnsupportedVersion)
            {
                CorrelationId = header.CorrelationId,
                Header = header,
            };
        }

        try
        {
            var body = ReadRequestBody(header.ApiKey, header.ApiVersion, ref reader);
            reader.EnsureEnd($"{header.ApiKey} request v{header.ApiVersion}");
            return new KafkaRequest(header, body);
        }
        catch (KafkaProtocolException ex) when (ex.CorrelationId is null)
        {
            throw new KafkaProtocolException(
                $"{header.ApiKey} request v{header.ApiVersion}: {ex.Message}", ex.ErrorCode, ex)
            {
                CorrelationId = header.CorrelationId,
                Header = header,
            };
        }
    }

    /// <summary>Decodes a request frame that may span several segments (copies only when it does).</summary>
    public static KafkaRequest DecodeRequest(in ReadOnlySequence<byte> frame) =>
        DecodeRequest(frame.IsSingleSegment ? frame.First : frame.ToArray());

    /// <summary>Writes a complete response frame: size prefix, header (version chosen per API) and body.</summary>
    public static void WriteResponse(IBufferWriter<byte> output, int correlationId, short version, IKafkaResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        using var body = new PooledBufferWriter();
        var writer = new KafkaWriter(body);
        ResponseHeader.Write(writer, correlationId, ApiVersionTable.ResponseHeaderVersion(response.Api, version));
        response.Write(writer, version);
        KafkaFraming.WriteFrame(output, body.WrittenSpan);
    }

    /// <summary>Writes a complete request frame: size prefix, header and body (used by tests and the CLI client).</summary>
    public static void WriteRequest(IBufferWriter<byte> output, RequestHeader header, IKafkaRequest request)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(request);
        if (header.ApiKey != request.Api)
        {
            throw new ArgumentException($"Header is for {header.ApiKey} but the body is {request.Api}.", nameof(request));
        }

        using var body = new PooledBufferWriter();
        var writer = new KafkaWriter(body);
        header.Write(writer);
        request.Write(writer, header.ApiVersion);
        KafkaFraming.WriteFrame(output, body.WrittenSpan);
    }

    /// <summary>
    /// Decodes a response frame (without size prefix) for a request of <paramref name="apiKey"/> at
    /// <paramref name="version"/>; returns the correlation id through <paramref name="correlationId"/>.
    /// </summary>
    public static IKafkaResponse DecodeResponse(ReadOnlyMemory<byte> frame, ApiKey apiKey, short version, out int correlationId)
    {
        var reader = new KafkaReader(frame);
        correlationId = ResponseHeader.Read(ref reader, ApiVersionTable.ResponseHeaderVersion(apiKey, version));
        var body = ReadResponseBody(apiKey, version, ref reader);
        reader.EnsureEnd($"{apiKey} response v{version}");
        return body;
    }

    /// <summary>
    /// Builds the ApiVersions response listing <see cref="ApiVersionTable.All"/>. With
    /// <see cref="ErrorCode.UnsupportedVersion"/> it is the KIP-511 answer to a too-new ApiVersions request:
    /// write it at version 0 so the client can parse it and retry with a version we support.
    /// </summary>
    public static ApiVersionsResponse CreateApiVersionsResponse(ErrorCode errorCode = ErrorCode.None)
    {
        var response = new ApiVersionsResponse { ErrorCode = errorCode };
        foreach (var range in ApiVersionTable.All)
        {
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion
            {
                ApiKey = (short)range.ApiKey,
                MinVersion = range.MinVersion,
                MaxVersion = range.MaxVersion,
            });
        }

        return response;
    }
}
