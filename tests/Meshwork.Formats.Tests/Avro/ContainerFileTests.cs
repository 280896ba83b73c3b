using System.Text;
using Meshwork.Formats.Avro;
using Shouldly;

namespace Meshwork.Formats.Tests.Avro;

public class ContainerFileTests
{
    private static readonly AvroSchema Schema = AvroSchema.Parse("""
        {"type":"record","name":"manifest_file","fields":[
          {"name":"manifest_path","type":"string","field-id":500},
          {"name":"added_rows","type":["null","long"],"default":null,"field-id":512}]}
        """);

    private static readonly byte[] Sync = Enumerable.Range(0, 16).Select(i => (byte)(i * 7)).ToArray();

    private static byte[] Write(string codec, int count, int maxRecordsPerBlock = int.MaxValue, int blockSize = 64 * 1024)
    {
        using var stream = new MemoryStream();
        using (var writer = new AvroContainerWriter(stream, Schema, new AvroContainerWriterOptions
        {
            Codec = codec,
            MaxRecordsPerBlock = maxRecordsPerBlock,
            BlockSizeBytes = blockSize,
            SyncMarker = Sync,
            Metadata = new Dictionary<string, byte[]> { ["iceberg.schema"] = "{}"u8.ToArray() },
        }, leaveOpen: true))
        {
            for (var i = 0; i < count; i++)
            {
                writer.Append(new Dictionary<string, object?> { ["manifest_path"] = $"s3://bucket/m{i}.avro", ["added_rows"] = i % 3 == 0 ? null : (long)i });
            }
        }

        return stream.ToArray();
    }

    private static List<object?> Read(byte[] file, AvroCodecRegistry? codecs = null)
    {
        using var reader = new AvroContainerReader(new MemoryStream(file), codecs: codecs);
        return reader.ToList();
    }

    [Theory]
    [InlineData("null")]
    [InlineData("deflate")]
    public void RoundTrip_ManyBlocks(string codec)
    {
        var file = Write(codec, 1000, maxRecordsPerBlock: 7);
        using var reader = new AvroContainerReader(new MemoryStream(file));
        reader.Codec.ShouldBe(codec);
        reader.GetMetadataString("iceberg.schema").ShouldBe("{}");
        reader.Schema.ToJson().ShouldContain("\"field-id\":512");
        var records = reader.Cast<AvroRecord>().ToList();
        records.Count.ShouldBe(1000);
        records[998]["manifest_path"].ShouldBe("s3://bucket/m998.avro");
        records[998]["added_rows"].ShouldBe(998L);
        records[0]["added_rows"].ShouldBeNull();
    }

    [Fact]
    public void Header_IsMagicMetadataAndSync()
    {
        var file = Write("null", 0);
        file.AsSpan(0, 4).SequenceEqual("Obj\u0001"u8).ShouldBeTrue();
        file.AsSpan(file.Length - 16).SequenceEqual(Sync).ShouldBeTrue();
        Encoding.UTF8.GetString(file).ShouldContain("avro.schema");
        Read(file).ShouldBeEmpty();
    }

    [Fact]
    public void BlockSize_IsTheSyncInterval()
    {
        var oneBlock = Write("null", 100);
        var manyBlocks = Write("null", 100, blockSize: 64);
        // Each extra block costs a count, a size and a 16-byte sync marker.
        (manyBlocks.Length - oneBlock.Length).ShouldBeGreaterThan(16 * 10);
        Read(manyBlocks).Count.ShouldBe(100);
    }

    [Fact]
    public void Deflate_IsRawWithoutZlibHeader()
    {
        var file = Write("deflate", 50);
        var compressed = Write("null", 50);
        file.Length.ShouldBeLessThan(compressed.Length);
        Read(file).Count.ShouldBe(50);
    }

    [Fact]
    public void Reader_RejectsWrongSyncMarker()
    {
        var file = Write("null", 3);
        file[^1] ^= 0xff;
        Should.Throw<AvroDataException>(() => Read(file)).Message.ShouldContain("sync marker");
    }

    [Fact]
    public void Reader_RejectsBadMagic() =>
        Should.Throw<AvroDataException>(() => new AvroContainerReader(new MemoryStream("Obj\u0002"u8.ToArray()))).Message.ShouldContain("'Obj'");

    [Fact]
    public void Reader_RejectsUnknownCodec_NamingTheRegisteredOnes()
    {
        var codecs = new AvroCodecRegistry().Register(new ReversingCodec());
        var file = Write("null", 1);
        using (var stream = new MemoryStream())
        {
            using (var writer = new AvroContainerWriter(stream, Schema, new AvroContainerWriterOptions { Codec = "reverse", Codecs = codecs }, leaveOpen: true))
            {
                writer.Append(new Dictionary<string, object?> { ["manifest_path"] = "p" });
            }

            file = stream.ToArray();
        }

        var e = Should.Throw<AvroDataException>(() => new AvroContainerReader(new MemoryStream(file)));
        e.Message.ShouldContain("'reverse'");
        e.Message.ShouldContain("deflate");
        Read(file, codecs).Count.ShouldBe(1);
    }

    [Fact]
    public void Writer_RejectsReservedMetadataKeys() =>
        Should.Throw<AvroDataException>(() => new AvroContainerWriter(new MemoryStream(), Schema, new AvroContainerWriterOptions
        {
            Metadata = new Dictionary<string, byte[]> { ["avro.mine"] = [] },
        }));

    [Fact]
    public void Writer_ValueThatFailsToEncode_LeavesTheFileIntact()
    {
        using var stream = new MemoryStream();
        using (var writer = new AvroContainerWriter(stream, Schema, leaveOpen: true))
        {
            writer.Append(new Dictionary<string, object?> { ["manifest_path"] = "ok" });
            Should.Throw<AvroDataException>(() => writer.Append(new Dictionary<string, object?> { ["manifest_path"] = 42 }));
            writer.Append(new Dictionary<string, object?> { ["manifest_path"] = "ok2" });
        }

        Read(stream.ToArray()).Count.ShouldBe(2);
    }

    [Fact]
    public void Reader_TruncatedFile_FailsCleanly()
    {
        var file = Write("deflate", 20, maxRecordsPerBlock: 5);
        for (var length = 0; length < file.Length; length++)
        {
            // A file cut exactly at a block boundary is a valid shorter file; anything else must fail cleanly.
            try
            {
                var count = Read(file[..length]).Count;
                (count % 5).ShouldBe(0, $"prefix of {length} bytes read {count} records");
                count.ShouldBeLessThan(20);
            }
            catch (AvroDataException)
            {
            }
        }
    }

    [Fact]
    public void SnappyFraming_AppendsBigEndianCrc32_AndChecksIt()
    {
        // A literal-only "compressor" is enough to check the framing: the CRC32 of "123456789" is cbf43926.
        var codec = new SnappyAvroCodec(d => [.. d], d => d.ToArray());
        var block = codec.Compress("123456789"u8);
        Convert.ToHexStringLower(block.AsSpan(9)).ShouldBe("cbf43926");
        codec.Decompress(block).ShouldBe("123456789"u8.ToArray());
        block[0] ^= 1;
        Should.Throw<AvroDataException>(() => codec.Decompress(block)).Message.ShouldContain("CRC32");

        var codecs = new AvroCodecRegistry().Register(codec);
        using var stream = new MemoryStream();
        using (var writer = new AvroContainerWriter(stream, Schema, new AvroContainerWriterOptions { Codec = "snappy", Codecs = codecs }, leaveOpen: true))
        {
            writer.Append(new Dictionary<string, object?> { ["manifest_path"] = "p" });
        }

        Read(stream.ToArray(), codecs).Count.ShouldBe(1);
    }

    [Fact]
    public void Deflate_BlockThatExpandsPastTheLimit_IsRejected()
    {
        var bomb = new DeflateAvroCodec().Compress(new byte[100_000]);
        bomb.Length.ShouldBeLessThan(1000);
        Should.Throw<AvroDataException>(() => new DeflateAvroCodec { MaxDecompressedBytes = 10_000 }.Decompress(bomb)).Message.ShouldContain("expands beyond");
    }

    private sealed class ReversingCodec : IAvroCodec
    {
        public string Name => "reverse";

        public byte[] Compress(ReadOnlySpan<byte> data)
        {
            var copy = data.ToArray();
            Array.Reverse(copy);
            return copy;
        }

        public byte[] Decompress(ReadOnlySpan<byte> data) => Compress(data);
    }
}
