using System.Collections;
using System.Text;

namespace Meshwork.Formats.Avro;

/// <summary>
/// Reads an Avro object container file from a stream. The header is read by the constructor; records are decoded
/// one block at a time as they are enumerated.
/// </summary>
public sealed class AvroContainerReader : IEnumerable<object?>, IDisposable
{
    /// <summary>The largest block this reader accepts by default, compressed or not.</summary>
    public const int DefaultMaxBlockBytes = 256 * 1024 * 1024;

    private const int MaxVarLongBytes = 10;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly AvroDecodeOptions _options;
    private readonly IAvroCodec _codec;
    private readonly byte[] _sync = new byte[AvroContainerWriter.SyncSize];
    private readonly int _maxBlockBytes;
    private bool _enumerated;

    /// <summary>Reads and checks the header.</summary>
    /// <exception cref="AvroDataException">Not a container file, a bad header, an invalid embedded schema, or an unknown codec.</exception>
    public AvroContainerReader(Stream stream, AvroDecodeOptions? options = null, AvroCodecRegistry? codecs = null, bool leaveOpen = false,
        int maxBlockBytes = DefaultMaxBlockBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _options = options ?? AvroDecodeOptions.Default;
        _maxBlockBytes = maxBlockBytes;

        Span<byte> magic = stackalloc byte[4];
        if (ReadAtMost(magic) != magic.Length || !magic.SequenceEqual(Magic))
        {
            throw new AvroDataException("not an Avro object container file: it must start with 'Obj' 0x01");
        }

        var metadata = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (true)
        {
            var count = ReadLong("metadata block count");
            if (count == 0)
            {
                break;
            }

            if (count < 0)
            {
                count = -count;
                ReadLong("metadata block size");
            }

            for (long i = 0; i < count; i++)
            {
                var key = Encoding.UTF8.GetString(ReadBytes("metadata key"));
                metadata[key] = ReadBytes($"metadata value of '{key}'");
            }
        }

        Metadata = metadata;
        ReadExactly(_sync, "sync marker");
        if (!metadata.TryGetValue("avro.schema", out var schemaBytes))
        {
            throw new AvroDataException("the container file header has no 'avro.schema'");
        }

        try
        {
            Schema = AvroSchema.Parse(Encoding.UTF8.GetString(schemaBytes));
        }
        catch (AvroSchemaException e)
        {
            throw new AvroDataException($"the container file's avro.schema is invalid: {e.Message}", e);
        }

        Codec = metadata.TryGetValue("avro.codec", out var codecBytes) ? Encoding.UTF8.GetString(codecBytes) : "null";
        _codec = (codecs ?? AvroCodecRegistry.Default).Get(Codec);
    }

    /// <summary>The magic bytes at the start of every container file.</summary>
    public static ReadOnlySpan<byte> Magic => "Obj\u0001"u8;

    /// <summary>The writer schema from <c>avro.schema</c>.</summary>
    public AvroSchema Schema { get; }

    /// <summary>The codec name from <c>avro.codec</c> (<c>null</c> when absent).</summary>
    public string Codec { get; }

    /// <summary>All header metadata, including <c>avro.schema</c> and <c>avro.codec</c>.</summary>
    public IReadOnlyDictionary<string, byte[]> Metadata { get; }

    /// <summary>A metadata value as UTF-8 text, or null when absent.</summary>
    public string? GetMetadataString(string key) => Metadata.TryGetValue(key, out var v) ? Encoding.UTF8.GetString(v) : null;

    /// <summary>Decodes the records in file order. The file can be enumerated once.</summary>
    /// <exception cref="AvroDataException">A block is truncated, corrupt, or has a wrong sync marker.</exception>
    public IEnumerator<object?> GetEnumerator()
    {
        if (_enumerated)
        {
            throw new InvalidOperationException("an Avro container file can only be enumerated once");
        }

        _enumerated = true;
        return ReadRecords().GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Closes the stream unless asked to leave it open.</summary>
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private IEnumerable<object?> ReadRecords()
    {
        while (TryReadBlock(out var count, out var block))
        {
            var position = 0;
            for (long i = 0; i < count; i++)
            {
                yield return ReadOne(block, ref position, i, count);
            }

            if (position != block.Length)
            {
                throw new AvroDataException($"block of {count} records has {block.Length - position} bytes left over after its last record");
            }
        }
    }

    private object? ReadOne(byte[] block, ref int position, long index, long count)
    {
        var reader = new AvroBinaryReader(block.AsSpan(position));
        try
        {
            var value = AvroBinary.Read(Schema, ref reader, _options);
            position += reader.Position;
            return value;
        }
        catch (AvroDataException e)
        {
            throw new AvroDataException($"record {index} of a {count}-record block: {e.Message}", e);
        }
    }

    private bool TryReadBlock(out long count, out byte[] block)
    {
        block = [];
        var first = _stream.ReadByte();
        if (first < 0)
        {
            count = 0;
            return false;
        }

        count = ReadLong("block count", first);
        var size = ReadLong("block size");
        if (count < 0 || size < 0 || size > _maxBlockBytes)
        {
            throw new AvroDataException($"invalid block header: {count} records in {size} bytes (limit {_maxBlockBytes} bytes)");
        }

        EnsureAvailable(size, "block data");
        var data = new byte[size];
        ReadExactly(data, "block data");
        Span<byte> sync = stackalloc byte[AvroContainerWriter.SyncSize];
        ReadExactly(sync, "block sync marker");
        if (!sync.SequenceEqual(_sync))
        {
            throw new AvroDataException("block sync marker does not match the header's: the file is corrupt");
        }

        block = _codec.Decompress(data);
        if (block.Length > _maxBlockBytes)
        {
            throw new AvroDataException($"decompressed block of {block.Length} bytes exceeds the limit of {_maxBlockBytes} bytes");
        }

        // Every record takes at least MinEncodedSize bytes; reject counts the block cannot hold.
        var min = Schema.MinEncodedSize;
        if ((min > 0 && count > block.Length / min) || (min == 0 && count > _options.MaxZeroSizeItems))
        {
            throw new AvroDataException($"block claims {count} records but holds only {block.Length} bytes");
        }

        return true;
    }

    private long ReadLong(string what, int firstByte = -1)
    {
        ulong raw = 0;
        for (var i = 0; i < MaxVarLongBytes; i++)
        {
            var b = i == 0 && firstByte >= 0 ? firstByte : _stream.ReadByte();
            if (b < 0)
            {
                throw new AvroDataException($"truncated container file: end of stream inside the {what}");
            }

            raw |= (ulong)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return (long)(raw >> 1) ^ -(long)(raw & 1);
            }
        }

        throw new AvroDataException($"invalid varint in the {what}");
    }

    private byte[] ReadBytes(string what)
    {
        var length = ReadLong(what + " length");
        if (length < 0 || length > _maxBlockBytes)
        {
            throw new AvroDataException($"invalid length {length} for the {what}");
        }

        EnsureAvailable(length, what);
        var bytes = new byte[length];
        ReadExactly(bytes, what);
        return bytes;
    }

    private void EnsureAvailable(long length, string what)
    {
        // On seekable streams a length beyond the end is caught before the buffer is allocated.
        if (_stream.CanSeek && length > _stream.Length - _stream.Position)
        {
            throw new AvroDataException($"truncated container file: the {what} needs {length} bytes but only {_stream.Length - _stream.Position} remain");
        }
    }

    private void ReadExactly(Span<byte> buffer, string what)
    {
        if (ReadAtMost(buffer) != buffer.Length)
        {
            throw new AvroDataException($"truncated container file: end of stream inside the {what}");
        }
    }

    private int ReadAtMost(Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = _stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
