using Meshwork.Kafka.Protocol.Records;
using Codecs = Meshwork.Compression.Codecs;
using CodecId = Meshwork.Compression.CompressionCodec;

namespace Meshwork.Broker.Storage;

/// <summary>
/// Adapts Meshwork.Compression to the protocol's codec interfaces, so the protocol project stays free of codec
/// dependencies. Both enums number codecs as Kafka's attribute bits 0..2, so the mapping is a cast.
/// </summary>
public sealed class KafkaCompression : IRecordDecompressor, IRecordCompressor
{
    /// <summary>The shared, stateless instance.</summary>
    public static KafkaCompression Instance { get; } = new();

    /// <inheritdoc/>
    public byte[] Decompress(CompressionCodec codec, ReadOnlySpan<byte> compressed) =>
        Codecs.Decompress((CodecId)(int)codec, compressed);

    /// <inheritdoc/>
    public byte[] Compress(CompressionCodec codec, ReadOnlySpan<byte> records) =>
        Codecs.Compress((CodecId)(int)codec, records);
}
