namespace Meshwork.Compression;

/// <summary>
/// Zstandard (RFC 8878). The decoder is complete except for dictionaries; the encoder writes frames
/// that the reference <c>zstd</c> tool decodes. Kafka codec 4, Parquet ZSTD.
/// </summary>
public static partial class Zstd
{
    /// <summary>The zstd frame magic number (little-endian on the wire).</summary>
    public const uint Magic = 0xFD2FB528;

    internal const uint SkippableMagicMask = 0xFFFFFFF0;
    internal const uint SkippableMagic = 0x184D2A50;
    internal const int MaxBlockSize = 128 * 1024;

    /// <summary>As <see cref="Decompress(ReadOnlySpan{byte}, int)"/> with the default output limit (<see cref="CompressionLimits.DefaultMaxOutputLength"/>).</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed) => Decompress(compressed, CompressionLimits.DefaultMaxOutputLength);

    /// <summary>Decompresses one or more concatenated zstd frames (skippable frames are skipped).</summary>
    /// <exception cref="CompressionException">The input is malformed, uses a dictionary, or exceeds <paramref name="maxOutputLength"/>.</exception>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed, int maxOutputLength)
    {
        CompressionLimits.CheckMax(maxOutputLength);
        if (compressed.Length < 4)
        {
            CompressionException.Throw($"zstd: input of {compressed.Length} bytes is too short for a frame");
        }

        using var output = new OutputBuffer("zstd", compressed.Length * 4L, maxOutputLength);
        using var decoder = new ZstdFrameDecoder(output);
        var ip = 0;
        while (ip < compressed.Length)
        {
            ip = decoder.DecodeFrame(compressed, ip);
        }

        return output.ToArray();
    }
}
