using System.Security.Cryptography;
using System.Text;

namespace Meshwork.Formats.Avro;

/// <summary>Schema fingerprints over the UTF-8 Parsing Canonical Form.</summary>
public static class AvroFingerprint
{
    /// <summary>The CRC-64-AVRO fingerprint of the empty input, which is also the polynomial seed.</summary>
    public const ulong Crc64Empty = 0xc15d213aa4d7a795UL;

    private static readonly ulong[] Crc64Table = BuildTable();

    /// <summary>CRC-64-AVRO (Rabin) of the schema's canonical form.</summary>
    public static ulong Crc64(AvroSchema schema) => Crc64(Encoding.UTF8.GetBytes(schema.ToCanonicalForm()));

    /// <summary>CRC-64-AVRO (Rabin) of arbitrary bytes.</summary>
    public static ulong Crc64(ReadOnlySpan<byte> data)
    {
        var fp = Crc64Empty;
        foreach (var b in data)
        {
            fp = (fp >> 8) ^ Crc64Table[(int)((fp ^ b) & 0xff)];
        }

        return fp;
    }

    /// <summary>MD5 of the schema's canonical form (16 bytes).</summary>
    public static byte[] Md5(AvroSchema schema) => MD5.HashData(Encoding.UTF8.GetBytes(schema.ToCanonicalForm()));

    /// <summary>SHA-256 of the schema's canonical form (32 bytes).</summary>
    public static byte[] Sha256(AvroSchema schema) => SHA256.HashData(Encoding.UTF8.GetBytes(schema.ToCanonicalForm()));

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (var i = 0; i < table.Length; i++)
        {
            var fp = (ulong)i;
            for (var j = 0; j < 8; j++)
            {
                fp = (fp >> 1) ^ (Crc64Empty & (0UL - (fp & 1)));
            }

            table[i] = fp;
        }

        return table;
    }
}
