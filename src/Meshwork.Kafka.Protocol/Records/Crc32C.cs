using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Meshwork.Kafka.Protocol.Records;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of record batches v2. Uses the SSE4.2 / ARMv8 CRC instructions through
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> eight bytes at a time when the CPU has them, and a lookup
/// table otherwise.
/// </summary>
public static class Crc32C
{
    /// <summary>Reflected Castagnoli polynomial.</summary>
    private const uint ReflectedPolynomial = 0x82F63B78u;

    private const uint InitialValue = 0xFFFFFFFFu;
    private const int TableSize = 256;

    private static readonly uint[] Table = BuildTable();

    /// <summary>True when the hardware instructions are used.</summary>
    public static bool IsHardwareAccelerated { get; } = Sse42.X64.IsSupported || Crc32.Arm64.IsSupported;

    /// <summary>Computes the CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC-32C computed over preceding data (pass 0 to start).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) =>
        ~(IsHardwareAccelerated ? UpdateHardware(~crc, data) : UpdateTable(~crc, data));

    /// <summary>Computes the CRC-32C with the table path regardless of the CPU (tests compare both paths).</summary>
    internal static uint ComputeWithTable(ReadOnlySpan<byte> data) => ~UpdateTable(InitialValue, data);

    private static uint UpdateHardware(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            // The CRC instruction consumes bytes in memory order, i.e. a little-endian load.
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    private static uint UpdateTable(uint crc, ReadOnlySpan<byte> data)
    {
        var table = Table;
        foreach (var b in data)
        {
            crc = table[(byte)(crc ^ b)] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[TableSize];
        for (uint i = 0; i < TableSize; i++)
        {
            var value = i;
            for (var bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? (value >> 1) ^ ReflectedPolynomial : value >> 1;
            }

            table[i] = value;
        }

        return table;
    }
}
