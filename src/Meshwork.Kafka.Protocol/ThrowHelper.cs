using System.Diagnostics.CodeAnalysis;

namespace Meshwork.Kafka.Protocol;

/// <summary>Small non-inlined throw helpers keep the hot read/write paths compact.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Truncated(string field, int needed, int remaining) =>
        throw new KafkaProtocolException(
            $"Truncated Kafka message: field '{field}' needs {needed} byte(s) but only {remaining} remain.");

    [DoesNotReturn]
    public static void InvalidLength(string field, long length, int remaining) =>
        throw new KafkaProtocolException(
            $"Invalid length {length} for field '{field}' ({remaining} byte(s) remain in the message).");

    [DoesNotReturn]
    public static void NullNotAllowed(string field) =>
        throw new KafkaProtocolException($"Field '{field}' is null but is not nullable in this version.");

    [DoesNotReturn]
    public static void Malformed(string message, ErrorCode errorCode = ErrorCode.CorruptMessage) =>
        throw new KafkaProtocolException(message, errorCode);

    [DoesNotReturn]
    public static void NullOnWrite(string field, short version) =>
        throw new InvalidOperationException(
            $"Field '{field}' is null but is not nullable in version {version}; set a value before writing.");
}
