namespace Meshwork.Formats.Avro;

/// <summary>Options for decoding generic data.</summary>
public sealed record AvroDecodeOptions
{
    /// <summary>The defaults: raw underlying values, depth 512.</summary>
    public static AvroDecodeOptions Default { get; } = new();

    /// <summary>
    /// Map logical types to .NET types: decimal → <see cref="AvroDecimal"/>, uuid → <see cref="Guid"/>,
    /// date → <see cref="DateOnly"/>, time-* → <see cref="TimeOnly"/>, timestamp-* → <see cref="DateTimeOffset"/> (UTC),
    /// local-timestamp-* → <see cref="DateTime"/> (unspecified kind), duration → <see cref="AvroDuration"/>.
    /// Nanosecond timestamps are truncated to .NET's 100 ns ticks. When false (the default) the underlying values are returned.
    /// </summary>
    public bool ConvertLogicalTypes { get; init; }

    /// <summary>How deeply values may nest (recursive records, arrays, maps, unions) before decoding fails.</summary>
    public int MaxDepth { get; init; } = 512;

    /// <summary>
    /// The most items an array or map of zero-byte items (null, empty records) may hold. Other collections are bounded by
    /// the input length, so a hostile block count cannot make the decoder loop or allocate without bound.
    /// </summary>
    public long MaxZeroSizeItems { get; init; } = 1 << 20;
}
