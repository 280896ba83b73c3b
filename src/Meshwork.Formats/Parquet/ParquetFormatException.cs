using System.Diagnostics.CodeAnalysis;

namespace Meshwork.Formats.Parquet;

/// <summary>
/// Thrown when a Parquet file is malformed, truncated, or uses a feature this implementation does
/// not support. The reader throws no other exception type for bad input.
/// </summary>
public sealed class ParquetFormatException : Exception
{
    /// <summary>Creates an exception with a message saying what was wrong and where.</summary>
    public ParquetFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception wrapping the failure of an underlying decoder.</summary>
    public ParquetFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    [DoesNotReturn]
    internal static void Throw(string message) => throw new ParquetFormatException(message);

    [DoesNotReturn]
    internal static T Throw<T>(string message) => throw new ParquetFormatException(message);
}
