using Meshwork.Compression;

namespace Meshwork.Formats.Parquet;

/// <summary>The output of a writer: the stream, its position, the options and reusable page buffers.</summary>
internal sealed class ChunkSink : IDisposable
{
    public ChunkSink(Stream output, ParquetWriterOptions options)
    {
        Output = output;
        Options = options;
    }

    public Stream Output { get; }

    public ParquetWriterOptions Options { get; }

    public long Position { get; private set; }

    public ByteBuffer Page { get; } = new(64 * 1024);

    public ByteBuffer Dictionary { get; } = new(64 * 1024);

    public ByteBuffer Compressed { get; } = new(64 * 1024);

    public ThriftCompactWriter Thrift { get; } = new();

    /// <summary>For a sink over a <see cref="MemoryStream"/>: forgets what was written.</summary>
    public void Reset()
    {
        ((MemoryStream)Output).SetLength(0);
        Position = 0;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Output.Write(bytes);
        Position += bytes.Length;
    }

    /// <summary>Compresses <paramref name="body"/>, writes the header and body; returns (uncompressed, compressed) sizes including the header.</summary>
    public (long Uncompressed, long Compressed) WritePage(PageHeader header, ReadOnlySpan<byte> body)
    {
        var compressed = Compress(body);
        header.UncompressedPageSize = body.Length;
        header.CompressedPageSize = compressed.Length;
        Thrift.Reset();
        header.Write(Thrift);
        var headerLength = Thrift.Length;
        Write(Thrift.Written);
        Write(compressed);
        return (headerLength + body.Length, headerLength + compressed.Length);
    }

    /// <summary>
    /// Writes a DATA_PAGE_V2: the first <paramref name="levelBytes"/> bytes of <paramref name="body"/>
    /// (repetition then definition levels) stay uncompressed; only the values are compressed.
    /// </summary>
    public (long Uncompressed, long Compressed) WritePageV2(PageHeader header, ReadOnlySpan<byte> body, int levelBytes)
    {
        var values = Compress(body[levelBytes..]);
        header.UncompressedPageSize = body.Length;
        header.CompressedPageSize = levelBytes + values.Length;
        header.IsCompressed = Options.Compression != ParquetCompression.Uncompressed;
        Thrift.Reset();
        header.Write(Thrift);
        var headerLength = Thrift.Length;
        Write(Thrift.Written);
        Write(body[..levelBytes]);
        Write(values);
        return (headerLength + body.Length, headerLength + levelBytes + values.Length);
    }

    private ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> body)
    {
        switch (Options.Compression)
        {
            case ParquetCompression.Uncompressed:
                return body;
            case ParquetCompression.Snappy:
                Compressed.Clear();
                var n = Snappy.Compress(body, Compressed.GetSpan(Snappy.MaxCompressedLength(body.Length)));
                Compressed.Advance(n);
                return Compressed.WrittenSpan;
            case ParquetCompression.Gzip:
                return Gzip.Compress(body);
            case ParquetCompression.Zstd:
                return Zstd.Compress(body, Options.ZstdLevel);
            default:
                throw new InvalidOperationException($"compression {Options.Compression} is not supported for writing");
        }
    }

    public void Dispose()
    {
        Page.Dispose();
        Dictionary.Dispose();
        Compressed.Dispose();
    }
}
