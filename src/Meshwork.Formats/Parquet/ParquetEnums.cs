namespace Meshwork.Formats.Parquet;

/// <summary>Physical (storage) types, <c>Type</c> in parquet.thrift.</summary>
public enum ParquetPhysicalType
{
    /// <summary>Bit-packed booleans.</summary>
    Boolean = 0,

    /// <summary>32-bit signed little-endian integer.</summary>
    Int32 = 1,

    /// <summary>64-bit signed little-endian integer.</summary>
    Int64 = 2,

    /// <summary>Deprecated 96-bit timestamp (nanoseconds of day, Julian day); read only.</summary>
    Int96 = 3,

    /// <summary>IEEE 754 single precision.</summary>
    Float = 4,

    /// <summary>IEEE 754 double precision.</summary>
    Double = 5,

    /// <summary>Variable-length bytes.</summary>
    ByteArray = 6,

    /// <summary>Fixed-length bytes (<see cref="ParquetPrimitiveField.TypeLength"/>).</summary>
    FixedLenByteArray = 7,
}

/// <summary>Field repetition, <c>FieldRepetitionType</c> in parquet.thrift.</summary>
public enum ParquetRepetition
{
    /// <summary>Exactly one value.</summary>
    Required = 0,

    /// <summary>Zero or one value (nullable).</summary>
    Optional = 1,

    /// <summary>Zero or more values.</summary>
    Repeated = 2,
}

/// <summary>Legacy type annotations, <c>ConvertedType</c> in parquet.thrift.</summary>
public enum ParquetConvertedType
{
    /// <summary>UTF-8 string.</summary>
    Utf8 = 0,

    /// <summary>Map group.</summary>
    Map = 1,

    /// <summary>Map key/value group.</summary>
    MapKeyValue = 2,

    /// <summary>List group.</summary>
    List = 3,

    /// <summary>Enum string.</summary>
    Enum = 4,

    /// <summary>Decimal.</summary>
    Decimal = 5,

    /// <summary>Days since the epoch.</summary>
    Date = 6,

    /// <summary>Milliseconds of the day.</summary>
    TimeMillis = 7,

    /// <summary>Microseconds of the day.</summary>
    TimeMicros = 8,

    /// <summary>Milliseconds since the epoch.</summary>
    TimestampMillis = 9,

    /// <summary>Microseconds since the epoch.</summary>
    TimestampMicros = 10,

    /// <summary>Unsigned 8-bit.</summary>
    Uint8 = 11,

    /// <summary>Unsigned 16-bit.</summary>
    Uint16 = 12,

    /// <summary>Unsigned 32-bit.</summary>
    Uint32 = 13,

    /// <summary>Unsigned 64-bit.</summary>
    Uint64 = 14,

    /// <summary>Signed 8-bit.</summary>
    Int8 = 15,

    /// <summary>Signed 16-bit.</summary>
    Int16 = 16,

    /// <summary>Signed 32-bit.</summary>
    Int32 = 17,

    /// <summary>Signed 64-bit.</summary>
    Int64 = 18,

    /// <summary>JSON text.</summary>
    Json = 19,

    /// <summary>BSON document.</summary>
    Bson = 20,

    /// <summary>Interval (12-byte fixed).</summary>
    Interval = 21,
}

/// <summary>Compression codecs, <c>CompressionCodec</c> in parquet.thrift.</summary>
public enum ParquetCompression
{
    /// <summary>No compression.</summary>
    Uncompressed = 0,

    /// <summary>Raw snappy blocks.</summary>
    Snappy = 1,

    /// <summary>gzip (RFC 1952).</summary>
    Gzip = 2,

    /// <summary>LZO (not supported).</summary>
    Lzo = 3,

    /// <summary>Brotli (read only).</summary>
    Brotli = 4,

    /// <summary>Hadoop-framed LZ4 (not supported).</summary>
    Lz4 = 5,

    /// <summary>Zstandard (RFC 8878).</summary>
    Zstd = 6,

    /// <summary>Raw LZ4 block (not supported).</summary>
    Lz4Raw = 7,
}

/// <summary>Value and level encodings, <c>Encoding</c> in parquet.thrift.</summary>
public enum ParquetEncoding
{
    /// <summary>Plain values.</summary>
    Plain = 0,

    /// <summary>Deprecated dictionary indices (treated as <see cref="RleDictionary"/>).</summary>
    PlainDictionary = 2,

    /// <summary>RLE/bit-packing hybrid.</summary>
    Rle = 3,

    /// <summary>Deprecated bit-packed levels.</summary>
    BitPacked = 4,

    /// <summary>Delta-encoded integers.</summary>
    DeltaBinaryPacked = 5,

    /// <summary>Delta-encoded lengths then bytes.</summary>
    DeltaLengthByteArray = 6,

    /// <summary>Incremental (prefix) encoding.</summary>
    DeltaByteArray = 7,

    /// <summary>Dictionary indices with the RLE/bit-packing hybrid.</summary>
    RleDictionary = 8,

    /// <summary>Byte stream split.</summary>
    ByteStreamSplit = 9,
}

/// <summary>Page types, <c>PageType</c> in parquet.thrift.</summary>
public enum ParquetPageType
{
    /// <summary>Data page version 1.</summary>
    DataPage = 0,

    /// <summary>Index page (unused).</summary>
    IndexPage = 1,

    /// <summary>Dictionary page.</summary>
    DictionaryPage = 2,

    /// <summary>Data page version 2.</summary>
    DataPageV2 = 3,
}

/// <summary>The kind of a logical type annotation (the <c>LogicalType</c> union in parquet.thrift).</summary>
public enum ParquetLogicalTypeKind
{
    /// <summary>UTF-8 string.</summary>
    String = 1,

    /// <summary>Map.</summary>
    Map = 2,

    /// <summary>List.</summary>
    List = 3,

    /// <summary>Enum.</summary>
    Enum = 4,

    /// <summary>Decimal with precision and scale.</summary>
    Decimal = 5,

    /// <summary>Date (days since the epoch).</summary>
    Date = 6,

    /// <summary>Time of day.</summary>
    Time = 7,

    /// <summary>Timestamp.</summary>
    Timestamp = 8,

    /// <summary>Integer with bit width and signedness.</summary>
    Integer = 10,

    /// <summary>Always null.</summary>
    Unknown = 11,

    /// <summary>JSON text.</summary>
    Json = 12,

    /// <summary>BSON document.</summary>
    Bson = 13,

    /// <summary>UUID (16 bytes, big-endian).</summary>
    Uuid = 14,

    /// <summary>Half-precision float.</summary>
    Float16 = 15,
}

/// <summary>Time units of TIME and TIMESTAMP.</summary>
public enum ParquetTimeUnit
{
    /// <summary>Milliseconds.</summary>
    Millis = 1,

    /// <summary>Microseconds.</summary>
    Micros = 2,

    /// <summary>Nanoseconds.</summary>
    Nanos = 3,
}
