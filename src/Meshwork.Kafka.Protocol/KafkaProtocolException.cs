namespace Meshwork.Kafka.Protocol;

/// <summary>
/// Raised when bytes received from the wire do not form a valid Kafka frame, header, message or record batch.
/// The broker maps it once at the connection edge: answer with <see cref="ErrorCode"/> when the request header
/// was readable, otherwise close the connection.
/// </summary>
public sealed class KafkaProtocolException : Exception
{
    /// <summary>Creates an exception carrying the Kafka error code that best describes the problem.</summary>
    public KafkaProtocolException(string message, ErrorCode errorCode = ErrorCode.CorruptMessage)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Creates an exception that wraps an inner failure (for example a decompressor error).</summary>
    public KafkaProtocolException(string message, ErrorCode errorCode, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The Kafka error code to report to the client, when the connection is still usable.</summary>
    public ErrorCode ErrorCode { get; }

    /// <summary>
    /// The correlation id of the request being decoded, when the header was read before the failure;
    /// lets the broker answer the right request instead of closing the connection.
    /// </summary>
    public int? CorrelationId { get; init; }

    /// <summary>The request header, when it was decoded before the failure.</summary>
    public RequestHeader? Header { get; init; }
}
