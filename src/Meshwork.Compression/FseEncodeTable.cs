using System.Numerics;

namespace Meshwork.Compression;

/// <summary>FSE encoding table for a fixed distribution (the mirror of <see cref="FseTable"/>).</summary>
internal sealed class FseEncodeTable
{
    private readonly ushort[] _stateTable;
    private readonly int[] _deltaNbBits;
    private readonly int[] _deltaFindState;
    private readonly int _log;

    public FseEncodeTable(short[] counts, int log)
    {
        _log = log;
        var size = 1 << log;
        var symbols = new byte[size];
        var high = size - 1;
        for (var s = 0; s < counts.Length; s++)
        {
            if (counts[s] == -1)
            {
                symbols[high--] = (byte)s;
            }
        }

        var step = (size >> 1) + (size >> 3) + 3;
        var pos = 0;
        for (var s = 0; s < counts.Length; s++)
        {
            for (var i = 0; i < counts[s]; i++)
            {
                symbols[pos] = (byte)s;
                do
                {
                    pos = (pos + step) & (size - 1);
                }
                while (pos > high);
            }
        }

        var cumulative = new int[counts.Length + 1];
        for (var s = 0; s < counts.Length; s++)
        {
            cumulative[s + 1] = cumulative[s] + (counts[s] == -1 ? 1 : counts[s]);
        }

        _stateTable = new ushort[size];
        var next = (int[])cumulative.Clone();
        for (var u = 0; u < size; u++)
        {
            _stateTable[next[symbols[u]]++] = (ushort)(size + u);
        }

        _deltaNbBits = new int[counts.Length];
        _deltaFindState = new int[counts.Length];
        var total = 0;
        for (var s = 0; s < counts.Length; s++)
        {
            int count = counts[s];
            if (count == -1 || count == 1)
            {
                _deltaNbBits[s] = (log << 16) - size;
                _deltaFindState[s] = total - 1;
                total++;
            }
            else if (count > 1)
            {
                var maxBitsOut = log - (31 - BitOperations.LeadingZeroCount((uint)(count - 1)));
                var minStatePlus = count << maxBitsOut;
                _deltaNbBits[s] = (maxBitsOut << 16) - minStatePlus;
                _deltaFindState[s] = total - count;
                total += count;
            }
        }
    }

    public int InitState(int symbol)
    {
        var nbBitsOut = (_deltaNbBits[symbol] + (1 << 15)) >> 16;
        var value = (nbBitsOut << 16) - _deltaNbBits[symbol];
        return _stateTable[(value >> nbBitsOut) + _deltaFindState[symbol]];
    }

    public void Encode(ref ForwardBitWriter writer, ref int state, int symbol)
    {
        var nbBitsOut = (state + _deltaNbBits[symbol]) >> 16;
        writer.Add((uint)state, nbBitsOut);
        state = _stateTable[(state >> nbBitsOut) + _deltaFindState[symbol]];
    }

    public void Flush(ref ForwardBitWriter writer, int state) => writer.Add((uint)state, _log);
}
