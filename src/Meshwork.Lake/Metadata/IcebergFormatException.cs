namespace Meshwork.Lake.Metadata;

/// <summary>
/// Thrown when Iceberg metadata (a metadata file, manifest, manifest list or schema) is malformed or uses a
/// feature this implementation does not support; the message names the file and the field.
/// </summary>
public sealed class IcebergFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IcebergFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception around the failure of an underlying reader.</summary>
    public IcebergFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
