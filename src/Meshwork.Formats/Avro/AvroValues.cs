using System.Buffers.Binary;
using System.Numerics;

namespace Meshwork.Formats.Avro;

/// <summary>A generic record value: the schema plus field values by position (and by name through the schema).</summary>
public sealed class AvroRecord : IEquatable<AvroRecord>
{
    private readonly object?[] _values;

    /// <summary>Creates a record whose fields are all null.</summary>
    public AvroRecord(RecordSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        _values = new object?[schema.Fields.Count];
    }

    /// <summary>Creates a record from values in field order.</summary>
    public AvroRecord(RecordSchema schema, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != schema.Fields.Count)
        {
            throw new ArgumentException($"record {schema.FullName} has {schema.Fields.Count} fields, got {values.Length} values", nameof(values));
        }

        Schema = schema;
        _values = values;
    }

    /// <summary>The record's schema.</summary>
    public RecordSchema Schema { get; }

    /// <summary>The number of fields.</summary>
    public int Count => _values.Length;

    /// <summary>Gets or sets a field value by position.</summary>
    public object? this[int position]
    {
        get => _values[position];
        set => _values[position] = value;
    }

    /// <summary>Gets or sets a field value by name.</summary>
    /// <exception cref="KeyNotFoundException">The record has no such field.</exception>
    public object? this[string name]
    {
        get => _values[PositionOf(name)];
        set => _values[PositionOf(name)] = value;
    }

    /// <summary>Gets a field value by name; false when the record has no such field.</summary>
    public bool TryGetValue(string name, out object? value)
    {
        var field = Schema.GetField(name);
        value = field is null ? null : _values[field.Position];
        return field is not null;
    }

    /// <inheritdoc />
    public bool Equals(AvroRecord? other) => AvroValueComparer.Instance.Equals(this, other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AvroRecord r && Equals(r);

    /// <inheritdoc />
    public override int GetHashCode() => AvroValueComparer.Instance.GetHashCode(this);

    /// <summary>The record in Avro JSON encoding.</summary>
    public override string ToString() => AvroJson.Write(Schema, this);

    private int PositionOf(string name) =>
        Schema.GetField(name)?.Position ?? throw new KeyNotFoundException($"record {Schema.FullName} has no field '{name}'");
}

/// <summary>A generic enum value.</summary>
/// <param name="Schema">The enum schema.</param>
/// <param name="Symbol">The symbol.</param>
public sealed record AvroEnum(EnumSchema Schema, string Symbol)
{
    /// <summary>The symbol's index in the schema, or -1 when it is not one of the schema's symbols.</summary>
    public int Index => Schema.IndexOf(Symbol);

    /// <summary>The symbol.</summary>
    public override string ToString() => Symbol;
}

/// <summary>A generic fixed value.</summary>
public sealed class AvroFixed : IEquatable<AvroFixed>
{
    /// <summary>Wraps <paramref name="value"/>, which must be exactly <see cref="FixedSchema.Size"/> bytes.</summary>
    public AvroFixed(FixedSchema schema, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length != schema.Size)
        {
            throw new ArgumentException($"fixed {schema.FullName} holds {schema.Size} bytes, got {value.Length}", nameof(value));
        }

        Schema = schema;
        Value = value;
    }

    /// <summary>The fixed schema.</summary>
    public FixedSchema Schema { get; }

    /// <summary>The bytes.</summary>
    public byte[] Value { get; }

    /// <inheritdoc />
    public bool Equals(AvroFixed? other) => other is not null && other.Schema.FullName == Schema.FullName && other.Value.AsSpan().SequenceEqual(Value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is AvroFixed f && Equals(f);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Schema.FullName, Value.Length);

    /// <summary>The bytes in hex.</summary>
    public override string ToString() => Convert.ToHexString(Value);
}

/// <summary>Forces the union branch used to encode <see cref="Value"/> instead of choosing it from the value's type.</summary>
/// <param name="Branch">The zero-based branch index.</param>
/// <param name="Value">The value for that branch.</param>
public readonly record struct AvroUnion(int Branch, object? Value);

/// <summary>A decimal as its two's-complement unscaled value and scale: value = Unscaled × 10^-Scale. Lossless.</summary>
/// <param name="Unscaled">The unscaled integer.</param>
/// <param name="Scale">The number of digits after the decimal point.</param>
public readonly record struct AvroDecimal(BigInteger Unscaled, int Scale)
{
    /// <summary>Converts to <see cref="decimal"/>.</summary>
    /// <exception cref="OverflowException">The value does not fit in a <see cref="decimal"/>.</exception>
    public decimal ToDecimal()
    {
        if (Scale > 28)
        {
            return (decimal)Unscaled / (decimal)BigInteger.Pow(10, Scale);
        }

        var magnitude = BigInteger.Abs(Unscaled);
        if (magnitude.GetBitLength() > 96)
        {
            throw new OverflowException($"decimal {this} does not fit in System.Decimal");
        }

        var bytes = magnitude.ToByteArray(isUnsigned: true);
        Span<byte> padded = stackalloc byte[12];
        bytes.CopyTo(padded);
        return new decimal(BinaryPrimitives.ReadInt32LittleEndian(padded), BinaryPrimitives.ReadInt32LittleEndian(padded[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(padded[8..]), Unscaled.Sign < 0, (byte)Scale);
    }

    /// <summary>Converts a <see cref="decimal"/> to the given scale.</summary>
    /// <exception cref="ArgumentException">Rescaling would lose digits.</exception>
    public static AvroDecimal FromDecimal(decimal value, int scale)
    {
        var bits = decimal.GetBits(value);
        var valueScale = (bits[3] >> 16) & 0xff;
        Span<byte> mag = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(mag, bits[0]);
        BinaryPrimitives.WriteInt32LittleEndian(mag[4..], bits[1]);
        BinaryPrimitives.WriteInt32LittleEndian(mag[8..], bits[2]);
        var unscaled = new BigInteger(mag, isUnsigned: true);
        if (value < 0)
        {
            unscaled = -unscaled;
        }

        if (valueScale < scale)
        {
            unscaled *= BigInteger.Pow(10, scale - valueScale);
        }
        else if (valueScale > scale)
        {
            var divisor = BigInteger.Pow(10, valueScale - scale);
            var quotient = BigInteger.DivRem(unscaled, divisor, out var remainder);
            if (!remainder.IsZero)
            {
                throw new ArgumentException($"{value} has more than {scale} digits after the decimal point", nameof(value));
            }

            unscaled = quotient;
        }

        return new AvroDecimal(unscaled, scale);
    }

    /// <summary>The plain decimal text.</summary>
    public override string ToString()
    {
        var digits = BigInteger.Abs(Unscaled).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Scale > 0)
        {
            digits = digits.PadLeft(Scale + 1, '0');
            digits = $"{digits[..^Scale]}.{digits[^Scale..]}";
        }

        return Unscaled.Sign < 0 ? "-" + digits : digits;
    }
}

/// <summary>The Avro <c>duration</c> logical type: months, days and milliseconds, each an unsigned 32-bit integer.</summary>
/// <param name="Months">Months.</param>
/// <param name="Days">Days.</param>
/// <param name="Milliseconds">Milliseconds.</param>
public readonly record struct AvroDuration(uint Months, uint Days, uint Milliseconds);
