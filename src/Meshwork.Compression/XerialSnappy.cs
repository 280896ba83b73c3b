using System.Buffers.Binary;

namespace Meshwork.Compression;

/// <summary>
/// The snappy-java stream framing that Kafka's Java client writes: an 8-byte magic
/// (<c>0x82 'SNAPPY' 0x00</c>), big-endian version and compatible-version ints, then chunks of
/// [int32 big-endian length][raw snappy block].
/// </summary>
public static class XerialSnappy
{
    /// <summary>Length of the xerial header (magic + version + compatible version).</summary>
    public const int HeaderLength = 16;

    private const int DefaultVersion = 1;
    private const int MinCompatibleVersion = 1;
    private const int ChunkSize = 32 * 1024;

    private static ReadOnlySpan<byte> Magic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0x00];

    /// <summary>True when <paramref name="data"/> starts with the xerial magic and a complete header.</summary>
    public static bool IsXerial(ReadOnlySpan<byte> data) => data.Length >= HeaderLength && data.StartsWith(Magic);

    /// <summary>Compresses <paramref name="source"/> into xerial framing with 32 KiB chunks (snappy-java's default).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source)
    {
        var chunks = Math.Max(1, (source.Length + ChunkSize - 1) / ChunkSize);
        var bound = HeaderLength + ((long)chunks * (4 + Snappy.MaxCompressedLength(Math.Min(ChunkSize, source.Length))));
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)bound);
        try
        {
            Magic.CopyTo(buffer);
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(8), DefaultVersion);
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(12), MinCompatibleVersion);
            var op = HeaderLength;
            for (var start = 0; start < source.Length; start += ChunkSize)
            {
                var chunk = source.Slice(start, Math.Min(ChunkSize, source.Length - start));
                var n = Snappy.Compress(chunk, buffer.AsSpan(op + 4));
                BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(op), n);
                op += 4 + n;
            }

            return buffer.AsSpan(0, op).ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>As <see cref="Decompress(ReadOnlySpan{byte}, int)"/> with the default output limit (<see cref="CompressionLimits.DefaultMaxOutputLength"/>).</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed) => Decompress(compressed, CompressionLimits.DefaultMaxOutputLength);

    /// <summary>Decompresses xerial-framed snappy.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed, int maxOutputLength)
    {
        CompressionLimits.CheckMax(maxOutputLength);
        if (!IsXerial(compressed))
        {
            CompressionException.Throw("snappy: missing xerial header (magic 0x82 'SNAPPY' 0x00 + two version ints)");
        }

        using var output = new OutputBuffer("snappy", compressed.Length * 2L, maxOutputLength);
        var ip = HeaderLength;
        while (ip < compressed.Length)
        {
            if (compressed.Length - ip < 4)
            {
                CompressionException.Throw($"snappy: truncated xerial chunk length at offset {ip}");
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(compressed[ip..]);
            ip += 4;
            if (length < 0 || length > compressed.Length - ip)
            {
                CompressionException.Throw($"snappy: xerial chunk length {length} at offset {ip - 4} exceeds the remaining {compressed.Length - ip} bytes");
            }

            Snappy.DecompressAppend(compressed.Slice(ip, length), output);
            ip += length;
        }

        return output.ToArray();
    }
}
