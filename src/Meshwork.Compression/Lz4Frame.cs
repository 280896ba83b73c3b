using System.Buffers;
using System.Buffers.Binary;

namespace Meshwork.Compression;

/// <summary>
/// The LZ4 frame format (v1.6.x): magic 0x184D2204, frame descriptor with header checksum,
/// data blocks, end mark and optional content checksum. Kafka codec 3.
/// </summary>
public static class Lz4Frame
{
    /// <summary>The LZ4 frame magic number (little-endian on the wire).</summary>
    public const uint Magic = 0x184D2204;

    private const uint SkippableMagicMask = 0xFFFFFFF0;
    private const uint SkippableMagic = 0x184D2A50;
    private const int FlagVersionMask = 0xC0;
    private const int FlagVersion = 0x40;
    private const int FlagBlockIndependence = 0x20;
    private const int FlagBlockChecksum = 0x10;
    private const int FlagContentSize = 0x08;
    private const int FlagContentChecksum = 0x04;
    private const int FlagReserved = 0x02;
    private const int FlagDictionaryId = 0x01;
    private const uint UncompressedBit = 0x80000000;
    private const int CompressBlockSize = 64 * 1024;
    private const byte BlockDescriptor64K = 0x40;

    /// <summary>
    /// Compresses <paramref name="source"/> into one frame laid out as Kafka's clients write it: independent
    /// 64 KiB blocks, no content size and no content checksum (the record batch CRC-32C already covers the data).
    /// </summary>
    public static byte[] Compress(ReadOnlySpan<byte> source)
    {
        var blocks = (source.Length + CompressBlockSize - 1) / CompressBlockSize;
        var bound = 7L + ((long)blocks * (4 + Lz4Block.MaxCompressedLength(CompressBlockSize))) + 8;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(bound, Array.MaxLength));
        var scratch = ArrayPool<byte>.Shared.Rent(Lz4Block.MaxCompressedLength(CompressBlockSize));
        try
        {
            var span = buffer.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
            span[4] = FlagVersion | FlagBlockIndependence;
            span[5] = BlockDescriptor64K;
            span[6] = HeaderChecksum(span[4..6]);
            var op = 7;
            for (var start = 0; start < source.Length; start += CompressBlockSize)
            {
                var block = source.Slice(start, Math.Min(CompressBlockSize, source.Length - start));
                var n = Lz4Block.Compress(block, scratch);
                if (n < block.Length)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(span[op..], (uint)n);
                    scratch.AsSpan(0, n).CopyTo(span[(op + 4)..]);
                    op += 4 + n;
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(span[op..], (uint)block.Length | UncompressedBit);
                    block.CopyTo(span[(op + 4)..]);
                    op += 4 + block.Length;
                }
            }

            BinaryPrimitives.WriteUInt32LittleEndian(span[op..], 0);
            op += 4;
            return span[..op].ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>As <see cref="Decompress(ReadOnlySpan{byte}, int)"/> with the default output limit (<see cref="CompressionLimits.DefaultMaxOutputLength"/>).</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed) => Decompress(compressed, CompressionLimits.DefaultMaxOutputLength);

    /// <summary>Decompresses one or more concatenated LZ4 frames (skippable frames are skipped).</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> compressed, int maxOutputLength)
    {
        CompressionLimits.CheckMax(maxOutputLength);
        if (compressed.Length < 4)
        {
            CompressionException.Throw($"lz4: input of {compressed.Length} bytes is too short for a frame");
        }

        using var output = new OutputBuffer("lz4", compressed.Length * 3L, maxOutputLength);
        var ip = 0;
        while (ip < compressed.Length)
        {
            ip = DecodeFrame(compressed, ip, output);
        }

        return output.ToArray();
    }

    private static byte HeaderChecksum(ReadOnlySpan<byte> descriptor) => (byte)(XxHash32.Hash(descriptor) >> 8);

    private static int DecodeFrame(ReadOnlySpan<byte> src, int ip, OutputBuffer output)
    {
        if (src.Length - ip < 4)
        {
            CompressionException.Throw($"lz4: truncated frame magic at offset {ip}");
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
        if ((magic & SkippableMagicMask) == SkippableMagic)
        {
            if (src.Length - ip < 8)
            {
                CompressionException.Throw("lz4: truncated skippable frame header");
            }

            var size = BinaryPrimitives.ReadUInt32LittleEndian(src[(ip + 4)..]);
            if (size > (uint)(src.Length - ip - 8))
            {
                CompressionException.Throw($"lz4: skippable frame size {size} exceeds the remaining input");
            }

            return ip + 8 + (int)size;
        }

        if (magic != Magic)
        {
            CompressionException.Throw($"lz4: bad frame magic 0x{magic:X8} at offset {ip} (expected 0x{Magic:X8})");
        }

        var frameStart = ip;
        ip += 4;
        if (src.Length - ip < 3)
        {
            CompressionException.Throw("lz4: truncated frame descriptor");
        }

        int flg = src[ip];
        int bd = src[ip + 1];
        if ((flg & FlagVersionMask) != FlagVersion)
        {
            CompressionException.Throw($"lz4: unsupported frame version {(flg >> 6) & 3} (expected 1)");
        }

        if ((flg & FlagReserved) != 0 || (bd & 0x8F) != 0)
        {
            CompressionException.Throw("lz4: reserved bits set in the frame descriptor");
        }

        var blockSizeId = (bd >> 4) & 7;
        if (blockSizeId < 4)
        {
            CompressionException.Throw($"lz4: invalid block maximum size id {blockSizeId}");
        }

        var maxBlockSize = 1 << ((2 * blockSizeId) + 8);
        var descriptorLength = 2 + ((flg & FlagContentSize) != 0 ? 8 : 0) + ((flg & FlagDictionaryId) != 0 ? 4 : 0);
        if (src.Length - ip < descriptorLength + 1)
        {
            CompressionException.Throw("lz4: truncated frame descriptor");
        }

        var descriptor = src.Slice(ip, descriptorLength);
        var hc = src[ip + descriptorLength];
        // Kafka clients before message format v2 hashed the magic too; accepting that costs one hash.
        if (hc != HeaderChecksum(descriptor) && hc != HeaderChecksum(src.Slice(frameStart, 4 + descriptorLength)))
        {
            CompressionException.Throw("lz4: frame header checksum mismatch");
        }

        long contentSize = -1;
        if ((flg & FlagContentSize) != 0)
        {
            contentSize = (long)BinaryPrimitives.ReadUInt64LittleEndian(src[(ip + 2)..]);
            if (contentSize < 0 || contentSize > int.MaxValue || output.Length + contentSize > int.MaxValue)
            {
                CompressionException.Throw($"lz4: content size {contentSize} is too large");
            }

            // Reserve up front: fails fast when the declared size is beyond the caller's limit.
            output.Reserve(contentSize);
        }

        if ((flg & FlagDictionaryId) != 0)
        {
            CompressionException.Throw("lz4: frames that need a dictionary are not supported");
        }

        ip += descriptorLength + 1;
        var independent = (flg & FlagBlockIndependence) != 0;
        var blockChecksum = (flg & FlagBlockChecksum) != 0;
        var contentStart = output.Length;
        while (true)
        {
            if (src.Length - ip < 4)
            {
                CompressionException.Throw("lz4: truncated block size (missing end mark?)");
            }

            var blockHeader = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
            ip += 4;
            if (blockHeader == 0)
            {
                break;
            }

            var size = blockHeader & ~UncompressedBit;
            if (size > maxBlockSize)
            {
                CompressionException.Throw($"lz4: block size {size} exceeds the frame's maximum {maxBlockSize}");
            }

            var needed = (long)size + (blockChecksum ? 4 : 0);
            if (needed > src.Length - ip)
            {
                CompressionException.Throw($"lz4: block of {size} bytes runs past the end of the input");
            }

            var block = src.Slice(ip, (int)size);
            if (blockChecksum && BinaryPrimitives.ReadUInt32LittleEndian(src[(ip + (int)size)..]) != XxHash32.Hash(block))
            {
                CompressionException.Throw("lz4: block checksum mismatch");
            }

            if ((blockHeader & UncompressedBit) != 0)
            {
                output.Write(block);
            }
            else
            {
                var windowStart = independent ? output.Length : Math.Max(contentStart, output.Length - (64 * 1024));
                Lz4Block.Decompress(block, output, windowStart, maxBlockSize);
            }

            ip += (int)needed;
        }

        if (contentSize >= 0 && output.Length - contentStart != contentSize)
        {
            CompressionException.Throw($"lz4: frame decoded to {output.Length - contentStart} bytes but declared {contentSize}");
        }

        if ((flg & FlagContentChecksum) != 0)
        {
            if (src.Length - ip < 4)
            {
                CompressionException.Throw("lz4: truncated content checksum");
            }

            var expected = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
            if (expected != XxHash32.Hash(output.Buffer.AsSpan(contentStart, output.Length - contentStart)))
            {
                CompressionException.Throw("lz4: content checksum mismatch");
            }

            ip += 4;
        }

        return ip;
    }
}
