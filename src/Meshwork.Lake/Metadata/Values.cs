using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using Meshwork.Formats.Parquet;

namespace Meshwork.Lake.Metadata;

/// <summary>
/// The row value model shared by the writer and the reader, and Iceberg's binary single-value serialization
/// (spec Appendix D) used for column bounds and partition summaries.
/// </summary>
/// <remarks>
/// boolean → bool; int → int; long → long; float → float; double → double; decimal → decimal (or
/// <see cref="ParquetDecimal"/> past 28 digits); date → DateOnly; time → TimeOnly; timestamp → DateTime;
/// timestamptz → DateTimeOffset; string → string; uuid → Guid; fixed and binary → byte[]; struct → object?[];
/// list → List&lt;object?&gt;; map → List&lt;KeyValuePair&lt;object?, object?&gt;&gt;.
/// </remarks>
public static class Values
{
    private const long UnixEpochTicks = 621355968000000000;
    private const long TicksPerMicro = 10;

    /// <summary>Converts a value the caller supplied into the model's type for <paramref name="type"/> (int to long, etc.).</summary>
    public static object? Coerce(PrimitiveType type, object? value) => (type.Id, value) switch
    {
        (_, null) => null,
        (TypeId.Long, int i) => (long)i,
        (TypeId.Double, float f) => (double)f,
        (TypeId.Double, int i) => (double)i,
        (TypeId.Double, long l) => (double)l,
        (TypeId.TimestampTz, DateTime d) => new DateTimeOffset(d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : d.ToUniversalTime()),
        (TypeId.Timestamp, DateTimeOffset d) => d.UtcDateTime,
        (TypeId.Date, DateTime d) => DateOnly.FromDateTime(d),
        (TypeId.Uuid, string s) => Guid.Parse(s),
        (TypeId.Decimal, int i) => (decimal)i,
        (TypeId.Decimal, long l) => (decimal)l,
        (TypeId.Decimal, double d) => (decimal)d,
        _ => value,
    };

    /// <summary>Microseconds since the epoch of a timestamp value (DateTime as wall clock, DateTimeOffset as UTC).</summary>
    public static long Micros(object value) => value switch
    {
        DateTimeOffset d => (d.UtcTicks - UnixEpochTicks) / TicksPerMicro,
        DateTime d => (d.Ticks - UnixEpochTicks) / TicksPerMicro,
        long l => l,
        _ => throw new ArgumentException($"not a timestamp: {value.GetType().Name}"),
    };

    /// <summary>Days since 1970-01-01 of a date value.</summary>
    public static int Days(object value) => value switch
    {
        DateOnly d => d.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber,
        int i => i,
        _ => throw new ArgumentException($"not a date: {value.GetType().Name}"),
    };

    /// <summary>The date <paramref name="days"/> after 1970-01-01.</summary>
    public static DateOnly Date(int days) => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + days);

    /// <summary>The timestamp <paramref name="micros"/> after the epoch.</summary>
    public static DateTimeOffset TimestampTz(long micros) => new((micros * TicksPerMicro) + UnixEpochTicks, TimeSpan.Zero);

    /// <summary>The wall-clock timestamp <paramref name="micros"/> after the epoch.</summary>
    public static DateTime Timestamp(long micros) => new((micros * TicksPerMicro) + UnixEpochTicks, DateTimeKind.Unspecified);

    /// <summary>Unscaled value of a decimal at <paramref name="scale"/>.</summary>
    public static BigInteger Unscaled(object value, int scale)
    {
        var (unscaled, valueScale) = value switch
        {
            decimal m => (ParquetDecimal.FromDecimal(m).Unscaled, ParquetDecimal.FromDecimal(m).Scale),
            ParquetDecimal p => (p.Unscaled, p.Scale),
            _ => throw new ArgumentException($"not a decimal: {value.GetType().Name}"),
        };
        var big = (BigInteger)unscaled;
        for (var s = valueScale; s < scale; s++)
        {
            big *= 10;
        }

        for (var s = valueScale; s > scale; s--)
        {
            big /= 10;
        }

        return big;
    }

    /// <summary>The decimal with <paramref name="unscaled"/> at <paramref name="scale"/>, as decimal when it fits.</summary>
    public static object Decimal(BigInteger unscaled, int scale, int precision)
    {
        if (precision <= 28)
        {
            var abs = BigInteger.Abs(unscaled);
            var bytes = abs.ToByteArray(isUnsigned: true, isBigEndian: false);
            Span<byte> padded = stackalloc byte[12];
            bytes.AsSpan(0, Math.Min(12, bytes.Length)).CopyTo(padded);
            return new decimal(BinaryPrimitives.ReadInt32LittleEndian(padded), BinaryPrimitives.ReadInt32LittleEndian(padded[4..]),
                BinaryPrimitives.ReadInt32LittleEndian(padded[8..]), unscaled.Sign < 0, (byte)scale);
        }

        return new ParquetDecimal((Int128)unscaled, scale);
    }

    /// <summary>Iceberg's single-value binary serialization of a primitive value.</summary>
    public static byte[] ToBytes(PrimitiveType type, object value)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(value);
        var b = new byte[type.Id switch
        {
            TypeId.Boolean => 1,
            TypeId.Int or TypeId.Date or TypeId.Float => 4,
            TypeId.Long or TypeId.Time or TypeId.Timestamp or TypeId.TimestampTz or TypeId.Double => 8,
            TypeId.Uuid => 16,
            _ => 0,
        }];
        switch (type.Id)
        {
            case TypeId.Boolean:
                b[0] = (bool)value ? (byte)1 : (byte)0;
                return b;
            case TypeId.Int:
                BinaryPrimitives.WriteInt32LittleEndian(b, Convert.ToInt32(value, CultureInfo.InvariantCulture));
                return b;
            case TypeId.Date:
                BinaryPrimitives.WriteInt32LittleEndian(b, Days(value));
                return b;
            case TypeId.Float:
                BinaryPrimitives.WriteSingleLittleEndian(b, (float)value);
                return b;
            case TypeId.Long:
                BinaryPrimitives.WriteInt64LittleEndian(b, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                return b;
            case TypeId.Time:
                BinaryPrimitives.WriteInt64LittleEndian(b, value is TimeOnly t ? t.Ticks / TicksPerMicro : (long)value);
                return b;
            case TypeId.Timestamp or TypeId.TimestampTz:
                BinaryPrimitives.WriteInt64LittleEndian(b, Micros(value));
                return b;
            case TypeId.Double:
                BinaryPrimitives.WriteDoubleLittleEndian(b, (double)value);
                return b;
            case TypeId.Uuid:
                ((Guid)value).TryWriteBytes(b, bigEndian: true, out _);
                return b;
            case TypeId.String:
                return Encoding.UTF8.GetBytes((string)value);
            case TypeId.Fixed or TypeId.Binary:
                return (byte[])((byte[])value).Clone();
            case TypeId.Decimal:
                // Minimal big-endian two's complement of the unscaled value.
                return Unscaled(value, type.Scale).ToByteArray(isUnsigned: false, isBigEndian: true);
            default:
                throw new ArgumentException(type.ToString());
        }
    }

    /// <summary>Reads Iceberg's single-value binary serialization.</summary>
    public static object FromBytes(PrimitiveType type, ReadOnlySpan<byte> b)
    {
        ArgumentNullException.ThrowIfNull(type);
        var width = type.Id switch
        {
            TypeId.Boolean => 1,
            TypeId.Int or TypeId.Date or TypeId.Float => 4,
            TypeId.Long or TypeId.Time or TypeId.Timestamp or TypeId.TimestampTz or TypeId.Double => 8,
            TypeId.Uuid => 16,
            TypeId.Fixed => type.Length,
            _ => -1,
        };
        if (width >= 0 && b.Length != width)
        {
            throw new IcebergFormatException($"a {type} value serializes to {width} bytes, not {b.Length}");
        }

        return type.Id switch
        {
            TypeId.Boolean => b[0] != 0,
            TypeId.Int => BinaryPrimitives.ReadInt32LittleEndian(b),
            TypeId.Date => Date(BinaryPrimitives.ReadInt32LittleEndian(b)),
            TypeId.Float => BinaryPrimitives.ReadSingleLittleEndian(b),
            TypeId.Long => BinaryPrimitives.ReadInt64LittleEndian(b),
            TypeId.Time => new TimeOnly(BinaryPrimitives.ReadInt64LittleEndian(b) * TicksPerMicro),
            TypeId.Timestamp => Timestamp(BinaryPrimitives.ReadInt64LittleEndian(b)),
            TypeId.TimestampTz => TimestampTz(BinaryPrimitives.ReadInt64LittleEndian(b)),
            TypeId.Double => BinaryPrimitives.ReadDoubleLittleEndian(b),
            TypeId.Uuid => new Guid(b, bigEndian: true),
            TypeId.String => Encoding.UTF8.GetString(b),
            TypeId.Fixed or TypeId.Binary => b.ToArray(),
            TypeId.Decimal => Decimal(new BigInteger(b, isUnsigned: false, isBigEndian: true), type.Scale, type.Precision),
            _ => throw new ArgumentException(type.ToString()),
        };
    }

    /// <summary>Orders two non-null values of the same primitive type as Iceberg does (strings by UTF-8 bytes, binary unsigned).</summary>
    public static int Compare(PrimitiveType type, object a, object b)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Id switch
        {
            TypeId.String => CompareUtf8((string)a, (string)b),
            TypeId.Fixed or TypeId.Binary => ((byte[])a).AsSpan().SequenceCompareTo((byte[])b),
            TypeId.Uuid => ToBytes(type, a).AsSpan().SequenceCompareTo(ToBytes(type, b)),
            TypeId.Decimal => Unscaled(a, type.Scale).CompareTo(Unscaled(b, type.Scale)),
            TypeId.Timestamp or TypeId.TimestampTz => Micros(a).CompareTo(Micros(b)),
            TypeId.Float => ((float)a).CompareTo((float)b),
            TypeId.Double => ((double)a).CompareTo((double)b),
            _ => ((IComparable)a).CompareTo(b),
        };
    }

    /// <summary>Equality of two values under a type (used to match equality deletes and keys).</summary>
    public static bool KeyEquals(IcebergType type, object? a, object? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        return type is PrimitiveType p ? Compare(p, a, b) == 0 : Equals(a, b);
    }

    /// <summary>A hash consistent with <see cref="KeyEquals"/>.</summary>
    public static int KeyHash(IcebergType type, object? value)
    {
        if (value is null)
        {
            return 0;
        }

        return type is PrimitiveType p && p.Id is not (TypeId.Float or TypeId.Double or TypeId.Boolean)
            ? Murmur3.Hash32(ToBytes(p, value))
            : value.GetHashCode();
    }

    private static int CompareUtf8(string a, string b)
    {
        // UTF-16 ordinal order differs from UTF-8 byte order only around surrogates; compare code points.
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            var ha = ea.MoveNext();
            var hb = eb.MoveNext();
            if (!ha || !hb)
            {
                return ha == hb ? 0 : ha ? 1 : -1;
            }

            var c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }
}
