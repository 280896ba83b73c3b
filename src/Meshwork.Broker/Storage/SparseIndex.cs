namespace Meshwork.Broker.Storage;

/// <summary>
/// An append-only list of (key, value) pairs with non-decreasing keys, readable without locks while the single
/// writer (who holds the partition lock) appends: each append publishes a new immutable view, and a view never
/// exposes slots beyond its count.
/// </summary>
internal sealed class SparseIndex
{
    private long[] _keys = new long[16];
    private long[] _values = new long[16];
    private volatile View _view = new([], [], 0);

    /// <summary>The current entries.</summary>
    public View Current => _view;

    /// <summary>Appends an entry.</summary>
    public void Add(long key, long value)
    {
        var count = _view.Count;
        if (count == _keys.Length)
        {
            // Grow into fresh arrays: older views keep reading the old ones.
            Array.Resize(ref _keys, count * 2);
            Array.Resize(ref _values, count * 2);
        }

        _keys[count] = key;
        _values[count] = value;
        _view = new View(_keys, _values, count + 1);
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        _keys = new long[16];
        _values = new long[16];
        _view = new View([], [], 0);
    }

    /// <summary>An immutable snapshot of the entries.</summary>
    internal sealed record View(long[] Keys, long[] Values, int Count)
    {
        /// <summary>Index of the last entry whose key is ≤ <paramref name="key"/>, or -1.</summary>
        public int Floor(long key)
        {
            int lo = 0, hi = Count - 1, found = -1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                if (Keys[mid] <= key)
                {
                    found = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return found;
        }

        /// <summary>Index of the last entry whose key is &lt; <paramref name="key"/>, or -1.</summary>
        public int Lower(long key) => key == long.MinValue ? -1 : Floor(key - 1);
    }
}
