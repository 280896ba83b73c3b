using System.Buffers.Binary;
using System.Text;

namespace Meshwork.Formats.Parquet;

/// <summary>How a leaf column's values map to .NET values (shared by the writer and the reader).</summary>
internal enum LeafKind
{
    Boolean,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float,
    Double,
    Int96,
    String,
    Binary,
    Fixed,
    Decimal32,
    Decimal64,
    DecimalBytes,
    Date,
    Timestamp,
    Time32,
    Time64,
    Uuid,
}

/// <summary>Conversions between .NET values and the physical representation of one leaf column.</summary>
internal sealed class LeafCodec
{
    private const long UnixEpochTicks = 621355968000000000;
    private const int UnixEpochDayNumber = 719162;
    private const int TicksPerMicro = 10;
    private const int TicksPerMilli = 10000;
    private const long JulianDayOfUnixEpoch = 2440588;
    private const long NanosPerDay = 86400L * 1000 * 1000 * 1000;
    private const int MaxDecimalDigits = 28;
    private static readonly Int128[] Pow10 = BuildPow10();

    public LeafCodec(ParquetPrimitiveField field)
    {
        Field = field;
        Physical = field.PhysicalType;
        var lt = field.LogicalType;
        Width = Physical switch
        {
            ParquetPhysicalType.Boolean => 1,
            ParquetPhysicalType.Int32 or ParquetPhysicalType.Float => 4,
            ParquetPhysicalType.Int64 or ParquetPhysicalType.Double => 8,
            ParquetPhysicalType.Int96 => 12,
            ParquetPhysicalType.FixedLenByteArray => field.TypeLength,
            _ => -1,
        };
        Kind = (Physical, lt?.Kind) switch
        {
            (ParquetPhysicalType.Boolean, _) => LeafKind.Boolean,
            (ParquetPhysicalType.Int32, ParquetLogicalTypeKind.Decimal) => LeafKind.Decimal32,
            (ParquetPhysicalType.Int32, ParquetLogicalTypeKind.Date) => LeafKind.Date,
            (ParquetPhysicalType.Int32, ParquetLogicalTypeKind.Time) => LeafKind.Time32,
            (ParquetPhysicalType.Int32, ParquetLogicalTypeKind.Integer) when !lt!.IsSigned && lt.BitWidth == 32 => LeafKind.UInt32,
            (ParquetPhysicalType.Int32, _) => LeafKind.Int32,
            (ParquetPhysicalType.Int64, ParquetLogicalTypeKind.Decimal) => LeafKind.Decimal64,
            (ParquetPhysicalType.Int64, ParquetLogicalTypeKind.Timestamp) => LeafKind.Timestamp,
            (ParquetPhysicalType.Int64, ParquetLogicalTypeKind.Time) => LeafKind.Time64,
            (ParquetPhysicalType.Int64, ParquetLogicalTypeKind.Integer) when !lt!.IsSigned => LeafKind.UInt64,
            (ParquetPhysicalType.Int64, _) => LeafKind.Int64,
            (ParquetPhysicalType.Int96, _) => LeafKind.Int96,
            (ParquetPhysicalType.Float, _) => LeafKind.Float,
            (ParquetPhysicalType.Double, _) => LeafKind.Double,
            (ParquetPhysicalType.ByteArray or ParquetPhysicalType.FixedLenByteArray, ParquetLogicalTypeKind.Decimal) => LeafKind.DecimalBytes,
            (ParquetPhysicalType.ByteArray, ParquetLogicalTypeKind.String or ParquetLogicalTypeKind.Json or ParquetLogicalTypeKind.Enum) => LeafKind.String,
            (ParquetPhysicalType.ByteArray, _) => LeafKind.Binary,
            (ParquetPhysicalType.FixedLenByteArray, ParquetLogicalTypeKind.Uuid) when field.TypeLength == 16 => LeafKind.Uuid,
            _ => LeafKind.Fixed,
        };
        if (lt is { Kind: ParquetLogicalTypeKind.Decimal })
        {
            Precision = lt.Precision;
            Scale = lt.Scale;
            if (Precision is < 1 or > ParquetField.MaxDecimalPrecision || Scale < 0 || Scale > Precision)
            {
                throw new ArgumentException($"column '{field.Name}': DECIMAL({Precision},{Scale}) is out of range (precision 1..38, scale 0..precision)");
            }
        }

        Unit = lt?.Unit ?? ParquetTimeUnit.Micros;
        IsUtc = lt?.IsAdjustedToUtc ?? false;

        // Statistics order (LogicalTypes.md "Sort order"): unsigned for unsigned ints and
        // byte strings, signed two's-complement for decimals stored as bytes.
        SignedBytes = Kind == LeafKind.DecimalBytes;
        UnsignedInts = Kind is LeafKind.UInt32 or LeafKind.UInt64 || (lt is { Kind: ParquetLogicalTypeKind.Integer, IsSigned: false });
    }

    public ParquetPrimitiveField Field { get; }

    public ParquetPhysicalType Physical { get; }

    public LeafKind Kind { get; }

    /// <summary>Fixed byte width of PLAIN values, or -1 for BYTE_ARRAY.</summary>
    public int Width { get; }

    public int Precision { get; }

    public int Scale { get; }

    public ParquetTimeUnit Unit { get; }

    public bool IsUtc { get; }

    public bool SignedBytes { get; }

    public bool UnsignedInts { get; }

    // ---------------------------------------------------------------- writing

    /// <summary>Timestamp to the column's unit since the epoch.</summary>
    public long TimestampValue(DateTime value)
    {
        // A UTC column stores instants: convert local times; unspecified ones are taken as UTC.
        var ticks = (IsUtc && value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value).Ticks - UnixEpochTicks;
        return FromTicks(ticks);
    }

    public long TimestampValue(DateTimeOffset value) => FromTicks((IsUtc ? value.UtcTicks : value.DateTime.Ticks) - UnixEpochTicks);

    private long FromTicks(long ticks) => Unit switch
    {
        ParquetTimeUnit.Millis => FloorDiv(ticks, TicksPerMilli),
        ParquetTimeUnit.Nanos => checked(ticks * 100),
        _ => FloorDiv(ticks, TicksPerMicro),
    };

    // Sub-unit ticks before the epoch round toward minus infinity, so a value never moves forward in time.
    private static long FloorDiv(long value, long divisor)
    {
        var (q, r) = Math.DivRem(value, divisor);
        return r < 0 ? q - 1 : q;
    }

    public long TimeValue(TimeOnly value) => Unit switch
    {
        ParquetTimeUnit.Millis => value.Ticks / TicksPerMilli,
        ParquetTimeUnit.Nanos => value.Ticks * 100,
        _ => value.Ticks / TicksPerMicro,
    };

    public static int DateValue(DateOnly value) => value.DayNumber - UnixEpochDayNumber;

    /// <summary>The unscaled value of <paramref name="value"/> at the column's scale; throws if digits would be lost or precision exceeded.</summary>
    public Int128 Unscaled(ParquetDecimal value)
    {
        var unscaled = value.Unscaled;
        if (value.Scale < Scale)
        {
            unscaled = checked(unscaled * Pow10[Scale - value.Scale]);
        }
        else if (value.Scale > Scale)
        {
            var (q, r) = Int128.DivRem(unscaled, Pow10[Math.Min(value.Scale - Scale, 38)]);
            if (r != 0)
            {
                throw new ArgumentException($"column '{Field.Name}': {value} has more than {Scale} digits after the point");
            }

            unscaled = q;
        }

        if (Int128.Abs(unscaled) >= Pow10[Precision])
        {
            throw new ArgumentException($"column '{Field.Name}': {value} does not fit DECIMAL({Precision},{Scale})");
        }

        return unscaled;
    }

    /// <summary>Writes <paramref name="unscaled"/> as big-endian two's complement of exactly <paramref name="destination"/>.Length bytes.</summary>
    public static void WriteBigEndian(Int128 unscaled, Span<byte> destination)
    {
        Span<byte> full = stackalloc byte[16];
        BinaryPrimitives.WriteInt128BigEndian(full, unscaled);
        if (destination.Length >= 16)
        {
            destination[..^16].Fill(unscaled < 0 ? (byte)0xFF : (byte)0);
            full.CopyTo(destination[^16..]);
        }
        else
        {
            full[(16 - destination.Length)..].CopyTo(destination);
        }
    }

    // ---------------------------------------------------------------- reading

    /// <summary>Converts one PLAIN value (fixed width, or the bytes of a BYTE_ARRAY) to its .NET value.</summary>
    public object Read(ReadOnlySpan<byte> v)
    {
        switch (Kind)
        {
            case LeafKind.Boolean:
                return v[0] != 0;
            case LeafKind.Int32:
                return BinaryPrimitives.ReadInt32LittleEndian(v);
            case LeafKind.UInt32:
                return (long)BinaryPrimitives.ReadUInt32LittleEndian(v);
            case LeafKind.Int64:
                return BinaryPrimitives.ReadInt64LittleEndian(v);
            case LeafKind.UInt64:
                return BinaryPrimitives.ReadUInt64LittleEndian(v);
            case LeafKind.Float:
                return BinaryPrimitives.ReadSingleLittleEndian(v);
            case LeafKind.Double:
                return BinaryPrimitives.ReadDoubleLittleEndian(v);
            case LeafKind.String:
                try
                {
                    return Encoding.UTF8.GetString(v);
                }
                catch (DecoderFallbackException)
                {
                    return Encoding.Latin1.GetString(v);
                }

            case LeafKind.Binary or LeafKind.Fixed:
                return v.ToArray();
            case LeafKind.Decimal32:
                return MakeDecimal(BinaryPrimitives.ReadInt32LittleEndian(v));
            case LeafKind.Decimal64:
                return MakeDecimal(BinaryPrimitives.ReadInt64LittleEndian(v));
            case LeafKind.DecimalBytes:
                return MakeDecimal(ReadUnscaled(v));
            case LeafKind.Date:
                var days = (long)BinaryPrimitives.ReadInt32LittleEndian(v) + UnixEpochDayNumber;
                return days is >= 0 and <= 3652058 ? DateOnly.FromDayNumber((int)days) : Fail($"date out of range in column '{Field.Name}'");
            case LeafKind.Timestamp:
                return MakeTimestamp(BinaryPrimitives.ReadInt64LittleEndian(v));
            case LeafKind.Time32:
                return MakeTime(BinaryPrimitives.ReadInt32LittleEndian(v));
            case LeafKind.Time64:
                return MakeTime(BinaryPrimitives.ReadInt64LittleEndian(v));
            case LeafKind.Uuid:
                return new Guid(v, bigEndian: true);
            case LeafKind.Int96:
                var nanos = BinaryPrimitives.ReadInt64LittleEndian(v);
                var julian = BinaryPrimitives.ReadInt32LittleEndian(v[8..]);
                var t = ((julian - JulianDayOfUnixEpoch) * TimeSpan.TicksPerDay) + (nanos / 100) + UnixEpochTicks;
                return t is >= 0 and <= 3155378975999999999 && nanos is >= 0 and < NanosPerDay
                    ? new DateTime(t, DateTimeKind.Unspecified)
                    : Fail($"INT96 timestamp out of range in column '{Field.Name}'");
            default:
                return Fail($"unsupported column kind {Kind}");
        }
    }

    private object MakeDecimal(Int128 unscaled)
    {
        if (Precision > MaxDecimalDigits)
        {
            return new ParquetDecimal(unscaled, Scale);
        }

        var abs = UInt128.CreateTruncating(unscaled < 0 ? -unscaled : unscaled);
        if (abs >> 96 != 0 || Scale > MaxDecimalDigits)
        {
            return Fail($"decimal value in column '{Field.Name}' exceeds DECIMAL({Precision},{Scale})");
        }

        return new decimal((int)(uint)abs, (int)(uint)(abs >> 32), (int)(uint)(abs >> 64), unscaled < 0, (byte)Scale);
    }

    public Int128 ReadUnscaled(ReadOnlySpan<byte> v)
    {
        if (v.Length == 0)
        {
            return Fail<Int128>($"empty decimal in column '{Field.Name}'");
        }

        var sign = (sbyte)v[0] < 0 ? (byte)0xFF : (byte)0;
        if (v.Length > 16)
        {
            foreach (var b in v[..^16])
            {
                if (b != sign)
                {
                    return Fail<Int128>($"decimal value in column '{Field.Name}' exceeds 38 digits");
                }
            }

            v = v[^16..];
        }

        Span<byte> full = stackalloc byte[16];
        full.Fill(sign);
        v.CopyTo(full[(16 - v.Length)..]);
        return BinaryPrimitives.ReadInt128BigEndian(full);
    }

    private object MakeTimestamp(long value)
    {
        long ticks;
        try
        {
            ticks = Unit switch
            {
                ParquetTimeUnit.Millis => checked(value * TicksPerMilli),
                ParquetTimeUnit.Nanos => value / 100,
                _ => checked(value * TicksPerMicro),
            };
            ticks = checked(ticks + UnixEpochTicks);
        }
        catch (OverflowException)
        {
            return Fail($"timestamp out of range in column '{Field.Name}'");
        }

        if (ticks is < 0 or > 3155378975999999999)
        {
            return Fail($"timestamp out of range in column '{Field.Name}'");
        }

        // The cast matters: DateTime converts implicitly to DateTimeOffset, which would make both branches one.
        return IsUtc ? new DateTimeOffset(ticks, TimeSpan.Zero) : (object)new DateTime(ticks, DateTimeKind.Unspecified);
    }

    private object MakeTime(long value)
    {
        var ticks = Unit switch
        {
            ParquetTimeUnit.Millis => value * TicksPerMilli,
            ParquetTimeUnit.Nanos => value / 100,
            _ => value * TicksPerMicro,
        };
        return ticks is >= 0 and < TimeSpan.TicksPerDay ? new TimeOnly(ticks) : Fail($"time of day out of range in column '{Field.Name}'");
    }

    private static object Fail(string message) => ParquetFormatException.Throw<object>(message);

    private static T Fail<T>(string message) => ParquetFormatException.Throw<T>(message);

    private static Int128[] BuildPow10()
    {
        var table = new Int128[39];
        table[0] = 1;
        for (var i = 1; i < table.Length; i++)
        {
            table[i] = table[i - 1] * 10;
        }

        return table;
    }
}
