namespace Meshwork.Kafka.Protocol;

/// <summary>Kafka response header: v0 is the correlation id; v1 adds tagged fields (flexible bodies except ApiVersions).</summary>
public static class ResponseHeader
{
    /// <summary>The header version used for flexible response bodies.</summary>
    public const short FlexibleVersion = 1;

    /// <summary>Writes a response header of the given version.</summary>
    public static void Write(KafkaWriter writer, int correlationId, short headerVersion)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteInt32(correlationId);
        if (headerVersion >= FlexibleVersion)
        {
            writer.WriteEmptyTaggedFields();
        }
    }

    /// <summary>Reads a response header of the given version and returns the correlation id.</summary>
    public static int Read(ref KafkaReader reader, short headerVersion)
    {
        var correlationId = reader.ReadInt32("correlation_id");
        if (headerVersion >= FlexibleVersion)
        {
            reader.SkipTaggedFields();
        }

        return correlationId;
    }
}
