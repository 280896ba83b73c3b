namespace Meshwork.Kafka.Protocol;

/// <summary>
/// Kafka request header. v0: api key, version, correlation id. v1 adds the client id (always an int16-length
/// nullable string, even in flexible headers). v2 adds tagged fields and is used for flexible bodies.
/// </summary>
public sealed class RequestHeader
{
    /// <summary>The original header: api key, version and correlation id only.</summary>
    public const short InitialVersion = 0;

    /// <summary>The header version that introduced the client id.</summary>
    public const short ClientIdVersion = 1;

    /// <summary>The header version used for flexible request bodies.</summary>
    public const short FlexibleVersion = 2;

    /// <summary>The API being called.</summary>
    public ApiKey ApiKey { get; set; }

    /// <summary>The version of the request body.</summary>
    public short ApiVersion { get; set; }

    /// <summary>Echoed back in the response so the client can match it.</summary>
    public int CorrelationId { get; set; }

    /// <summary>The client id; may be null (int16 -1) — some clients send it.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// Reads a header, choosing its version from the API key and version it contains. Unknown API keys throw
    /// a <see cref="KafkaProtocolException"/> carrying the correlation id; unsupported versions of known APIs
    /// do not throw here, so the broker can answer them (ApiVersions: KIP-511 v0 fallback).
    /// </summary>
    public static RequestHeader Read(ref KafkaReader reader)
    {
        var apiKey = reader.ReadInt16("request_api_key");
        var apiVersion = reader.ReadInt16("request_api_version");
        var correlationId = reader.ReadInt32("correlation_id");
        if (!ApiVersionTable.TryGet(apiKey, out var range))
        {
            throw new KafkaProtocolException($"Unsupported API key {apiKey} (version {apiVersion}).", ErrorCode.InvalidRequest)
            {
                CorrelationId = correlationId,
            };
        }

        if (apiVersion < 0)
        {
            throw new KafkaProtocolException($"Negative API version {apiVersion} for {range.ApiKey}.", ErrorCode.UnsupportedVersion)
            {
                CorrelationId = correlationId,
            };
        }

        var header = new RequestHeader { ApiKey = range.ApiKey, ApiVersion = apiVersion, CorrelationId = correlationId };
        try
        {
            header.ClientId = reader.ReadNullableString("client_id");
            if (range.IsFlexible(apiVersion))
            {
                reader.SkipTaggedFields();
            }
        }
        catch (KafkaProtocolException ex)
        {
            throw new KafkaProtocolException(ex.Message, ex.ErrorCode, ex) { CorrelationId = correlationId };
        }

        return header;
    }

    /// <summary>
    /// Reads a header of an explicit version (v0 has no client id; only ControlledShutdown v0 ever used it).
    /// Does not check that the API key is known.
    /// </summary>
    public static RequestHeader Read(ref KafkaReader reader, short headerVersion)
    {
        var header = new RequestHeader
        {
            ApiKey = (ApiKey)reader.ReadInt16("request_api_key"),
            ApiVersion = reader.ReadInt16("request_api_version"),
            CorrelationId = reader.ReadInt32("correlation_id"),
        };
        if (headerVersion >= ClientIdVersion)
        {
            header.ClientId = reader.ReadNullableString("client_id");
        }

        if (headerVersion >= FlexibleVersion)
        {
            reader.SkipTaggedFields();
        }

        return header;
    }

    /// <summary>Writes the header in the version implied by <see cref="ApiKey"/> and <see cref="ApiVersion"/>.</summary>
    public void Write(KafkaWriter writer) => Write(writer, ApiVersionTable.RequestHeaderVersion(ApiKey, ApiVersion));

    /// <summary>Writes the header in an explicit header version (0, 1 or 2).</summary>
    public void Write(KafkaWriter writer, short headerVersion)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteInt16((short)ApiKey);
        writer.WriteInt16(ApiVersion);
        writer.WriteInt32(CorrelationId);
        if (headerVersion >= ClientIdVersion)
        {
            writer.WriteNullableString(ClientId);
        }

        if (headerVersion >= FlexibleVersion)
        {
            writer.WriteEmptyTaggedFields();
        }
    }
}
