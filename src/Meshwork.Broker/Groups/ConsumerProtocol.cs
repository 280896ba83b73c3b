using System.Buffers.Binary;
using System.Text;

namespace Meshwork.Broker.Groups;

/// <summary>
/// Reads the topics out of the consumer protocol's subscription (the JoinGroup metadata of protocol type
/// <c>consumer</c>): int16 version, then an array of int16-length topic names; later versions only append fields.
/// </summary>
internal static class ConsumerProtocol
{
    /// <summary>The protocol type consumers use.</summary>
    public const string ProtocolType = "consumer";

    /// <summary>Returns the subscribed topics, or null when the bytes are not a subscription we can read.</summary>
    public static IReadOnlyList<string>? TryReadSubscribedTopics(ReadOnlySpan<byte> metadata)
    {
        if (metadata.Length < sizeof(short) + sizeof(int))
        {
            return null;
        }

        var version = BinaryPrimitives.ReadInt16BigEndian(metadata);
        if (version < 0)
        {
            return null;
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(metadata[sizeof(short)..]);
        var rest = metadata[(sizeof(short) + sizeof(int))..];
        if (count < 0 || count > rest.Length / sizeof(short))
        {
            return null;
        }

        var topics = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            if (rest.Length < sizeof(short))
            {
                return null;
            }

            var length = BinaryPrimitives.ReadInt16BigEndian(rest);
            rest = rest[sizeof(short)..];
            if (length < 0 || length > rest.Length)
            {
                return null;
            }

            topics.Add(Encoding.UTF8.GetString(rest[..length]));
            rest = rest[length..];
        }

        return topics;
    }
}
