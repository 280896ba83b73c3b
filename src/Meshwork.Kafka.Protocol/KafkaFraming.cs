using System.Buffers;
using System.Buffers.Binary;

namespace Meshwork.Kafka.Protocol;

/// <summary>Kafka frames: a big-endian int32 size followed by that many bytes of header and body.</summary>
public static class KafkaFraming
{
    /// <summary>Size of the length prefix.</summary>
    public const int SizePrefixLength = sizeof(int);

    /// <summary>
    /// Smallest meaningful request frame (api key + version + correlation id); anything shorter is garbage,
    /// typically a TLS or HTTP client on the Kafka port.
    /// </summary>
    public const int MinRequestFrameSize = sizeof(short) + sizeof(short) + sizeof(int);

    /// <summary>
    /// Tries to slice one complete frame (without its size prefix) off the front of <paramref name="buffer"/>.
    /// Returns false when more bytes are needed; throws <see cref="KafkaProtocolException"/> when the size is
    /// negative or larger than <paramref name="maxFrameSize"/>, in which case the connection should be closed.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < SizePrefixLength)
        {
            return false;
        }

        int size;
        var first = buffer.FirstSpan;
        if (first.Length >= SizePrefixLength)
        {
            size = BinaryPrimitives.ReadInt32BigEndian(first);
        }
        else
        {
            Span<byte> prefix = stackalloc byte[SizePrefixLength];
            buffer.Slice(0, SizePrefixLength).CopyTo(prefix);
            size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        }

        if (size < 0)
        {
            ThrowHelper.Malformed($"Negative Kafka frame size {size}.", ErrorCode.InvalidRequest);
        }

        if (size > maxFrameSize)
        {
            ThrowHelper.Malformed(
                $"Kafka frame size {size} exceeds the limit of {maxFrameSize} bytes (socket.request.max.bytes); " +
                "is a non-Kafka client (TLS, HTTP) talking to this port?",
                ErrorCode.InvalidRequest);
        }

        if (buffer.Length - SizePrefixLength < size)
        {
            return false;
        }

        frame = buffer.Slice(SizePrefixLength, size);
        buffer = buffer.Slice(frame.End);
        return true;
    }

    /// <summary>Writes <paramref name="payload"/> preceded by its int32 size.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(output);
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(SizePrefixLength), payload.Length);
        output.Advance(SizePrefixLength);
        payload.CopyTo(output.GetSpan(payload.Length));
        output.Advance(payload.Length);
    }
}
