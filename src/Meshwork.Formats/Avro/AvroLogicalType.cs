namespace Meshwork.Formats.Avro;

/// <summary>The logical types this library understands.</summary>
public enum AvroLogicalKind
{
    /// <summary>Arbitrary-precision decimal on bytes or fixed.</summary>
    Decimal,
    /// <summary>RFC 4122 UUID on string or fixed(16).</summary>
    Uuid,
    /// <summary>Days since the Unix epoch on int.</summary>
    Date,
    /// <summary>Milliseconds after midnight on int.</summary>
    TimeMillis,
    /// <summary>Microseconds after midnight on long.</summary>
    TimeMicros,
    /// <summary>Milliseconds since the Unix epoch (UTC instant) on long.</summary>
    TimestampMillis,
    /// <summary>Microseconds since the Unix epoch (UTC instant) on long.</summary>
    TimestampMicros,
    /// <summary>Nanoseconds since the Unix epoch (UTC instant) on long.</summary>
    TimestampNanos,
    /// <summary>Wall-clock milliseconds since the epoch on long.</summary>
    LocalTimestampMillis,
    /// <summary>Wall-clock microseconds since the epoch on long.</summary>
    LocalTimestampMicros,
    /// <summary>Wall-clock nanoseconds since the epoch on long.</summary>
    LocalTimestampNanos,
    /// <summary>Months, days and milliseconds as three little-endian uint32 in fixed(12).</summary>
    Duration,
}

/// <summary>
/// A valid logical type annotation. Invalid or unknown annotations are not represented here: the schema falls back
/// to its underlying type (the raw <c>logicalType</c> attribute still round-trips through <see cref="AvroSchema.Properties"/>).
/// </summary>
/// <param name="Kind">Which logical type.</param>
/// <param name="Name">The <c>logicalType</c> attribute as written.</param>
/// <param name="Precision">Decimal precision (digits); 0 for other kinds.</param>
/// <param name="Scale">Decimal scale; 0 for other kinds.</param>
public sealed record AvroLogicalType(AvroLogicalKind Kind, string Name, int Precision = 0, int Scale = 0)
{
    internal static AvroLogicalKind? KindOf(string name) => name switch
    {
        "decimal" => AvroLogicalKind.Decimal,
        "uuid" => AvroLogicalKind.Uuid,
        "date" => AvroLogicalKind.Date,
        "time-millis" => AvroLogicalKind.TimeMillis,
        "time-micros" => AvroLogicalKind.TimeMicros,
        "timestamp-millis" => AvroLogicalKind.TimestampMillis,
        "timestamp-micros" => AvroLogicalKind.TimestampMicros,
        "timestamp-nanos" => AvroLogicalKind.TimestampNanos,
        "local-timestamp-millis" => AvroLogicalKind.LocalTimestampMillis,
        "local-timestamp-micros" => AvroLogicalKind.LocalTimestampMicros,
        "local-timestamp-nanos" => AvroLogicalKind.LocalTimestampNanos,
        "duration" => AvroLogicalKind.Duration,
        _ => null,
    };
}
