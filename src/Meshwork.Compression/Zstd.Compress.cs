using System.Buffers.Binary;

namespace Meshwork.Compression;

public static partial class Zstd
{
    /// <summary>The level <see cref="Compress(ReadOnlySpan{byte})"/> uses, as in the reference tool.</summary>
    public const int DefaultLevel = 3;

    private const int MinLevel = 1;
    private const int MaxLevel = 22;

    /// <summary>Compresses <paramref name="source"/> at the default level 3 (see <see cref="Compress(ReadOnlySpan{byte}, int)"/>).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> source) => Compress(source, DefaultLevel);

    /// <summary>
    /// Compresses <paramref name="source"/> into one single-segment zstd frame with the content size and a
    /// content checksum.
    /// </summary>
    /// <param name="source">The data to compress.</param>
    /// <param name="level">1..22 as in the reference tool. Higher levels search more match candidates.</param>
    /// <remarks>
    /// Each 128 KiB block is the smallest of: an RLE block, a raw block, or a compressed block of LZ77
    /// sequences coded with the predefined FSE tables and Huffman, RLE or raw literals.
    /// </remarks>
    public static byte[] Compress(ReadOnlySpan<byte> source, int level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        var blocks = Math.Max(1, (source.Length + MaxBlockSize - 1) / MaxBlockSize);
        var bound = 4 + 1 + 8 + ((long)blocks * 3) + source.Length + 4;
        using var output = new OutputBuffer("zstd", (int)Math.Min(bound, Array.MaxLength), Array.MaxLength);
        WriteFrameHeader(output, source.Length);
        using var encoder = new ZstdBlockEncoder(source.Length, level);
        var start = 0;
        do
        {
            var length = Math.Min(MaxBlockSize, source.Length - start);
            encoder.WriteBlock(output, source, start, length, last: start + length >= source.Length);
            start += length;
        }
        while (start < source.Length);

        Span<byte> checksum = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(checksum, (uint)XxHash64.Hash(source));
        output.Write(checksum);
        return output.ToArray();
    }

    private static void WriteFrameHeader(OutputBuffer output, int contentSize)
    {
        // Single segment: the window is the content, so decoders allocate exactly the content size.
        const int SingleSegment = 0x20;
        const int ChecksumFlag = 0x04;
        const int TwoByteSizeOffset = 256;
        Span<byte> header = stackalloc byte[9];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        var length = 5;
        if (contentSize < 256)
        {
            header[4] = SingleSegment | ChecksumFlag;
            header[length++] = (byte)contentSize;
        }
        else if (contentSize < 65536 + TwoByteSizeOffset)
        {
            header[4] = (1 << 6) | SingleSegment | ChecksumFlag;
            BinaryPrimitives.WriteUInt16LittleEndian(header[length..], (ushort)(contentSize - TwoByteSizeOffset));
            length += 2;
        }
        else
        {
            header[4] = (2 << 6) | SingleSegment | ChecksumFlag;
            BinaryPrimitives.WriteUInt32LittleEndian(header[length..], (uint)contentSize);
            length += 4;
        }

        output.Write(header[..length]);
    }
}
