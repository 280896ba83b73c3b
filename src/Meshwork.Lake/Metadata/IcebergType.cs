using System.Globalization;

namespace Meshwork.Lake.Metadata;

/// <summary>The primitive type ids of the Iceberg v2 spec.</summary>
public enum TypeId
{
    /// <summary>True or false.</summary>
    Boolean,

    /// <summary>32-bit signed integer.</summary>
    Int,

    /// <summary>64-bit signed integer.</summary>
    Long,

    /// <summary>32-bit IEEE 754 float.</summary>
    Float,

    /// <summary>64-bit IEEE 754 float.</summary>
    Double,

    /// <summary>Fixed-point decimal with precision and scale.</summary>
    Decimal,

    /// <summary>Calendar date without time zone.</summary>
    Date,

    /// <summary>Time of day in microseconds, without date or zone.</summary>
    Time,

    /// <summary>Timestamp in microseconds without time zone.</summary>
    Timestamp,

    /// <summary>Timestamp in microseconds with time zone (stored as UTC).</summary>
    TimestampTz,

    /// <summary>UTF-8 text.</summary>
    String,

    /// <summary>Universally unique identifier.</summary>
    Uuid,

    /// <summary>Fixed-length bytes.</summary>
    Fixed,

    /// <summary>Variable-length bytes.</summary>
    Binary,
}

/// <summary>An Iceberg type: a primitive, or a struct, list or map whose nested fields carry ids.</summary>
public abstract class IcebergType
{
    private protected IcebergType()
    {
    }

    /// <summary>True for primitives.</summary>
    public bool IsPrimitive => this is PrimitiveType;
}

/// <summary>A primitive type; decimals carry precision and scale, fixed carries its length.</summary>
public sealed class PrimitiveType : IcebergType, IEquatable<PrimitiveType>
{
    private PrimitiveType(TypeId id, int precision = 0, int scale = 0, int length = 0)
    {
        Id = id;
        Precision = precision;
        Scale = scale;
        Length = length;
    }

    /// <summary>Which primitive.</summary>
    public TypeId Id { get; }

    /// <summary>Decimal precision (total digits).</summary>
    public int Precision { get; }

    /// <summary>Decimal scale (digits after the point).</summary>
    public int Scale { get; }

    /// <summary>Fixed length in bytes.</summary>
    public int Length { get; }

    /// <summary>boolean.</summary>
    public static PrimitiveType Boolean { get; } = new(TypeId.Boolean);

    /// <summary>int.</summary>
    public static PrimitiveType Int { get; } = new(TypeId.Int);

    /// <summary>long.</summary>
    public static PrimitiveType Long { get; } = new(TypeId.Long);

    /// <summary>float.</summary>
    public static PrimitiveType Float { get; } = new(TypeId.Float);

    /// <summary>double.</summary>
    public static PrimitiveType Double { get; } = new(TypeId.Double);

    /// <summary>date.</summary>
    public static PrimitiveType Date { get; } = new(TypeId.Date);

    /// <summary>time.</summary>
    public static PrimitiveType Time { get; } = new(TypeId.Time);

    /// <summary>timestamp (no zone).</summary>
    public static PrimitiveType Timestamp { get; } = new(TypeId.Timestamp);

    /// <summary>timestamptz.</summary>
    public static PrimitiveType TimestampTz { get; } = new(TypeId.TimestampTz);

    /// <summary>string.</summary>
    public static PrimitiveType String { get; } = new(TypeId.String);

    /// <summary>uuid.</summary>
    public static PrimitiveType Uuid { get; } = new(TypeId.Uuid);

    /// <summary>binary.</summary>
    public static PrimitiveType Binary { get; } = new(TypeId.Binary);

    /// <summary>decimal(P,S); P is 1..38.</summary>
    public static PrimitiveType Decimal(int precision, int scale)
    {
        if (precision is < 1 or > 38 || scale < 0 || scale > precision)
        {
            throw new ArgumentOutOfRangeException(nameof(precision), $"decimal({precision},{scale}) is not valid: precision must be 1..38 and scale 0..precision");
        }

        return new(TypeId.Decimal, precision, scale);
    }

    /// <summary>fixed[L].</summary>
    public static PrimitiveType Fixed(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return new(TypeId.Fixed, length: length);
    }

    /// <summary>Parses the spec's type string, e.g. <c>long</c>, <c>decimal(9,2)</c>, <c>fixed[16]</c>.</summary>
    public static PrimitiveType Parse(string text)
    {
        var t = text.Trim();
        switch (t)
        {
            case "boolean": return Boolean;
            case "int": return Int;
            case "long": return Long;
            case "float": return Float;
            case "double": return Double;
            case "date": return Date;
            case "time": return Time;
            case "timestamp": return Timestamp;
            case "timestamptz": return TimestampTz;
            case "string": return String;
            case "uuid": return Uuid;
            case "binary": return Binary;
        }

        if (t.StartsWith("decimal(", StringComparison.Ordinal) && t.EndsWith(')'))
        {
            var parts = t[8..^1].Split(',');
            if (parts.Length == 2 && int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p)
                && int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            {
                return Decimal(p, s);
            }
        }

        if (t.StartsWith("fixed[", StringComparison.Ordinal) && t.EndsWith(']')
            && int.TryParse(t[6..^1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            return Fixed(length);
        }

        throw new IcebergFormatException($"unknown Iceberg type '{text}' (v2 types: boolean, int, long, float, double, decimal(P,S), date, time, timestamp, timestamptz, string, uuid, fixed[L], binary)");
    }

    /// <summary>The spec's type string.</summary>
    public override string ToString() => Id switch
    {
        TypeId.Boolean => "boolean",
        TypeId.Int => "int",
        TypeId.Long => "long",
        TypeId.Float => "float",
        TypeId.Double => "double",
        TypeId.Decimal => string.Create(CultureInfo.InvariantCulture, $"decimal({Precision}, {Scale})"),
        TypeId.Date => "date",
        TypeId.Time => "time",
        TypeId.Timestamp => "timestamp",
        TypeId.TimestampTz => "timestamptz",
        TypeId.String => "string",
        TypeId.Uuid => "uuid",
        TypeId.Fixed => string.Create(CultureInfo.InvariantCulture, $"fixed[{Length}]"),
        TypeId.Binary => "binary",
        _ => throw new InvalidOperationException(Id.ToString()),
    };

    /// <inheritdoc/>
    public bool Equals(PrimitiveType? other) => other is not null && other.Id == Id && other.Precision == Precision && other.Scale == Scale && other.Length == Length;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PrimitiveType p && Equals(p);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Precision, Scale, Length);
}

/// <summary>A field of a struct (or a table schema): id, name, optionality, type, doc.</summary>
/// <param name="Id">The field id, unique in the schema and stable across schema versions.</param>
/// <param name="Name">The field name.</param>
/// <param name="Required">False when the field may be null.</param>
/// <param name="Type">The field type.</param>
/// <param name="Doc">Documentation, if any.</param>
public sealed record NestedField(int Id, string Name, bool Required, IcebergType Type, string? Doc = null)
{
    /// <summary>An optional field.</summary>
    public static NestedField Optional(int id, string name, IcebergType type, string? doc = null) => new(id, name, Required: false, type, doc);

    /// <summary>A required field.</summary>
    public static NestedField Require(int id, string name, IcebergType type, string? doc = null) => new(id, name, Required: true, type, doc);
}

/// <summary>A struct: an ordered list of fields.</summary>
public sealed class StructType : IcebergType
{
    /// <summary>Creates a struct.</summary>
    public StructType(IReadOnlyList<NestedField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        Fields = fields;
    }

    /// <summary>The fields, in order.</summary>
    public IReadOnlyList<NestedField> Fields { get; }

    /// <summary>The field called <paramref name="name"/>, or null.</summary>
    public NestedField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
}

/// <summary>A list whose element has its own field id.</summary>
public sealed class ListType(int elementId, bool elementRequired, IcebergType element) : IcebergType
{
    /// <summary>The element's field id.</summary>
    public int ElementId { get; } = elementId;

    /// <summary>False when elements may be null.</summary>
    public bool ElementRequired { get; } = elementRequired;

    /// <summary>The element type.</summary>
    public IcebergType Element { get; } = element;
}

/// <summary>A map whose key and value have their own field ids; keys are never null.</summary>
public sealed class MapType(int keyId, IcebergType key, int valueId, bool valueRequired, IcebergType value) : IcebergType
{
    /// <summary>The key's field id.</summary>
    public int KeyId { get; } = keyId;

    /// <summary>The key type.</summary>
    public IcebergType Key { get; } = key;

    /// <summary>The value's field id.</summary>
    public int ValueId { get; } = valueId;

    /// <summary>False when values may be null.</summary>
    public bool ValueRequired { get; } = valueRequired;

    /// <summary>The value type.</summary>
    public IcebergType Value { get; } = value;
}
