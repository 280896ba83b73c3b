using Meshwork.Kafka.Protocol.Records;
using Shouldly;
using Xunit;
using static Meshwork.Kafka.Protocol.Tests.TestSupport;

namespace Meshwork.Kafka.Protocol.Tests;

public class MalformedInputTests
{
    private const int FuzzSeed = 20261122;
    private const int MessageMutations = 12_000;
    private const int BatchMutations = 3_000;

    private static readonly (Type Type, short Version, byte[] Frame)[] Frames =
    [
        .. AllMessageVersions().Select(c =>
        {
            var sample = Sample(c.Type, seed: 3);
            var frame = IsRequest(c.Type) ? RequestFrame((IKafkaRequest)sample, c.Version) : ResponseFrame((IKafkaResponse)sample, c.Version);
            return (c.Type, c.Version, frame);
        }),
    ];

    /// <summary>Decodes a frame; returns normally or throws whatever the decoder throws.</summary>
    private static void DecodeFrame(Type type, short version, ReadOnlyMemory<byte> frame)
    {
        if (IsRequest(type))
        {
            KafkaCodec.DecodeRequest(frame);
        }
        else
        {
            KafkaCodec.DecodeResponse(frame, ApiOf(type), version, out _);
        }
    }

    private static Exception? Capture(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    [Fact]
    public void TruncatedFrames_AtEveryLength_ThrowKafkaProtocolException()
    {
        var checkedCount = 0;
        foreach (var (type, version, frame) in Frames)
        {
            for (var length = 0; length < frame.Length; length++)
            {
                var ex = Capture(() => DecodeFrame(type, version, frame.AsMemory(0, length)));
                ex.ShouldBeOfType<KafkaProtocolException>($"{type.Name} v{version} truncated to {length} of {frame.Length}");
                checkedCount++;
            }
        }

        checkedCount.ShouldBeGreaterThan(10_000);
    }

    [Fact]
    public void TrailingBytes_AreRejected()
    {
        foreach (var (type, version, frame) in Frames)
        {
            var longer = frame.Concat(new byte[] { 0 }).ToArray();
            Capture(() => DecodeFrame(type, version, longer)).ShouldBeOfType<KafkaProtocolException>($"{type.Name} v{version}");
        }
    }

    [Theory]
    [InlineData("0000 0004 00000001 FFFF 7FFFFFFF")]
    [InlineData("0000 0004 00000001 FFFF FFFF 7FFF 00")]
    [InlineData("0000 0004 00000001 FFFF FFFF FFFF 00007530 FFFFFFFF")]
    [InlineData("0000 0004 00000001 FFFF FFFF FFFF 00007530 00000001 FFFE")]
    [InlineData("0000 0004 00000001 FFFF FFFF FFFF 00007530 00000001 0001 74 00000001 00000000 FFFFFFFE")]
    [InlineData("0000 0009 00000001 FFFF 00 FFFF 00007530 FFFFFFFF0F")]
    [InlineData("0003 0009 00000001 FFFF 00 FFFFFFFF0F")]
    [InlineData("0003 0001 00000001 7FFF")]
    public void AbsurdOrNegativeLengths_ThrowKafkaProtocolException(string hex)
    {
        Capture(() => KafkaCodec.DecodeRequest(Hex(hex))).ShouldBeOfType<KafkaProtocolException>();
    }

    [Theory]
    [InlineData("0063 0000 00000001 FFFF", ErrorCode.InvalidRequest)]
    [InlineData("7FFF 0000 00000001 FFFF", ErrorCode.InvalidRequest)]
    [InlineData("0000 000A 00000001 FFFF 00", ErrorCode.UnsupportedVersion)]
    [InlineData("0001 0000 00000001 FFFF", ErrorCode.UnsupportedVersion)]
    [InlineData("0011 FFFF 00000001 FFFF", ErrorCode.UnsupportedVersion)]
    [InlineData("0018 0000 00000001 FFFF", ErrorCode.InvalidRequest)]
    public void UnknownApiOrUnsupportedVersion_ThrowsWithErrorCode(string hex, ErrorCode expected)
    {
        var ex = Should.Throw<KafkaProtocolException>(() => KafkaCodec.DecodeRequest(Hex(hex)));
        ex.ErrorCode.ShouldBe(expected);
        ex.CorrelationId.ShouldBe(1);
    }

    [Fact]
    public void RandomMutations_OfEveryMessage_OnlyThrowKafkaProtocolException()
    {
        var random = new Random(FuzzSeed);
        for (var i = 0; i < MessageMutations; i++)
        {
            var (type, version, frame) = Frames[random.Next(Frames.Length)];
            var mutated = Mutate(random, frame);
            var ex = Capture(() => DecodeFrame(type, version, mutated));
            if (ex is not null and not KafkaProtocolException)
            {
                throw new Xunit.Sdk.XunitException(
                    $"Mutation {i} of {type.Name} v{version} threw {ex.GetType().Name}: {ex.Message}\n{ToHex(mutated)}");
            }
        }
    }

    [Fact]
    public void RandomMutations_OfRecordBatches_OnlyThrowKafkaProtocolException()
    {
        var random = new Random(FuzzSeed);
        var plain = new RecordBatchBuilder()
            .Add(1, new byte[] { 1 }, new byte[] { 2, 3 }, [new RecordHeader("h", new byte[] { 4 })])
            .Add(2, null, null)
            .Build();
        var gzip = new RecordBatchBuilder { Compression = CompressionCodec.Gzip, Compressor = new GzipCodec() }
            .Add(1, new byte[] { 1 }, new byte[] { 2, 3 })
            .Build();
        var codec = new GzipCodec();
        for (var i = 0; i < BatchMutations; i++)
        {
            var source = random.Next(2) == 0 ? plain : gzip;
            var mutated = Mutate(random, source);
            if (random.Next(2) == 0 && mutated.Length >= RecordBatch.HeaderSize)
            {
                // Re-seal the CRC half the time so mutations reach the record parser and the decompressor.
                Capture(() => RecordBatch.SetMaxTimestamp(mutated, TimestampType.CreateTime, 1));
            }

            var ex = Capture(() => RecordBatch.ReadRecords(mutated, codec));
            if (ex is not null and not KafkaProtocolException)
            {
                throw new Xunit.Sdk.XunitException($"Batch mutation {i} threw {ex.GetType().Name}: {ex.Message}\n{ToHex(mutated)}");
            }
        }
    }

    private static byte[] Mutate(Random random, byte[] source)
    {
        var bytes = source.ToList();
        var edits = random.Next(1, 5);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var position = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[position] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes[position] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                    bytes.Insert(position, (byte)random.Next(256));
                    break;
                case 3:
                    bytes.RemoveAt(position);
                    break;
                case 4:
                    bytes[position] = random.Next(2) == 0 ? (byte)0xFF : (byte)0x7F;
                    break;
                default:
                    bytes.RemoveRange(position, bytes.Count - position);
                    break;
            }
        }

        return [.. bytes];
    }
}
