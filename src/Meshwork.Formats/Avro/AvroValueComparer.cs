using System.Collections;

namespace Meshwork.Formats.Avro;

/// <summary>
/// Structural equality over the generic data model: records, enums, fixed, byte arrays, lists and dictionaries are
/// compared by content; floating-point values by bits so that NaN equals NaN.
/// </summary>
public sealed class AvroValueComparer : IEqualityComparer<object?>
{
    /// <summary>The shared instance.</summary>
    public static AvroValueComparer Instance { get; } = new();

    private AvroValueComparer()
    {
    }

    /// <inheritdoc />
    public new bool Equals(object? x, object? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null)
        {
            return false;
        }

        switch (x)
        {
            case AvroRecord rx when y is AvroRecord ry:
                if (rx.Schema.FullName != ry.Schema.FullName || rx.Count != ry.Count)
                {
                    return false;
                }

                for (var i = 0; i < rx.Count; i++)
                {
                    if (!Equals(rx[i], ry[i]))
                    {
                        return false;
                    }
                }

                return true;
            case AvroEnum ex:
                return y is AvroEnum ey ? ex.Symbol == ey.Symbol && ex.Schema.FullName == ey.Schema.FullName : y is string sy && ex.Symbol == sy;
            case string sx when y is AvroEnum ey2:
                return sx == ey2.Symbol;
            case AvroFixed fx when y is AvroFixed fy:
                return fx.Equals(fy);
            case float fx when y is float fy:
                return BitConverter.SingleToInt32Bits(fx) == BitConverter.SingleToInt32Bits(fy) || fx == fy;
            case double dx when y is double dy:
                return BitConverter.DoubleToInt64Bits(dx) == BitConverter.DoubleToInt64Bits(dy) || dx == dy;
            case byte[] bx when y is byte[] by:
                return bx.AsSpan().SequenceEqual(by);
            case IDictionary dx when y is IDictionary dy:
                if (dx.Count != dy.Count)
                {
                    return false;
                }

                foreach (DictionaryEntry e in dx)
                {
                    if (!dy.Contains(e.Key) || !Equals(e.Value, dy[e.Key]))
                    {
                        return false;
                    }
                }

                return true;
            case IList lx when y is IList ly:
                if (lx.Count != ly.Count)
                {
                    return false;
                }

                for (var i = 0; i < lx.Count; i++)
                {
                    if (!Equals(lx[i], ly[i]))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return x.Equals(y);
        }
    }

    /// <inheritdoc />
    public int GetHashCode(object? obj) => obj switch
    {
        null => 0,
        AvroRecord r => HashCode.Combine(r.Schema.FullName, r.Count),
        AvroEnum e => e.Symbol.GetHashCode(StringComparison.Ordinal),
        AvroFixed f => f.GetHashCode(),
        byte[] b => b.Length,
        ICollection c => c.Count,
        _ => obj.GetHashCode(),
    };
}
