namespace Meshwork.Compression;

/// <summary>
/// The checksums compressed formats carry: CRC-32 (gzip trailers, Avro's snappy blocks) and Adler-32 (zlib).
/// </summary>
public static class Checksums
{
    private static readonly uint[] _crcTable = BuildCrcTable();

    /// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320).</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFU;
        var table = _crcTable;
        foreach (var b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    public static uint Adler32(ReadOnlySpan<byte> data)
    {
        const uint Modulus = 65521;
        // 5552 is the largest run that cannot overflow 32 bits before the modulo.
        const int MaxRun = 5552;
        uint a = 1;
        uint b = 0;
        while (!data.IsEmpty)
        {
            var run = data[..Math.Min(MaxRun, data.Length)];
            foreach (var x in run)
            {
                a += x;
                b += a;
            }

            a %= Modulus;
            b %= Modulus;
            data = data[run.Length..];
        }

        return (b << 16) | a;
    }

    private static uint[] BuildCrcTable()
    {
        const uint Polynomial = 0xEDB88320;
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
