namespace Meshwork.Compression;

/// <summary>Limits shared by every decoder.</summary>
public static class CompressionLimits
{
    /// <summary>
    /// Default cap on decompressed output (256 MiB). A record batch or file page larger than this is
    /// far more likely to be a decompression bomb than real data.
    /// </summary>
    public const int DefaultMaxOutputLength = 256 * 1024 * 1024;

    internal static void CheckMax(int maxOutputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxOutputLength);
        // Arrays cannot exceed this length, so a larger limit would only move the failure elsewhere.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxOutputLength, Array.MaxLength);
    }
}
