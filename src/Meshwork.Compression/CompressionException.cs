using System.Diagnostics.CodeAnalysis;

namespace Meshwork.Compression;

/// <summary>
/// Thrown when compressed input is malformed, truncated, fails a checksum, or would decompress
/// beyond the caller's output limit. Decoders never throw any other exception type for bad input.
/// </summary>
public sealed class CompressionException : Exception
{
    /// <summary>Creates an exception with a message naming the codec and what was wrong.</summary>
    public CompressionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception that wraps the failure reported by an underlying decoder.</summary>
    public CompressionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    [DoesNotReturn]
    internal static void Throw(string message) => throw new CompressionException(message);
}
