using System.Reflection;

namespace Meshwork.Formats.Parquet;

/// <summary>A row-group size limit: a number of rows or of (uncompressed, buffered) bytes.</summary>
public readonly record struct ParquetRowGroupSize
{
    private ParquetRowGroupSize(long value, bool isRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
        Value = value;
        IsRows = isRows;
    }

    /// <summary>The limit.</summary>
    public long Value { get; }

    /// <summary>True when <see cref="Value"/> counts rows, false when it counts bytes.</summary>
    public bool IsRows { get; }

    /// <summary>At most <paramref name="rows"/> rows per row group.</summary>
    public static ParquetRowGroupSize Rows(long rows) => new(rows, isRows: true);

    /// <summary>About <paramref name="bytes"/> bytes of buffered (uncompressed) data per row group.</summary>
    public static ParquetRowGroupSize Bytes(long bytes) => new(bytes, isRows: false);
}

/// <summary>Options of <see cref="ParquetWriter"/>.</summary>
public sealed record ParquetWriterOptions
{
    private const int DefaultPageSize = 1024 * 1024;
    private const long DefaultRowGroupBytes = 128L * 1024 * 1024;

    /// <summary>Page codec; SNAPPY by default.</summary>
    public ParquetCompression Compression { get; init; } = ParquetCompression.Snappy;

    /// <summary>
    /// ZSTD level (1..22); 1 by default because our managed encoder is several times faster there
    /// than at 3 for about 2-3% larger pages.
    /// </summary>
    public int ZstdLevel { get; init; } = 1;

    /// <summary>Row-group limit; 128 MiB of buffered data by default (Iceberg's default).</summary>
    public ParquetRowGroupSize RowGroupSize { get; init; } = ParquetRowGroupSize.Bytes(DefaultRowGroupBytes);

    /// <summary>Target uncompressed size of a data page; 1 MiB by default.</summary>
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>Whether to try dictionary encoding (RLE_DICTIONARY) for non-boolean columns.</summary>
    public bool DictionaryEnabled { get; init; } = true;

    /// <summary>Largest PLAIN-encoded dictionary per column chunk; past it the chunk falls back to PLAIN.</summary>
    public int DictionaryPageSizeLimit { get; init; } = DefaultPageSize;

    /// <summary>
    /// Write DATA_PAGE_V2 pages (levels uncompressed, values compressed) instead of v1. v1 is the
    /// default because it is what Spark, Trino and Hive read most reliably.
    /// </summary>
    public bool DataPageV2 { get; init; }

    /// <summary>Whether to write min/max/null-count statistics per column chunk.</summary>
    public bool WriteStatistics { get; init; } = true;

    /// <summary>Key/value metadata written to the footer (e.g. <c>iceberg.schema</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> KeyValueMetadata { get; init; } = [];

    /// <summary>The footer's created_by; "meshwork version X.Y.Z" by default.</summary>
    public string CreatedBy { get; init; } = DefaultCreatedBy;

    /// <summary>"meshwork version " and this assembly's version.</summary>
    public static string DefaultCreatedBy { get; } =
        "meshwork version " + (typeof(ParquetWriterOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    internal void Validate()
    {
        if (Compression is not (ParquetCompression.Uncompressed or ParquetCompression.Snappy or ParquetCompression.Gzip or ParquetCompression.Zstd))
        {
            throw new ArgumentException($"compression {Compression} is not supported for writing (use Uncompressed, Snappy, Gzip or Zstd)");
        }

        if (PageSize < 1)
        {
            throw new ArgumentException($"PageSize must be positive, not {PageSize}");
        }

        if (DictionaryPageSizeLimit < 0)
        {
            throw new ArgumentException($"DictionaryPageSizeLimit must not be negative, not {DictionaryPageSizeLimit}");
        }

        if (ZstdLevel is < 1 or > 22)
        {
            throw new ArgumentException($"ZstdLevel must be 1..22, not {ZstdLevel}");
        }
    }
}
