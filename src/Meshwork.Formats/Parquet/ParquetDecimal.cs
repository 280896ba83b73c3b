using System.Globalization;

namespace Meshwork.Formats.Parquet;

/// <summary>
/// A decimal with up to 38 digits: the unscaled two's-complement value and the scale. Columns with
/// precision above 28 (which <see cref="decimal"/> cannot hold) read as this type.
/// </summary>
/// <param name="Unscaled">The unscaled value: the number is Unscaled × 10^-Scale.</param>
/// <param name="Scale">Digits after the decimal point.</param>
public readonly record struct ParquetDecimal(Int128 Unscaled, int Scale)
{
    /// <summary>The plain decimal text, e.g. "-12.340".</summary>
    public override string ToString()
    {
        var negative = Unscaled < 0;
        var digits = (negative ? UInt128.CreateTruncating(-Unscaled) : UInt128.CreateTruncating(Unscaled)).ToString(CultureInfo.InvariantCulture);
        if (Scale > 0)
        {
            digits = digits.PadLeft(Scale + 1, '0');
            digits = digits[..^Scale] + "." + digits[^Scale..];
        }

        return negative ? "-" + digits : digits;
    }

    /// <summary>Converts a <see cref="decimal"/> exactly (its own scale is kept).</summary>
    public static ParquetDecimal FromDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
        var scale = (bits[3] >> 16) & 0xFF;
        return new ParquetDecimal(bits[3] < 0 ? -mantissa : mantissa, scale);
    }
}
