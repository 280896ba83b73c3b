using System.Buffers.Binary;
using System.Numerics;

namespace Meshwork.Compression;

/// <summary>xxHash32 (used by the LZ4 frame format for header, block and content checksums).</summary>
public static class XxHash32
{
    private const uint Prime1 = 2654435761U;
    private const uint Prime2 = 2246822519U;
    private const uint Prime3 = 3266489917U;
    private const uint Prime4 = 668265263U;
    private const uint Prime5 = 374761393U;

    /// <summary>Computes the 32-bit xxHash of <paramref name="data"/>.</summary>
    public static uint Hash(ReadOnlySpan<byte> data, uint seed = 0)
    {
        var p = 0;
        var len = data.Length;
        uint h;
        if (len >= 16)
        {
            var v1 = seed + Prime1 + Prime2;
            var v2 = seed + Prime2;
            var v3 = seed;
            var v4 = seed - Prime1;
            var limit = len - 16;
            while (p <= limit)
            {
                v1 = Round(v1, BinaryPrimitives.ReadUInt32LittleEndian(data[p..]));
                v2 = Round(v2, BinaryPrimitives.ReadUInt32LittleEndian(data[(p + 4)..]));
                v3 = Round(v3, BinaryPrimitives.ReadUInt32LittleEndian(data[(p + 8)..]));
                v4 = Round(v4, BinaryPrimitives.ReadUInt32LittleEndian(data[(p + 12)..]));
                p += 16;
            }

            h = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7)
                + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
        }
        else
        {
            h = seed + Prime5;
        }

        h += (uint)len;
        while (p + 4 <= len)
        {
            h = BitOperations.RotateLeft(h + (BinaryPrimitives.ReadUInt32LittleEndian(data[p..]) * Prime3), 17) * Prime4;
            p += 4;
        }

        while (p < len)
        {
            h = BitOperations.RotateLeft(h + (data[p] * Prime5), 11) * Prime1;
            p++;
        }

        h ^= h >> 15;
        h *= Prime2;
        h ^= h >> 13;
        h *= Prime3;
        h ^= h >> 16;
        return h;
    }

    private static uint Round(uint acc, uint lane) => BitOperations.RotateLeft(acc + (lane * Prime2), 13) * Prime1;
}
