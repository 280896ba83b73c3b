using Meshwork.Kafka.Protocol;

namespace Meshwork.Broker.Storage;

/// <summary>Base class of the storage layer's domain errors; each maps to one Kafka error code at the wire edge.</summary>
public abstract class StorageException : Exception
{
    /// <summary>Creates the exception with its message and Kafka error code.</summary>
    protected StorageException(string message, ErrorCode errorCode)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The Kafka error code to answer with.</summary>
    public ErrorCode ErrorCode { get; }
}

/// <summary>The topic name is not legal (Kafka rules: 1-249 chars of [a-zA-Z0-9._-], not "." or "..").</summary>
public sealed class InvalidTopicException(string message) : StorageException(message, ErrorCode.InvalidTopicException);

/// <summary>A topic with that name already exists.</summary>
public sealed class TopicExistsException(string message) : StorageException(message, ErrorCode.TopicAlreadyExists);

/// <summary>No topic (or partition) with that name exists.</summary>
public sealed class UnknownTopicException(string message) : StorageException(message, ErrorCode.UnknownTopicOrPartition);

/// <summary>A config key is unknown or its value is out of range.</summary>
public sealed class InvalidConfigException(string message) : StorageException(message, ErrorCode.InvalidConfig);

/// <summary>A partition count is not valid (zero, negative, or not an increase).</summary>
public sealed class InvalidPartitionsException(string message) : StorageException(message, ErrorCode.InvalidPartitions);
