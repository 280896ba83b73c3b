using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Numerics;

namespace Meshwork.Formats.Avro;

/// <summary>
/// Maps .NET values onto Avro types for writing (accepting both raw values and logical .NET types), chooses union
/// branches by value type, and converts decoded raw values to logical .NET types.
/// </summary>
internal static class AvroConvert
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;
    private const long MillisPerDay = 86_400_000L;
    private static readonly int UnixEpochDayNumber = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    public static bool IsBytesLike(object? value) => value is byte[] or ReadOnlyMemory<byte> or Memory<byte> or ArraySegment<byte>;

    public static ReadOnlySpan<byte> BytesOf(object value) => value switch
    {
        byte[] a => a,
        ReadOnlyMemory<byte> m => m.Span,
        Memory<byte> m => m.Span,
        ArraySegment<byte> s => s,
        _ => throw Mismatch("bytes", value),
    };

    public static int ToInt(AvroSchema schema, object? value) => value switch
    {
        int i => i,
        short s => s,
        byte b => b,
        sbyte sb => sb,
        ushort us => us,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        DateOnly d when schema.LogicalType?.Kind == AvroLogicalKind.Date => d.DayNumber - UnixEpochDayNumber,
        TimeOnly t when schema.LogicalType?.Kind == AvroLogicalKind.TimeMillis => (int)(t.Ticks / TimeSpan.TicksPerMillisecond),
        _ => throw Mismatch("int", value),
    };

    public static long ToLong(AvroSchema schema, object? value)
    {
        switch (value)
        {
            case long l:
                return l;
            case int i:
                return i;
            case short s:
                return s;
            case byte b:
                return b;
            case sbyte sb:
                return sb;
            case ushort us:
                return us;
            case uint ui:
                return ui;
            case TimeOnly t when schema.LogicalType?.Kind == AvroLogicalKind.TimeMicros:
                return t.Ticks / TicksPerMicrosecond;
            case DateTimeOffset dto when schema.LogicalType is { } lt:
                return FromTicks(lt.Kind, dto.UtcTicks - DateTime.UnixEpoch.Ticks, value);
            case DateTime dt when schema.LogicalType is { } lt:
                {
                    // Instants honour DateTime.Kind; local timestamps take the wall-clock reading as is.
                    var ticks = lt.Kind is AvroLogicalKind.TimestampMillis or AvroLogicalKind.TimestampMicros or AvroLogicalKind.TimestampNanos && dt.Kind == DateTimeKind.Local
                        ? dt.ToUniversalTime().Ticks
                        : dt.Ticks;
                    return FromTicks(lt.Kind, ticks - DateTime.UnixEpoch.Ticks, value);
                }

            default:
                throw Mismatch("long", value);
        }
    }

    private static long FromTicks(AvroLogicalKind kind, long ticksSinceEpoch, object value) => kind switch
    {
        AvroLogicalKind.TimestampMillis or AvroLogicalKind.LocalTimestampMillis => ticksSinceEpoch / TimeSpan.TicksPerMillisecond,
        AvroLogicalKind.TimestampMicros or AvroLogicalKind.LocalTimestampMicros => ticksSinceEpoch / TicksPerMicrosecond,
        AvroLogicalKind.TimestampNanos or AvroLogicalKind.LocalTimestampNanos => checked(ticksSinceEpoch * 100),
        _ => throw Mismatch("long", value),
    };

    public static float ToFloat(object? value) => value switch
    {
        float f => f,
        double d => (float)d,
        int i => i,
        long l => l,
        _ => throw Mismatch("float", value),
    };

    public static double ToDouble(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        _ => throw Mismatch("double", value),
    };

    public static string ToText(AvroSchema schema, object? value) => value switch
    {
        string s => s,
        Guid g when schema.LogicalType?.Kind == AvroLogicalKind.Uuid => g.ToString("D", CultureInfo.InvariantCulture),
        _ => throw Mismatch("string", value),
    };

    /// <summary>The raw bytes for a bytes schema (possibly carrying a decimal).</summary>
    public static ReadOnlySpan<byte> ToBytes(AvroSchema schema, object? value)
    {
        if (value is not null && IsBytesLike(value))
        {
            return BytesOf(value);
        }

        if (schema.LogicalType is { Kind: AvroLogicalKind.Decimal } lt && TryDecimal(lt, value, out var unscaled))
        {
            return unscaled.ToByteArray(isUnsigned: false, isBigEndian: true);
        }

        throw Mismatch("bytes", value);
    }

    /// <summary>The raw bytes for a fixed schema (possibly carrying a decimal, uuid or duration).</summary>
    public static byte[] ToFixed(FixedSchema schema, object? value)
    {
        byte[]? bytes = value switch
        {
            AvroFixed f when f.Schema.Size == schema.Size => f.Value,
            not null when IsBytesLike(value) => BytesOf(value).ToArray(),
            Guid g when schema.LogicalType?.Kind == AvroLogicalKind.Uuid => g.ToByteArray(bigEndian: true),
            AvroDuration d when schema.LogicalType?.Kind == AvroLogicalKind.Duration => DurationBytes(d),
            _ => null,
        };
        if (bytes is null && schema.LogicalType is { Kind: AvroLogicalKind.Decimal } lt && TryDecimal(lt, value, out var unscaled))
        {
            var minimal = unscaled.ToByteArray(isUnsigned: false, isBigEndian: true);
            if (minimal.Length > schema.Size)
            {
                throw new AvroDataException($"decimal {value} does not fit in fixed {schema.FullName} of {schema.Size} bytes");
            }

            // Sign-extend the two's-complement value to the fixed size.
            bytes = new byte[schema.Size];
            bytes.AsSpan(0, schema.Size - minimal.Length).Fill(unscaled.Sign < 0 ? (byte)0xff : (byte)0);
            minimal.CopyTo(bytes, schema.Size - minimal.Length);
        }

        if (bytes is null)
        {
            throw Mismatch($"fixed {schema.FullName}", value);
        }

        if (bytes.Length != schema.Size)
        {
            throw new AvroDataException($"fixed {schema.FullName} holds {schema.Size} bytes, got {bytes.Length}");
        }

        return bytes;
    }

    private static byte[] DurationBytes(AvroDuration d)
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, d.Months);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), d.Days);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), d.Milliseconds);
        return bytes;
    }

    private static bool TryDecimal(AvroLogicalType lt, object? value, out BigInteger unscaled)
    {
        AvroDecimal? d = value switch
        {
            AvroDecimal ad => ad,
            decimal m => AvroDecimal.FromDecimal(m, m.Scale),
            BigInteger b => new AvroDecimal(b, lt.Scale),
            _ => null,
        };
        if (d is not { } dec)
        {
            unscaled = default;
            return false;
        }

        unscaled = dec.Unscaled;
        if (dec.Scale < lt.Scale)
        {
            unscaled *= BigInteger.Pow(10, lt.Scale - dec.Scale);
        }
        else if (dec.Scale > lt.Scale)
        {
            unscaled = BigInteger.DivRem(unscaled, BigInteger.Pow(10, dec.Scale - lt.Scale), out var rem);
            if (!rem.IsZero)
            {
                throw new AvroDataException($"decimal {dec} has more than {lt.Scale} digits after the decimal point");
            }
        }

        if (BigInteger.Abs(unscaled) >= BigInteger.Pow(10, lt.Precision))
        {
            throw new AvroDataException($"decimal {dec} has more than {lt.Precision} digits of precision");
        }

        return true;
    }

    public static int EnumIndex(EnumSchema schema, object? value)
    {
        var symbol = value switch
        {
            AvroEnum e => e.Symbol,
            string s => s,
            _ => throw Mismatch($"enum {schema.FullName}", value),
        };
        var index = schema.IndexOf(symbol);
        return index >= 0 ? index : throw new AvroDataException($"'{symbol}' is not a symbol of enum {schema.FullName}");
    }

    public static AvroRecord ToRecord(RecordSchema schema, object? value)
    {
        switch (value)
        {
            case AvroRecord r when ReferenceEquals(r.Schema, schema):
                return r;
            case AvroRecord r:
                {
                    // A record built against an equivalent schema object (for example parsed separately): match fields by name.
                    var copy = new AvroRecord(schema);
                    foreach (var f in schema.Fields)
                    {
                        copy[f.Position] = r.TryGetValue(f.Name, out var v) ? v : DefaultOf(f, schema);
                    }

                    return copy;
                }

            case IReadOnlyDictionary<string, object?> d:
                {
                    var copy = new AvroRecord(schema);
                    foreach (var f in schema.Fields)
                    {
                        copy[f.Position] = d.TryGetValue(f.Name, out var v) ? v : DefaultOf(f, schema);
                    }

                    return copy;
                }

            default:
                throw Mismatch($"record {schema.FullName}", value);
        }
    }

    private static object? DefaultOf(AvroField f, RecordSchema schema) =>
        f.Default is { } d ? AvroJson.ReadDefault(f.Schema, d) : throw new AvroDataException($"record {schema.FullName}: no value and no default for field '{f.Name}'");

    public static int Count(IEnumerable items) => items switch
    {
        ICollection c => c.Count,
        _ => items.Cast<object?>().Count(),
    };

    public static IEnumerable? AsArray(object? value) =>
        value is IEnumerable e and not string and not byte[] and not IDictionary && !IsMap(value) ? e : null;

    public static bool IsMap(object? value) => value is IDictionary or IEnumerable<KeyValuePair<string, object?>> or IEnumerable<KeyValuePair<string, string>>;

    public static IEnumerable<KeyValuePair<string, object?>> MapEntries(object? value)
    {
        switch (value)
        {
            case IEnumerable<KeyValuePair<string, object?>> entries:
                return entries;
            case IEnumerable<KeyValuePair<string, string>> strings:
                return strings.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value));
            case IDictionary d:
                return d.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, object?>(
                    e.Key as string ?? throw new AvroDataException($"map keys must be strings, got {e.Key.GetType().Name}"), e.Value));
            default:
                throw Mismatch("map", value);
        }
    }

    /// <summary>
    /// Chooses the union branch for a value: an <see cref="AvroUnion"/> names it; otherwise the first branch whose type
    /// is the value's own type, then the first branch the value can be converted to.
    /// </summary>
    public static int SelectBranch(UnionSchema union, object? value)
    {
        if (value is AvroUnion forced)
        {
            return forced.Branch >= 0 && forced.Branch < union.Branches.Count
                ? forced.Branch
                : throw new AvroDataException($"union branch {forced.Branch} is out of range (the union has {union.Branches.Count} branches)");
        }

        for (var i = 0; i < union.Branches.Count; i++)
        {
            if (Matches(union.Branches[i], value, exact: true))
            {
                return i;
            }
        }

        for (var i = 0; i < union.Branches.Count; i++)
        {
            if (Matches(union.Branches[i], value, exact: false))
            {
                return i;
            }
        }

        throw new AvroDataException($"no branch of union {DescribeUnion(union)} accepts {Describe(value)}");
    }

    private static bool Matches(AvroSchema schema, object? value, bool exact)
    {
        var kind = schema.LogicalType?.Kind;
        return schema.Type switch
        {
            AvroType.Null => value is null,
            AvroType.Boolean => value is bool,
            AvroType.Int => value is int
                || (value is DateOnly && kind == AvroLogicalKind.Date)
                || (value is TimeOnly && kind == AvroLogicalKind.TimeMillis)
                || (!exact && value is short or byte or sbyte or ushort),
            AvroType.Long => value is long
                || (value is TimeOnly && kind == AvroLogicalKind.TimeMicros)
                || (value is DateTimeOffset or DateTime && kind is AvroLogicalKind.TimestampMillis or AvroLogicalKind.TimestampMicros or AvroLogicalKind.TimestampNanos
                    or AvroLogicalKind.LocalTimestampMillis or AvroLogicalKind.LocalTimestampMicros or AvroLogicalKind.LocalTimestampNanos)
                || (!exact && value is int or short or byte or sbyte or ushort or uint),
            AvroType.Float => value is float || (!exact && value is int or long),
            AvroType.Double => value is double || (!exact && value is float or int or long),
            AvroType.Bytes => IsBytesLike(value) || (kind == AvroLogicalKind.Decimal && value is decimal or AvroDecimal or BigInteger),
            AvroType.String => value is string || (value is Guid && kind == AvroLogicalKind.Uuid),
            AvroType.Record => value is AvroRecord r && (r.Schema.FullName == ((RecordSchema)schema).FullName || (!exact && r.Schema.Name == ((RecordSchema)schema).Name))
                || (!exact && value is IReadOnlyDictionary<string, object?>),
            AvroType.Enum => (value is AvroEnum e && e.Schema.FullName == ((EnumSchema)schema).FullName)
                || (!exact && value is string s && ((EnumSchema)schema).IndexOf(s) >= 0),
            AvroType.Fixed => (value is AvroFixed f && f.Schema.FullName == ((FixedSchema)schema).FullName)
                || (value is Guid && kind == AvroLogicalKind.Uuid)
                || (value is AvroDuration && kind == AvroLogicalKind.Duration)
                || (kind == AvroLogicalKind.Decimal && value is decimal or AvroDecimal or BigInteger)
                || (!exact && ((value is AvroFixed f2 && f2.Value.Length == ((FixedSchema)schema).Size) || (IsBytesLike(value) && BytesOf(value!).Length == ((FixedSchema)schema).Size))),
            AvroType.Array => AsArray(value) is not null,
            AvroType.Map => IsMap(value),
            _ => false,
        };
    }

    public static string BranchName(AvroSchema schema) => schema is NamedSchema n ? n.FullName : PrimitiveSchema.NameOf(schema.Type);

    private static string DescribeUnion(UnionSchema union) => "[" + string.Join(", ", union.Branches.Select(BranchName)) + "]";

    public static string Describe(object? value) => value switch
    {
        null => "null",
        AvroRecord r => $"record {r.Schema.FullName}",
        AvroEnum e => $"enum {e.Schema.FullName}",
        AvroFixed f => $"fixed {f.Schema.FullName}",
        _ => value.GetType().Name,
    };

    public static AvroDataException Mismatch(string expected, object? value) => new($"expected a value for {expected}, got {Describe(value)}");

    /// <summary>Converts a decoded raw value to the .NET type of its logical type.</summary>
    public static object? ToLogical(AvroSchema schema, object? raw)
    {
        if (schema.LogicalType is not { } lt)
        {
            return raw;
        }

        try
        {
            return lt.Kind switch
            {
                AvroLogicalKind.Decimal => new AvroDecimal(new BigInteger(raw is AvroFixed f ? f.Value : (byte[])raw!, isUnsigned: false, isBigEndian: true), lt.Scale),
                AvroLogicalKind.Uuid when raw is string s => Guid.TryParse(s, out var g) ? g : throw new AvroDataException($"'{s}' is not a UUID"),
                AvroLogicalKind.Uuid => new Guid(((AvroFixed)raw!).Value, bigEndian: true),
                AvroLogicalKind.Date => DateOnly.FromDayNumber(checked(UnixEpochDayNumber + (int)raw!)),
                AvroLogicalKind.TimeMillis => (int)raw! is >= 0 and < (int)MillisPerDay ? new TimeOnly((int)raw * TimeSpan.TicksPerMillisecond) : throw new AvroDataException($"time-millis {raw} is outside one day"),
                AvroLogicalKind.TimeMicros => (long)raw! is >= 0 and < MillisPerDay * 1000 ? new TimeOnly((long)raw * TicksPerMicrosecond) : throw new AvroDataException($"time-micros {raw} is outside one day"),
                AvroLogicalKind.TimestampMillis => DateTimeOffset.UnixEpoch.AddTicks(checked((long)raw! * TimeSpan.TicksPerMillisecond)),
                AvroLogicalKind.TimestampMicros => DateTimeOffset.UnixEpoch.AddTicks(checked((long)raw! * TicksPerMicrosecond)),
                AvroLogicalKind.TimestampNanos => DateTimeOffset.UnixEpoch.AddTicks((long)raw! / 100),
                AvroLogicalKind.LocalTimestampMillis => new DateTime(DateTime.UnixEpoch.Ticks + checked((long)raw! * TimeSpan.TicksPerMillisecond), DateTimeKind.Unspecified),
                AvroLogicalKind.LocalTimestampMicros => new DateTime(DateTime.UnixEpoch.Ticks + checked((long)raw! * TicksPerMicrosecond), DateTimeKind.Unspecified),
                AvroLogicalKind.LocalTimestampNanos => new DateTime(DateTime.UnixEpoch.Ticks + ((long)raw! / 100), DateTimeKind.Unspecified),
                AvroLogicalKind.Duration => new AvroDuration(
                    BinaryPrimitives.ReadUInt32LittleEndian(((AvroFixed)raw!).Value),
                    BinaryPrimitives.ReadUInt32LittleEndian(((AvroFixed)raw).Value.AsSpan(4)),
                    BinaryPrimitives.ReadUInt32LittleEndian(((AvroFixed)raw).Value.AsSpan(8))),
                _ => raw,
            };
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
        {
            throw new AvroDataException($"{lt.Name} value {raw} is out of the range .NET can represent", e);
        }
    }
}
