namespace Meshwork.Metadata;

/// <summary>The metadata store cannot be used as it is (unreachable, migrated by a newer version, edited migrations).</summary>
public sealed class MetadataStoreException : Exception
{
    /// <summary>Creates the exception with a message that says what is wrong and how to fix it.</summary>
    public MetadataStoreException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception wrapping the engine's own error.</summary>
    public MetadataStoreException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
