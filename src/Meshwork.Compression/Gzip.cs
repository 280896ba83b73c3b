using System.Buffers.Binary;
using System.IO.Compression;

namespace Meshwork.Compression;

/// <summary>gzip (RFC 1952) over <see cref="GZipStream"/>: Kafka codec 1 and Parquet's GZIP.</summary>
public static class Gzip
{
    private const int TrailerLength = 8;

    private static ReadOnlySpan<byte> EmptyMember => [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>Compresses <paramref name="source"/> at <see cref="CompressionLevel.Optimal"/>.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source) => Compress(source, CompressionLevel.Optimal);

    /// <summary>Compresses <paramref name="source"/> into a single gzip member.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source, CompressionLevel level)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, level, leaveOpen: true))
        {
            gz.Write(source);
        }

        if (ms.Length == 0)
        {
            // The framework writes nothing for empty input, which no gzip reader accepts.
            return [.. EmptyMember];
        }

        return ms.ToArray();
    }

    /// <summary>As <see cref="Decompress(ReadOnlySpan{byte}, int)"/> with the default output limit (<see cref="CompressionLimits.DefaultMaxOutputLength"/>).</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed) => Decompress(compressed, CompressionLimits.DefaultMaxOutputLength);

    /// <summary>Decompresses gzip data (concatenated members are accepted).</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed, int maxOutputLength)
    {
        var output = StreamCodec.Decompress("gzip", compressed, maxOutputLength, static s => new GZipStream(s, CompressionMode.Decompress));

        // The framework stream reports a truncated member as a clean end of data. The last member's
        // trailer covers the tail of the output (ISIZE bytes), so checking it proves the input was complete.
        var trailer = compressed[^Math.Min(TrailerLength, compressed.Length)..];
        if (trailer.Length < TrailerLength)
        {
            CompressionException.Throw("gzip: truncated stream (no trailer)");
        }

        var crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        if (size > (uint)output.Length || Checksums.Crc32(output.AsSpan(output.Length - (int)size)) != crc)
        {
            CompressionException.Throw("gzip: truncated stream (trailer CRC-32/ISIZE do not match the decoded data)");
        }

        return output;
    }
}
