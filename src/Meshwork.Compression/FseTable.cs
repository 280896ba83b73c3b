using System.Numerics;

namespace Meshwork.Compression;

/// <summary>One FSE decoding state: the symbol it emits and how to reach the next state.</summary>
internal struct FseEntry
{
    public byte Symbol;
    public byte NbBits;
    public ushort BaseState;
}

/// <summary>An FSE decoding table (RFC 8878 §4.1).</summary>
internal sealed class FseTable
{
    public FseTable(int maxLog) => Entries = new FseEntry[1 << maxLog];

    public FseEntry[] Entries { get; }

    public int AccuracyLog { get; private set; }

    public void SetRle(byte symbol)
    {
        AccuracyLog = 0;
        Entries[0] = new FseEntry { Symbol = symbol, NbBits = 0, BaseState = 0 };
    }

    /// <summary>Reads an FSE table description (§4.1.1) and builds the table; returns the bytes consumed.</summary>
    public int ReadDescription(ReadOnlySpan<byte> src, int maxSymbol, int maxLog, string name)
    {
        Span<short> counts = stackalloc short[256];
        var bitPos = 0L;
        var totalBits = src.Length * 8L;

        if (src.IsEmpty)
        {
            CompressionException.Throw($"zstd: missing FSE table description for {name}");
        }

        var log = (int)PeekBits(src, 0, 4) + 5;
        bitPos = 4;
        if (log > maxLog)
        {
            CompressionException.Throw($"zstd: FSE table log {log} exceeds maximum {maxLog} for {name}");
        }

        var remaining = (1 << log) + 1;
        var threshold = 1 << log;
        var nbBits = log + 1;
        var symbol = 0;
        var previousZero = false;
        while (remaining > 1 && symbol <= maxSymbol)
        {
            if (previousZero)
            {
                while (true)
                {
                    var repeat = (int)PeekBits(src, bitPos, 2);
                    bitPos += 2;
                    symbol += repeat;
                    if (bitPos > totalBits)
                    {
                        CompressionException.Throw($"zstd: truncated FSE table description for {name}");
                    }

                    if (repeat != 3)
                    {
                        break;
                    }
                }

                if (symbol > maxSymbol)
                {
                    break;
                }
            }

            var max = (2 * threshold) - 1 - remaining;
            int count;
            var low = (int)PeekBits(src, bitPos, nbBits - 1);
            if (low < max)
            {
                count = low;
                bitPos += nbBits - 1;
            }
            else
            {
                count = (int)PeekBits(src, bitPos, nbBits);
                if (count >= threshold)
                {
                    count -= max;
                }

                bitPos += nbBits;
            }

            if (bitPos > totalBits)
            {
                CompressionException.Throw($"zstd: truncated FSE table description for {name}");
            }

            count--;
            remaining -= count < 0 ? -count : count;
            counts[symbol++] = (short)count;
            previousZero = count == 0;
            while (remaining < threshold && threshold > 1)
            {
                nbBits--;
                threshold >>= 1;
            }
        }

        if (remaining != 1 || symbol > maxSymbol + 1)
        {
            CompressionException.Throw($"zstd: FSE table description for {name} does not sum to its table size");
        }

        Build(counts[..symbol], log, name);
        return (int)((bitPos + 7) >> 3);
    }

    private static uint PeekBits(ReadOnlySpan<byte> src, long pos, int n)
    {
        ulong v = 0;
        var first = (int)(pos >> 3);
        for (var i = 0; i < 4 && first + i < src.Length; i++)
        {
            v |= (ulong)src[first + i] << (8 * i);
        }

        return (uint)((v >> (int)(pos & 7)) & ((1UL << n) - 1));
    }

    /// <summary>Spreads normalized counts over the table (§4.1.1, "decoding table construction").</summary>
    public void Build(ReadOnlySpan<short> counts, int log, string name)
    {
        var size = 1 << log;
        var high = size - 1;
        Span<ushort> next = stackalloc ushort[counts.Length];
        var entries = Entries;
        for (var s = 0; s < counts.Length; s++)
        {
            if (counts[s] == -1)
            {
                if (high < 0)
                {
                    CompressionException.Throw($"zstd: FSE table for {name} has too many low-probability symbols");
                }

                entries[high--].Symbol = (byte)s;
                next[s] = 1;
            }
            else
            {
                next[s] = (ushort)Math.Max((short)0, counts[s]);
            }
        }

        var step = (size >> 1) + (size >> 3) + 3;
        var mask = size - 1;
        var pos = 0;
        for (var s = 0; s < counts.Length; s++)
        {
            for (var i = 0; i < counts[s]; i++)
            {
                entries[pos].Symbol = (byte)s;
                do
                {
                    pos = (pos + step) & mask;
                }
                while (pos > high);
            }
        }

        if (pos != 0)
        {
            CompressionException.Throw($"zstd: FSE table for {name} is inconsistent");
        }

        for (var u = 0; u < size; u++)
        {
            var s = entries[u].Symbol;
            if (s >= counts.Length)
            {
                CompressionException.Throw($"zstd: FSE table for {name} is inconsistent");
            }

            int x = next[s]++;
            if (x == 0)
            {
                CompressionException.Throw($"zstd: FSE table for {name} is inconsistent");
            }

            var nb = log - (31 - BitOperations.LeadingZeroCount((uint)x));
            entries[u].NbBits = (byte)nb;
            entries[u].BaseState = (ushort)((x << nb) - size);
        }

        AccuracyLog = log;
    }
}
