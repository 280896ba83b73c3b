using System.Globalization;
using System.Text.Json;

namespace Meshwork.Formats.JsonSchema;

/// <summary>
/// JSON value semantics the keywords need: numeric comparison independent of spelling (1, 1.0 and 1e0 are equal),
/// structural equality for enum, const and uniqueItems, and Unicode code-point lengths.
/// </summary>
internal static class JsonValues
{
    /// <summary>Compares two JSON numbers; exact (decimal) when both fit, otherwise as doubles.</summary>
    public static int Compare(JsonElement a, JsonElement b)
    {
        if (a.TryGetDecimal(out var x) && b.TryGetDecimal(out var y))
        {
            return x.CompareTo(y);
        }

        return a.GetDouble().CompareTo(b.GetDouble());
    }

    public static int Sign(JsonElement a) => a.TryGetDecimal(out var x) ? Math.Sign(x) : Math.Sign(a.GetDouble());

    /// <summary>Draft-06 and later: a number with a zero fractional part (1.0) is an integer.</summary>
    public static bool IsInteger(JsonElement value)
    {
        if (value.TryGetDecimal(out var d))
        {
            return decimal.Truncate(d) == d;
        }

        var real = value.GetDouble();
        return double.IsFinite(real) && Math.Floor(real) == real;
    }

    public static bool IsMultipleOf(JsonElement value, JsonElement divisor)
    {
        if (value.TryGetDecimal(out var x) && divisor.TryGetDecimal(out var y))
        {
            try
            {
                return x % y == 0;
            }
            catch (OverflowException)
            {
                // Fall through to the floating-point check for quotients beyond decimal's range.
            }
        }

        var quotient = value.GetDouble() / divisor.GetDouble();
        return double.IsFinite(quotient) ? Math.Floor(quotient) == quotient : false;
    }

    /// <summary>The length of a string in Unicode code points, as draft-07 counts it (a surrogate pair is one).</summary>
    public static int CodePointLength(string text)
    {
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!(char.IsLowSurrogate(text[i]) && i > 0 && char.IsHighSurrogate(text[i - 1])))
            {
                length++;
            }
        }

        return length;
    }

    /// <summary>JSON equality: numbers by value, objects regardless of key order, arrays element-wise.</summary>
    public static bool Equal(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Number:
                return Compare(a, b) == 0;
            case JsonValueKind.String:
                return a.GetString() == b.GetString();
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }

                using (var left = a.EnumerateArray())
                using (var right = b.EnumerateArray())
                {
                    while (left.MoveNext() && right.MoveNext())
                    {
                        if (!Equal(left.Current, right.Current))
                        {
                            return false;
                        }
                    }
                }

                return true;
            case JsonValueKind.Object:
                var count = 0;
                foreach (var property in a.EnumerateObject())
                {
                    count++;
                    if (!b.TryGetProperty(property.Name, out var other) || !Equal(property.Value, other))
                    {
                        return false;
                    }
                }

                return count == b.EnumerateObject().Count();
            default:
                return true;
        }
    }

    /// <summary>A hash consistent with <see cref="Equal"/> so uniqueItems runs in linear time.</summary>
    public static int Hash(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return value.TryGetDecimal(out var d) ? d.GetHashCode() : value.GetDouble().GetHashCode();
            case JsonValueKind.String:
                return StringComparer.Ordinal.GetHashCode(value.GetString()!);
            case JsonValueKind.Array:
                var hash = 17;
                foreach (var item in value.EnumerateArray())
                {
                    hash = (hash * 31) + Hash(item);
                }

                return hash;
            case JsonValueKind.Object:
                var sum = 0;
                foreach (var property in value.EnumerateObject())
                {
                    // Order-independent: objects equal regardless of key order must hash alike.
                    sum += HashCode.Combine(StringComparer.Ordinal.GetHashCode(property.Name), Hash(property.Value));
                }

                return sum;
            default:
                return (int)value.ValueKind;
        }
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
