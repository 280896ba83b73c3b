using System.Buffers.Binary;
using Meshwork.Compression;

namespace Meshwork.Formats.Avro;

/// <summary>
/// The Avro <c>snappy</c> codec: each block is a raw Snappy block followed by the big-endian CRC32 (IEEE) of the
/// uncompressed data. Built into every <see cref="AvroCodecRegistry"/>; the constructor taking functions lets a
/// test substitute another Snappy implementation.
/// </summary>
public sealed class SnappyAvroCodec : IAvroCodec
{
    private const int ChecksumSize = 4;

    private readonly Func<ReadOnlySpan<byte>, byte[]> _compress;
    private readonly Func<ReadOnlySpan<byte>, byte[]> _decompress;

    /// <summary>The codec over Meshwork's own Snappy implementation.</summary>
    public SnappyAvroCodec()
        : this(Snappy.Compress, Snappy.Decompress)
    {
    }

    /// <summary>Wraps raw Snappy block compression and decompression.</summary>
    public SnappyAvroCodec(Func<ReadOnlySpan<byte>, byte[]> compress, Func<ReadOnlySpan<byte>, byte[]> decompress)
    {
        ArgumentNullException.ThrowIfNull(compress);
        ArgumentNullException.ThrowIfNull(decompress);
        _compress = compress;
        _decompress = decompress;
    }

    /// <inheritdoc />
    public string Name => "snappy";

    /// <inheritdoc />
    public byte[] Compress(ReadOnlySpan<byte> data)
    {
        var compressed = _compress(data);
        var result = new byte[compressed.Length + ChecksumSize];
        compressed.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(compressed.Length), Checksums.Crc32(data));
        return result;
    }

    /// <inheritdoc />
    public byte[] Decompress(ReadOnlySpan<byte> data)
    {
        if (data.Length < ChecksumSize)
        {
            throw new AvroDataException($"snappy block of {data.Length} bytes is too short to hold its CRC32");
        }

        byte[] uncompressed;
        try
        {
            uncompressed = _decompress(data[..^ChecksumSize]);
        }
        catch (Exception e) when (e is not AvroDataException and not OutOfMemoryException)
        {
            // Whatever the Snappy implementation throws for corrupt input, callers see one data exception type.
            throw new AvroDataException($"snappy block is corrupt: {e.Message}", e);
        }

        var expected = BinaryPrimitives.ReadUInt32BigEndian(data[^ChecksumSize..]);
        var actual = Checksums.Crc32(uncompressed);
        return actual == expected
            ? uncompressed
            : throw new AvroDataException($"snappy block CRC32 mismatch: expected {expected:x8}, computed {actual:x8}");
    }
}
