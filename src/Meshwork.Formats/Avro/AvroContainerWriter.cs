using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Meshwork.Formats.Avro;

/// <summary>Options for <see cref="AvroContainerWriter"/>.</summary>
public sealed record AvroContainerWriterOptions
{
    /// <summary>The codec name (<c>null</c>, <c>deflate</c>, or any codec registered in <see cref="Codecs"/>).</summary>
    public string Codec { get; init; } = "null";

    /// <summary>Where codecs are looked up.</summary>
    public AvroCodecRegistry Codecs { get; init; } = AvroCodecRegistry.Default;

    /// <summary>
    /// The sync interval: a block is written (followed by a sync marker) once this many uncompressed bytes are buffered.
    /// </summary>
    public int BlockSizeBytes { get; init; } = 64 * 1024;

    /// <summary>A block is also written once it holds this many records.</summary>
    public int MaxRecordsPerBlock { get; init; } = int.MaxValue;

    /// <summary>Extra header metadata. Keys starting with <c>avro.</c> are reserved and rejected.</summary>
    public IReadOnlyDictionary<string, byte[]>? Metadata { get; init; }

    /// <summary>The 16-byte sync marker; random when null. Set it only for reproducible output in tests.</summary>
    public byte[]? SyncMarker { get; init; }
}

/// <summary>Writes an Avro object container file to a stream, one block at a time.</summary>
public sealed class AvroContainerWriter : IDisposable
{
    /// <summary>The length of the sync marker.</summary>
    public const int SyncSize = 16;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly AvroContainerWriterOptions _options;
    private readonly IAvroCodec _codec;
    private readonly byte[] _sync;
    private readonly ArrayBufferWriter<byte> _block = new();
    private readonly ArrayBufferWriter<byte> _scratch = new();
    private int _blockCount;
    private bool _disposed;

    /// <summary>Writes the header to <paramref name="stream"/>.</summary>
    /// <exception cref="AvroDataException">Unknown codec, a bad sync marker, or reserved metadata keys.</exception>
    public AvroContainerWriter(Stream stream, AvroSchema schema, AvroContainerWriterOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(schema);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _options = options ?? new AvroContainerWriterOptions();
        _codec = _options.Codecs.Get(_options.Codec);
        Schema = schema;
        _sync = _options.SyncMarker ?? RandomNumberGenerator.GetBytes(SyncSize);
        if (_sync.Length != SyncSize)
        {
            throw new AvroDataException($"the sync marker must be {SyncSize} bytes, got {_sync.Length}");
        }

        var metadata = new List<KeyValuePair<string, byte[]>>
        {
            new("avro.schema", Encoding.UTF8.GetBytes(schema.ToJson())),
            new("avro.codec", Encoding.UTF8.GetBytes(_codec.Name)),
        };
        foreach (var (key, value) in _options.Metadata ?? new Dictionary<string, byte[]>())
        {
            if (key.StartsWith("avro.", StringComparison.Ordinal))
            {
                throw new AvroDataException($"metadata key '{key}' is reserved: keys starting with 'avro.' belong to the specification");
            }

            metadata.Add(new(key, value));
        }

        var header = new ArrayBufferWriter<byte>();
        header.Write(AvroContainerReader.Magic);
        var w = new AvroBinaryWriter(header);
        w.WriteLong(metadata.Count);
        foreach (var (key, value) in metadata)
        {
            w.WriteString(key);
            w.WriteBytes(value);
        }

        w.WriteLong(0);
        w.WriteFixed(_sync);
        _stream.Write(header.WrittenSpan);
    }

    /// <summary>The schema every record is written with.</summary>
    public AvroSchema Schema { get; }

    /// <summary>Appends one value; a block is written when the block size or record limit is reached.</summary>
    /// <exception cref="AvroDataException">The value does not match the schema (the file is unchanged).</exception>
    public void Append(object? value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // Encode into scratch first so a value that fails half-way leaves the block intact.
        _scratch.ResetWrittenCount();
        AvroBinary.Encode(Schema, value, _scratch);
        _block.Write(_scratch.WrittenSpan);
        _blockCount++;
        if (_block.WrittenCount >= _options.BlockSizeBytes || _blockCount >= _options.MaxRecordsPerBlock)
        {
            WriteBlock();
        }
    }

    /// <summary>Writes any buffered records as a block and flushes the stream.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WriteBlock();
        _stream.Flush();
    }

    /// <summary>Writes the last block and closes the stream unless asked to leave it open.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        WriteBlock();
        _stream.Flush();
        _disposed = true;
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private void WriteBlock()
    {
        if (_blockCount == 0)
        {
            return;
        }

        var data = _codec.Compress(_block.WrittenSpan);
        Span<byte> varints = stackalloc byte[20];
        var n = AvroBinaryWriter.WriteVarLong(varints, _blockCount);
        n += AvroBinaryWriter.WriteVarLong(varints[n..], data.Length);
        _stream.Write(varints[..n]);
        _stream.Write(data);
        _stream.Write(_sync);
        _block.ResetWrittenCount();
        _blockCount = 0;
    }
}
