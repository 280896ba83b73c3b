using System.Globalization;
using System.Text;

namespace Meshwork.Lake.Metadata;

/// <summary>The kinds of partition transforms (spec "Partition Transforms").</summary>
public enum TransformKind
{
    /// <summary>The source value, unmodified.</summary>
    Identity,

    /// <summary>Hash of the value modulo N.</summary>
    Bucket,

    /// <summary>Value truncated to width W.</summary>
    Truncate,

    /// <summary>Years since 1970.</summary>
    Year,

    /// <summary>Months since 1970-01.</summary>
    Month,

    /// <summary>Days since 1970-01-01.</summary>
    Day,

    /// <summary>Hours since 1970-01-01 00:00.</summary>
    Hour,

    /// <summary>Always null.</summary>
    Void,
}

/// <summary>A partition transform: identity, bucket[N], truncate[W], year, month, day, hour or void.</summary>
public sealed record Transform(TransformKind Kind, int Parameter = 0)
{
    /// <summary>identity.</summary>
    public static Transform Identity { get; } = new(TransformKind.Identity);

    /// <summary>year.</summary>
    public static Transform Year { get; } = new(TransformKind.Year);

    /// <summary>month.</summary>
    public static Transform Month { get; } = new(TransformKind.Month);

    /// <summary>day.</summary>
    public static Transform Day { get; } = new(TransformKind.Day);

    /// <summary>hour.</summary>
    public static Transform Hour { get; } = new(TransformKind.Hour);

    /// <summary>void.</summary>
    public static Transform Void { get; } = new(TransformKind.Void);

    /// <summary>bucket[N].</summary>
    public static Transform Bucket(int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        return new(TransformKind.Bucket, buckets);
    }

    /// <summary>truncate[W].</summary>
    public static Transform Truncate(int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        return new(TransformKind.Truncate, width);
    }

    /// <summary>Parses the spec's transform string.</summary>
    public static Transform Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text)
        {
            case "identity": return Identity;
            case "year": return Year;
            case "month": return Month;
            case "day": return Day;
            case "hour": return Hour;
            case "void": return Void;
        }

        if (text.StartsWith("bucket[", StringComparison.Ordinal) && text.EndsWith(']') && int.TryParse(text[7..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            return Bucket(n);
        }

        if (text.StartsWith("truncate[", StringComparison.Ordinal) && text.EndsWith(']') && int.TryParse(text[9..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w > 0)
        {
            return Truncate(w);
        }

        throw new IcebergFormatException($"unknown partition transform '{text}' (identity, bucket[N], truncate[W], year, month, day, hour, void)");
    }

    /// <summary>The spec's transform string.</summary>
    public override string ToString() => Kind switch
    {
        TransformKind.Bucket => string.Create(CultureInfo.InvariantCulture, $"bucket[{Parameter}]"),
        TransformKind.Truncate => string.Create(CultureInfo.InvariantCulture, $"truncate[{Parameter}]"),
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The type of the transformed value for a source of <paramref name="source"/>; throws when the transform does not apply.</summary>
    public PrimitiveType ResultType(PrimitiveType source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var ok = Kind switch
        {
            TransformKind.Identity or TransformKind.Void => true,
            TransformKind.Bucket => source.Id is not (TypeId.Boolean or TypeId.Float or TypeId.Double),
            TransformKind.Truncate => source.Id is TypeId.Int or TypeId.Long or TypeId.Decimal or TypeId.String or TypeId.Binary,
            TransformKind.Year or TransformKind.Month or TransformKind.Day => source.Id is TypeId.Date or TypeId.Timestamp or TypeId.TimestampTz,
            TransformKind.Hour => source.Id is TypeId.Timestamp or TypeId.TimestampTz,
            _ => false,
        };
        if (!ok)
        {
            throw new IcebergFormatException($"transform {this} cannot be applied to a {source} column");
        }

        return Kind switch
        {
            TransformKind.Identity or TransformKind.Truncate or TransformKind.Void => source,
            TransformKind.Day => PrimitiveType.Date,
            _ => PrimitiveType.Int,
        };
    }

    /// <summary>Applies the transform; null maps to null.</summary>
    public object? Apply(PrimitiveType source, object? value)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (value is null || Kind == TransformKind.Void)
        {
            return null;
        }

        switch (Kind)
        {
            case TransformKind.Identity:
                return value;
            case TransformKind.Bucket:
                return (BucketHash(source, value) & int.MaxValue) % Parameter;
            case TransformKind.Truncate:
                return TruncateValue(source, value);
            case TransformKind.Day:
                return source.Id == TypeId.Date ? value : Values.Date((int)FloorDiv(Values.Micros(value), MicrosPerDay));
        }

        // year, month, hour: whole units since the epoch, counting down for instants before it.
        if (Kind == TransformKind.Hour)
        {
            return (int)FloorDiv(Values.Micros(value), MicrosPerHour);
        }

        var date = source.Id == TypeId.Date ? (DateOnly)value : Values.Date((int)FloorDiv(Values.Micros(value), MicrosPerDay));
        return Kind == TransformKind.Year ? date.Year - EpochYear : ((date.Year - EpochYear) * MonthsPerYear) + date.Month - 1;
    }

    /// <summary>The hash that bucket[N] reduces (spec Appendix B).</summary>
    public static int BucketHash(PrimitiveType source, object value)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Id switch
        {
            TypeId.Int or TypeId.Long => Murmur3.Hash(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
            TypeId.Date => Murmur3.Hash(Values.Days(value)),
            TypeId.Time => Murmur3.Hash(value is TimeOnly t ? t.Ticks / 10 : (long)value),
            TypeId.Timestamp or TypeId.TimestampTz => Murmur3.Hash(Values.Micros(value)),
            TypeId.String => Murmur3.Hash32(Encoding.UTF8.GetBytes((string)value)),
            _ => Murmur3.Hash32(Values.ToBytes(source, value)),
        };
    }

    private object TruncateValue(PrimitiveType source, object value)
    {
        var w = Parameter;
        switch (source.Id)
        {
            case TypeId.Int:
                var i = (int)value;
                return i - (((i % w) + w) % w);
            case TypeId.Long:
                var l = (long)value;
                return l - (((l % w) + w) % w);
            case TypeId.String:
                var s = (string)value;
                var runes = 0;
                var end = 0;
                foreach (var rune in s.EnumerateRunes())
                {
                    if (runes++ == w)
                    {
                        break;
                    }

                    end += rune.Utf16SequenceLength;
                }

                return s[..end];
            case TypeId.Binary:
                var b = (byte[])value;
                return b.Length <= w ? b : b[..w];
            case TypeId.Decimal:
                var u = Values.Unscaled(value, source.Scale);
                var r = ((u % w) + w) % w;
                return Values.Decimal(u - r, source.Scale, source.Precision);
            default:
                throw new IcebergFormatException($"truncate cannot be applied to {source}");
        }
    }

    private const long MicrosPerHour = 3_600_000_000;
    private const long MicrosPerDay = 86_400_000_000;
    private const int EpochYear = 1970;
    private const int MonthsPerYear = 12;

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}
