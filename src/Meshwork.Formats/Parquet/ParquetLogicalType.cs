namespace Meshwork.Formats.Parquet;

/// <summary>A logical type annotation (parquet-format LogicalTypes.md).</summary>
/// <param name="Kind">Which member of the LogicalType union.</param>
/// <param name="Precision">DECIMAL precision (total digits).</param>
/// <param name="Scale">DECIMAL scale (digits after the point).</param>
/// <param name="IsAdjustedToUtc">TIME/TIMESTAMP: instants in UTC (true) or local wall-clock values (false).</param>
/// <param name="Unit">TIME/TIMESTAMP unit.</param>
/// <param name="BitWidth">INTEGER width: 8, 16, 32 or 64.</param>
/// <param name="IsSigned">INTEGER signedness.</param>
public sealed record ParquetLogicalType(
    ParquetLogicalTypeKind Kind,
    int Precision = 0,
    int Scale = 0,
    bool IsAdjustedToUtc = false,
    ParquetTimeUnit Unit = ParquetTimeUnit.Micros,
    int BitWidth = 0,
    bool IsSigned = true)
{
    /// <summary>STRING.</summary>
    public static ParquetLogicalType String { get; } = new(ParquetLogicalTypeKind.String);

    /// <summary>DATE.</summary>
    public static ParquetLogicalType Date { get; } = new(ParquetLogicalTypeKind.Date);

    /// <summary>UUID.</summary>
    public static ParquetLogicalType Uuid { get; } = new(ParquetLogicalTypeKind.Uuid);

    /// <summary>JSON.</summary>
    public static ParquetLogicalType Json { get; } = new(ParquetLogicalTypeKind.Json);

    /// <summary>ENUM.</summary>
    public static ParquetLogicalType Enum { get; } = new(ParquetLogicalTypeKind.Enum);

    /// <summary>LIST.</summary>
    public static ParquetLogicalType List { get; } = new(ParquetLogicalTypeKind.List);

    /// <summary>MAP.</summary>
    public static ParquetLogicalType Map { get; } = new(ParquetLogicalTypeKind.Map);

    /// <summary>DECIMAL(precision, scale).</summary>
    public static ParquetLogicalType Decimal(int precision, int scale) => new(ParquetLogicalTypeKind.Decimal, Precision: precision, Scale: scale);

    /// <summary>TIMESTAMP(unit, isAdjustedToUTC).</summary>
    public static ParquetLogicalType Timestamp(bool isAdjustedToUtc, ParquetTimeUnit unit = ParquetTimeUnit.Micros) =>
        new(ParquetLogicalTypeKind.Timestamp, IsAdjustedToUtc: isAdjustedToUtc, Unit: unit);

    /// <summary>TIME(unit, isAdjustedToUTC).</summary>
    public static ParquetLogicalType Time(bool isAdjustedToUtc, ParquetTimeUnit unit = ParquetTimeUnit.Micros) =>
        new(ParquetLogicalTypeKind.Time, IsAdjustedToUtc: isAdjustedToUtc, Unit: unit);

    /// <summary>INTEGER(bitWidth, isSigned).</summary>
    public static ParquetLogicalType Integer(int bitWidth, bool isSigned = true) =>
        new(ParquetLogicalTypeKind.Integer, BitWidth: bitWidth, IsSigned: isSigned);

    /// <summary>The legacy converted type written beside this annotation (LogicalTypes.md "Compatibility"), if any.</summary>
    public ParquetConvertedType? ToConvertedType() => Kind switch
    {
        ParquetLogicalTypeKind.String => ParquetConvertedType.Utf8,
        ParquetLogicalTypeKind.Map => ParquetConvertedType.Map,
        ParquetLogicalTypeKind.List => ParquetConvertedType.List,
        ParquetLogicalTypeKind.Enum => ParquetConvertedType.Enum,
        ParquetLogicalTypeKind.Decimal => ParquetConvertedType.Decimal,
        ParquetLogicalTypeKind.Date => ParquetConvertedType.Date,
        ParquetLogicalTypeKind.Json => ParquetConvertedType.Json,
        ParquetLogicalTypeKind.Bson => ParquetConvertedType.Bson,
        ParquetLogicalTypeKind.Time => Unit switch
        {
            ParquetTimeUnit.Millis => ParquetConvertedType.TimeMillis,
            ParquetTimeUnit.Micros => ParquetConvertedType.TimeMicros,
            _ => null,
        },

        // Written for local timestamps too ("Deprecated timestamp ConvertedType"), which is what readers expect.
        ParquetLogicalTypeKind.Timestamp => Unit switch
        {
            ParquetTimeUnit.Millis => ParquetConvertedType.TimestampMillis,
            ParquetTimeUnit.Micros => ParquetConvertedType.TimestampMicros,
            _ => null,
        },
        ParquetLogicalTypeKind.Integer => (BitWidth, IsSigned) switch
        {
            (8, true) => ParquetConvertedType.Int8,
            (16, true) => ParquetConvertedType.Int16,
            (32, true) => ParquetConvertedType.Int32,
            (64, true) => ParquetConvertedType.Int64,
            (8, false) => ParquetConvertedType.Uint8,
            (16, false) => ParquetConvertedType.Uint16,
            (32, false) => ParquetConvertedType.Uint32,
            (64, false) => ParquetConvertedType.Uint64,
            _ => null,
        },
        _ => null,
    };

    /// <summary>The logical type equivalent to a legacy converted type, for files that carry only that.</summary>
    public static ParquetLogicalType? FromConvertedType(ParquetConvertedType converted, int precision, int scale) => converted switch
    {
        ParquetConvertedType.Utf8 => String,
        ParquetConvertedType.Map or ParquetConvertedType.MapKeyValue => Map,
        ParquetConvertedType.List => List,
        ParquetConvertedType.Enum => Enum,
        ParquetConvertedType.Decimal => Decimal(precision, scale),
        ParquetConvertedType.Date => Date,
        ParquetConvertedType.TimeMillis => Time(isAdjustedToUtc: true, ParquetTimeUnit.Millis),
        ParquetConvertedType.TimeMicros => Time(isAdjustedToUtc: true, ParquetTimeUnit.Micros),
        ParquetConvertedType.TimestampMillis => Timestamp(isAdjustedToUtc: true, ParquetTimeUnit.Millis),
        ParquetConvertedType.TimestampMicros => Timestamp(isAdjustedToUtc: true, ParquetTimeUnit.Micros),
        ParquetConvertedType.Uint8 => Integer(8, isSigned: false),
        ParquetConvertedType.Uint16 => Integer(16, isSigned: false),
        ParquetConvertedType.Uint32 => Integer(32, isSigned: false),
        ParquetConvertedType.Uint64 => Integer(64, isSigned: false),
        ParquetConvertedType.Int8 => Integer(8),
        ParquetConvertedType.Int16 => Integer(16),
        ParquetConvertedType.Int32 => Integer(32),
        ParquetConvertedType.Int64 => Integer(64),
        ParquetConvertedType.Json => Json,
        ParquetConvertedType.Bson => new ParquetLogicalType(ParquetLogicalTypeKind.Bson),
        _ => null,
    };

    internal void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.FieldStructBegin((short)Kind);
        switch (Kind)
        {
            case ParquetLogicalTypeKind.Decimal:
                w.FieldI32(1, Scale);
                w.FieldI32(2, Precision);
                break;
            case ParquetLogicalTypeKind.Time or ParquetLogicalTypeKind.Timestamp:
                w.FieldBool(1, IsAdjustedToUtc);
                w.FieldStructBegin(2);
                w.FieldStructBegin((short)Unit);
                w.EndStruct();
                w.EndStruct();
                break;
            case ParquetLogicalTypeKind.Integer:
                w.FieldI8(1, (sbyte)BitWidth);
                w.FieldBool(2, IsSigned);
                break;
        }

        w.EndStruct();
        w.EndStruct();
    }

    /// <summary>Reads the union; returns null for members this implementation does not know.</summary>
    internal static ParquetLogicalType? Read(ref ThriftCompactReader r)
    {
        ParquetLogicalType? result = null;
        r.BeginStruct();
        while (r.NextField(out var id, out var type))
        {
            if (type != ThriftType.Struct || id is < 1 or > 15 or 9)
            {
                r.Skip(type);
                continue;
            }

            var kind = (ParquetLogicalTypeKind)id;
            int precision = 0, scale = 0, bitWidth = 0;
            bool utc = false, signed = true;
            var unit = ParquetTimeUnit.Micros;
            r.BeginStruct();
            while (r.NextField(out var fid, out var ft))
            {
                switch (kind, fid)
                {
                    case (ParquetLogicalTypeKind.Decimal, 1):
                        scale = r.ReadInt32Field(ft);
                        break;
                    case (ParquetLogicalTypeKind.Decimal, 2):
                        precision = r.ReadInt32Field(ft);
                        break;
                    case (ParquetLogicalTypeKind.Time or ParquetLogicalTypeKind.Timestamp, 1):
                        utc = ThriftCompactReader.BoolValue(ft);
                        break;
                    case (ParquetLogicalTypeKind.Time or ParquetLogicalTypeKind.Timestamp, 2) when ft == ThriftType.Struct:
                        r.BeginStruct();
                        while (r.NextField(out var uid, out var ut))
                        {
                            if (uid is >= 1 and <= 3)
                            {
                                unit = (ParquetTimeUnit)uid;
                            }

                            r.Skip(ut);
                        }

                        r.EndStruct();
                        break;
                    case (ParquetLogicalTypeKind.Integer, 1):
                        bitWidth = (int)r.ReadInteger(ft);
                        break;
                    case (ParquetLogicalTypeKind.Integer, 2):
                        signed = ThriftCompactReader.BoolValue(ft);
                        break;
                    default:
                        r.Skip(ft);
                        break;
                }
            }

            r.EndStruct();
            result = new ParquetLogicalType(kind, precision, scale, utc, unit, bitWidth, signed);
        }

        r.EndStruct();
        return result;
    }
}
