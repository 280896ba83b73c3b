using Shouldly;
using Xunit;
using static Meshwork.Kafka.Protocol.Tests.TestSupport;

namespace Meshwork.Kafka.Protocol.Tests;

public class PrimitivesTests
{
    private static byte[] Write(Action<KafkaWriter> write)
    {
        using var buffer = new PooledBufferWriter();
        write(new KafkaWriter(buffer));
        return buffer.ToArray();
    }

    [Fact]
    public void FixedWidth_AreBigEndian_RoundTrip()
    {
        var bytes = Write(w =>
        {
            w.WriteInt8(-2);
            w.WriteInt16(0x0102);
            w.WriteInt32(0x01020304);
            w.WriteInt64(0x0102030405060708);
            w.WriteUInt32(0xFFFFFFFE);
            w.WriteFloat64(1.5);
            w.WriteBoolean(true);
        });
        ToHex(bytes).ShouldBe("FE" + "0102" + "01020304" + "0102030405060708" + "FFFFFFFE" + "3FF8000000000000" + "01");
        var reader = new KafkaReader(bytes);
        reader.ReadInt8().ShouldBe((sbyte)-2);
        reader.ReadInt16().ShouldBe((short)0x0102);
        reader.ReadInt32().ShouldBe(0x01020304);
        reader.ReadInt64().ShouldBe(0x0102030405060708);
        reader.ReadUInt32().ShouldBe(0xFFFFFFFE);
        reader.ReadFloat64().ShouldBe(1.5);
        reader.ReadBoolean().ShouldBeTrue();
        reader.End.ShouldBeTrue();
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(-1, "01")]
    [InlineData(1, "02")]
    [InlineData(-2, "03")]
    [InlineData(63, "7E")]
    [InlineData(-64, "7F")]
    [InlineData(64, "8001")]
    [InlineData(int.MaxValue, "FEFFFFFF0F")]
    [InlineData(int.MinValue, "FFFFFFFF0F")]
    public void VarInt_UsesZigZag_MatchesProtobuf(int value, string hex)
    {
        var bytes = Write(w => w.WriteVarInt(value));
        ToHex(bytes).ShouldBe(hex);
        var reader = new KafkaReader(bytes);
        reader.ReadVarInt().ShouldBe(value);
        reader.End.ShouldBeTrue();
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(1_700_000_000_000L)]
    public void VarLong_RoundTrips(long value)
    {
        var bytes = Write(w => w.WriteVarLong(value));
        var reader = new KafkaReader(bytes);
        reader.ReadVarLong().ShouldBe(value);
        reader.End.ShouldBeTrue();
    }

    [Fact]
    public void UnsignedVarInt_300_IsAC02()
    {
        ToHex(Write(w => w.WriteUnsignedVarInt(300))).ShouldBe("AC02");
        new KafkaReader(Hex("AC02")).ReadUnsignedVarInt().ShouldBe(300u);
    }

    [Theory]
    [InlineData("8080808010")]
    [InlineData("8080808080")]
    [InlineData("80")]
    public void UnsignedVarInt_Throws_WhenOverlongOrTruncated(string hex)
    {
        Should.Throw<KafkaProtocolException>(() => new KafkaReader(Hex(hex)).ReadUnsignedVarInt("f"));
    }

    [Fact]
    public void Strings_AllFourEncodings_RoundTrip()
    {
        var bytes = Write(w =>
        {
            w.WriteString("hé");
            w.WriteNullableString(null);
            w.WriteCompactString("x");
            w.WriteCompactNullableString(null);
        });
        ToHex(bytes).ShouldBe("000368C3A9" + "FFFF" + "0278" + "00");
        var reader = new KafkaReader(bytes);
        reader.ReadString().ShouldBe("hé");
        reader.ReadNullableString().ShouldBeNull();
        reader.ReadCompactString().ShouldBe("x");
        reader.ReadCompactNullableString().ShouldBeNull();
    }

    [Fact]
    public void Bytes_AllFourEncodings_RoundTrip()
    {
        var bytes = Write(w =>
        {
            w.WriteBytes([1, 2]);
            w.WriteBytes(null, compact: false, nullable: true, "b");
            w.WriteCompactBytes([3]);
            w.WriteBytes(null, compact: true, nullable: true, "b");
        });
        ToHex(bytes).ShouldBe("000000020102" + "FFFFFFFF" + "0203" + "00");
        var reader = new KafkaReader(bytes);
        reader.ReadBytes().ShouldBe(new byte[] { 1, 2 });
        reader.ReadNullableBytes().ShouldBeNull();
        reader.ReadCompactBytes().ShouldBe(new byte[] { 3 });
        reader.ReadCompactNullableBytes().ShouldBeNull();
    }

    [Fact]
    public void BytesMemory_IsZeroCopySlice_WhenReaderOverMemory()
    {
        var frame = Hex("00000002ABCD");
        var reader = new KafkaReader(frame.AsMemory());
        var value = reader.ReadBytesMemory(compact: false, nullable: false, "records")!.Value;
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(value, out var segment).ShouldBeTrue();
        segment.Array.ShouldBeSameAs(frame);
        segment.Offset.ShouldBe(4);
    }

    [Fact]
    public void Uuid_IsBigEndian()
    {
        var guid = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var bytes = Write(w => w.WriteUuid(guid));
        ToHex(bytes).ShouldBe("00112233445566778899AABBCCDDEEFF");
        new KafkaReader(bytes).ReadUuid().ShouldBe(guid);
    }

    [Fact]
    public void Arrays_CompactAndClassic_EncodeNullAndCounts()
    {
        ToHex(Write(w =>
        {
            w.WriteArrayLength(-1, compact: false);
            w.WriteArrayLength(2, compact: false);
            w.WriteArrayLength(-1, compact: true);
            w.WriteArrayLength(2, compact: true);
        })).ShouldBe("FFFFFFFF" + "00000002" + "00" + "03");
    }

    [Fact]
    public void TaggedFields_UnknownAreSkipped()
    {
        // Two tagged fields: tag 5 with 2 bytes, tag 9 with 0 bytes; then an int8.
        var reader = new KafkaReader(Hex("02 05 02 AAAA 09 00 07"));
        reader.SkipTaggedFields();
        reader.ReadInt8().ShouldBe((sbyte)7);
    }

    [Fact]
    public void TaggedFields_Throw_WhenSizeExceedsRemaining()
    {
        Should.Throw<KafkaProtocolException>(() => new KafkaReader(Hex("01 05 10 AA")).SkipTaggedFields());
    }

    [Fact]
    public void Reads_Throw_KafkaProtocolException_NamingTheField_WhenTruncated()
    {
        var ex = Should.Throw<KafkaProtocolException>(() => new KafkaReader(Hex("0001")).ReadInt32("PartitionIndex"));
        ex.Message.ShouldContain("PartitionIndex");
    }

    [Theory]
    [InlineData("7FFF")]
    [InlineData("FFFE")]
    public void String_Throws_OnAbsurdOrNegativeLength(string hex)
    {
        var ex = Should.Throw<KafkaProtocolException>(() => new KafkaReader(Hex(hex + "6162")).ReadString("GroupId"));
        ex.Message.ShouldContain("GroupId");
    }

    [Fact]
    public void String_Throws_OnNullWhenNotNullable()
    {
        Should.Throw<KafkaProtocolException>(() => new KafkaReader(Hex("FFFF")).ReadString("Name"));
    }

    [Fact]
    public void ArrayLength_Throws_WhenCountCannotFit()
    {
        Should.Throw<KafkaProtocolException>(() => new KafkaReader(Hex("7FFFFFFF00")).ReadArrayLength(compact: false, nullable: false, "Topics"));
        Should.Throw<KafkaProtocolException>(() => new KafkaReader(Hex("FFFFFFFF")).ReadArrayLength(compact: false, nullable: false, "Topics"));
        new KafkaReader(Hex("FFFFFFFF")).ReadArrayLength(compact: false, nullable: true, "Topics").ShouldBe(-1);
    }

    [Fact]
    public void WriteString_Throws_WhenNullNotAllowed()
    {
        Should.Throw<InvalidOperationException>(() => Write(w => w.WriteString(null, compact: false, nullable: false, "Name")));
    }

    [Fact]
    public void PooledBufferWriter_Grows()
    {
        using var buffer = new PooledBufferWriter(1);
        var writer = new KafkaWriter(buffer);
        for (var i = 0; i < 1000; i++)
        {
            writer.WriteInt32(i);
        }

        buffer.WrittenCount.ShouldBe(4000);
        writer.BytesWritten.ShouldBe(4000);
        new KafkaReader(buffer.WrittenSpan[3996..]).ReadInt32().ShouldBe(999);
    }
}
