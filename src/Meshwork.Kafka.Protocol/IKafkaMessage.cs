namespace Meshwork.Kafka.Protocol;

/// <summary>A Kafka request or response body that can encode itself in any supported version.</summary>
public interface IKafkaMessage
{
    /// <summary>The API this message belongs to.</summary>
    ApiKey Api { get; }

    /// <summary>Encodes the body (no header, no size prefix) in the given version.</summary>
    void Write(KafkaWriter writer, short version);
}

/// <summary>A request body.</summary>
public interface IKafkaRequest : IKafkaMessage;

/// <summary>A response body.</summary>
public interface IKafkaResponse : IKafkaMessage;

/// <summary>A request body type with a version-aware decoder.</summary>
/// <typeparam name="TSelf">The request type.</typeparam>
public interface IKafkaRequest<TSelf> : IKafkaRequest
    where TSelf : IKafkaRequest<TSelf>
{
    /// <summary>Decodes the body of this request in the given version.</summary>
    static abstract TSelf Read(ref KafkaReader reader, short version);
}

/// <summary>A response body type with a version-aware decoder.</summary>
/// <typeparam name="TSelf">The response type.</typeparam>
public interface IKafkaResponse<TSelf> : IKafkaResponse
    where TSelf : IKafkaResponse<TSelf>
{
    /// <summary>Decodes the body of this response in the given version.</summary>
    static abstract TSelf Read(ref KafkaReader reader, short version);
}
