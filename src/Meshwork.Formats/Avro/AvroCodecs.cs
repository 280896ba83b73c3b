using System.IO.Compression;

namespace Meshwork.Formats.Avro;

/// <summary>A block compression codec for Avro object container files, named as in the <c>avro.codec</c> metadata.</summary>
public interface IAvroCodec
{
    /// <summary>The codec name written to <c>avro.codec</c> (for example <c>deflate</c>).</summary>
    string Name { get; }

    /// <summary>Compresses one block.</summary>
    byte[] Compress(ReadOnlySpan<byte> data);

    /// <summary>Decompresses one block.</summary>
    /// <exception cref="AvroDataException">The data is not valid for this codec.</exception>
    byte[] Decompress(ReadOnlySpan<byte> data);
}

/// <summary>
/// The codecs a container reader or writer may use. <see cref="Default"/> has <c>null</c>, <c>deflate</c> and <c>snappy</c>; others
/// (snappy, zstandard) are registered by the host.
/// </summary>
public sealed class AvroCodecRegistry
{
    private readonly Dictionary<string, IAvroCodec> _codecs = new(StringComparer.Ordinal);

    /// <summary>Creates a registry holding the built-in <c>null</c> and <c>deflate</c> codecs.</summary>
    public AvroCodecRegistry()
    {
        Register(NullAvroCodec.Instance);
        Register(new DeflateAvroCodec());
        Register(new SnappyAvroCodec());
    }

    /// <summary>A shared registry with the built-in codecs. Register additional codecs at start-up only.</summary>
    public static AvroCodecRegistry Default { get; } = new();

    /// <summary>The registered codec names.</summary>
    public IEnumerable<string> Names
    {
        get
        {
            lock (_codecs)
            {
                return [.. _codecs.Keys];
            }
        }
    }

    /// <summary>Adds or replaces a codec.</summary>
    public AvroCodecRegistry Register(IAvroCodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        lock (_codecs)
        {
            _codecs[codec.Name] = codec;
        }

        return this;
    }

    /// <summary>Finds a codec by name.</summary>
    public bool TryGet(string name, out IAvroCodec codec)
    {
        lock (_codecs)
        {
            return _codecs.TryGetValue(name, out codec!);
        }
    }

    /// <summary>Finds a codec by name.</summary>
    /// <exception cref="AvroDataException">The codec is not registered.</exception>
    public IAvroCodec Get(string name) => TryGet(name, out var codec)
        ? codec
        : throw new AvroDataException($"Avro codec '{name}' is not available; registered codecs: {string.Join(", ", Names)}");
}

/// <summary>The <c>null</c> codec: blocks are stored uncompressed.</summary>
public sealed class NullAvroCodec : IAvroCodec
{
    /// <summary>The shared instance.</summary>
    public static NullAvroCodec Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "null";

    /// <inheritdoc />
    public byte[] Compress(ReadOnlySpan<byte> data) => data.ToArray();

    /// <inheritdoc />
    public byte[] Decompress(ReadOnlySpan<byte> data) => data.ToArray();
}

/// <summary>The <c>deflate</c> codec: raw RFC 1951 deflate with no zlib header or checksum.</summary>
public sealed class DeflateAvroCodec : IAvroCodec
{
    /// <summary>Creates the codec with the given compression level.</summary>
    public DeflateAvroCodec(CompressionLevel level = CompressionLevel.Optimal)
    {
        Level = level;
    }

    /// <summary>A final, empty fixed-Huffman block: the smallest valid raw deflate stream.</summary>
    private static ReadOnlySpan<byte> EmptyDeflate => [0x03, 0x00];

    /// <summary>The compression level used when writing.</summary>
    public CompressionLevel Level { get; }

    /// <summary>The largest decompressed block accepted when reading.</summary>
    public int MaxDecompressedBytes { get; init; } = AvroContainerReader.DefaultMaxBlockBytes;

    /// <inheritdoc />
    public string Name => "deflate";

    /// <inheritdoc />
    public byte[] Compress(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, Level, leaveOpen: true))
        {
            deflate.Write(data);
        }

        // DeflateStream writes nothing for empty input, but zlib-based readers (python, Java) need a final block.
        return output.Length == 0 ? EmptyDeflate.ToArray() : output.ToArray();
    }

    /// <inheritdoc />
    public byte[] Decompress(ReadOnlySpan<byte> data)
    {
        try
        {
            using var input = new MemoryStream(data.ToArray(), writable: false);
            using var deflate = new DeflateStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = deflate.Read(buffer)) > 0)
            {
                // A few kilobytes of deflate can expand to gigabytes; stop before memory does.
                if (output.Length + n > MaxDecompressedBytes)
                {
                    throw new AvroDataException($"deflate block expands beyond {MaxDecompressedBytes} bytes");
                }

                output.Write(buffer, 0, n);
            }

            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new AvroDataException($"deflate block is corrupt: {e.Message}", e);
        }
    }
}
