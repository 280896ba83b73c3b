using System.Buffers.Binary;
using System.IO.Compression;

namespace Meshwork.Compression;

/// <summary>
/// Raw deflate (RFC 1951, Avro's "deflate" codec) over <see cref="DeflateStream"/>, and zlib (RFC 1950)
/// over <see cref="ZLibStream"/>.
/// </summary>
public static class Deflate
{
    /// <summary>Compresses <paramref name="source"/> as raw deflate at <see cref="CompressionLevel.Optimal"/>.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source) => Compress(source, CompressionLevel.Optimal);

    /// <summary>Compresses <paramref name="source"/> as a raw deflate stream (no zlib header).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source, CompressionLevel level)
    {
        using var ms = new MemoryStream();
        using (var ds = new DeflateStream(ms, level, leaveOpen: true))
        {
            ds.Write(source);
        }

        if (ms.Length == 0)
        {
            // The framework writes nothing for empty input; a reader needs at least the final empty block.
            return [0x03, 0x00];
        }

        return ms.ToArray();
    }

    /// <summary>As <see cref="Decompress(ReadOnlySpan{byte}, int)"/> with the default output limit (<see cref="CompressionLimits.DefaultMaxOutputLength"/>).</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed) => Decompress(compressed, CompressionLimits.DefaultMaxOutputLength);

    /// <summary>Decompresses a raw deflate stream.</summary>
    /// <remarks>
    /// Raw deflate carries no length or checksum, and the framework treats a missing final block as the end
    /// of data, so a truncated stream can decode to a prefix. Avro and Parquet check lengths one level up.
    /// </remarks>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed, int maxOutputLength) =>
        StreamCodec.Decompress("deflate", compressed, maxOutputLength, static s => new DeflateStream(s, CompressionMode.Decompress));

    /// <summary>Compresses <paramref name="source"/> as zlib at <see cref="CompressionLevel.Optimal"/>.</summary>
    public static byte[] CompressZlib(ReadOnlySpan<byte> source) => CompressZlib(source, CompressionLevel.Optimal);

    /// <summary>Compresses <paramref name="source"/> as a zlib stream (header + deflate + Adler-32).</summary>
    public static byte[] CompressZlib(ReadOnlySpan<byte> source, CompressionLevel level)
    {
        using var ms = new MemoryStream();
        using (var zs = new ZLibStream(ms, level, leaveOpen: true))
        {
            zs.Write(source);
        }

        if (ms.Length == 0)
        {
            // Header, final empty block, Adler-32 of nothing (1).
            return [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];
        }

        return ms.ToArray();
    }

    /// <summary>As <see cref="DecompressZlib(ReadOnlySpan{byte}, int)"/> with the default output limit (<see cref="CompressionLimits.DefaultMaxOutputLength"/>).</summary>
    public static byte[] DecompressZlib(ReadOnlySpan<byte> compressed) => DecompressZlib(compressed, CompressionLimits.DefaultMaxOutputLength);

    /// <summary>Decompresses a zlib stream.</summary>
    public static byte[] DecompressZlib(ReadOnlySpan<byte> compressed, int maxOutputLength)
    {
        var output = StreamCodec.Decompress("zlib", compressed, maxOutputLength, static s => new ZLibStream(s, CompressionMode.Decompress));

        // A truncated stream ends cleanly in the framework; the Adler-32 trailer proves completeness.
        if (compressed.Length < 6 || BinaryPrimitives.ReadUInt32BigEndian(compressed[^4..]) != Checksums.Adler32(output))
        {
            CompressionException.Throw("zlib: truncated stream (Adler-32 trailer does not match the decoded data)");
        }

        return output;
    }
}
