using System.Buffers;
using System.Numerics;
using Meshwork.Formats.Avro;
using Shouldly;

namespace Meshwork.Formats.Tests.Avro;

public class BinaryEncodingTests
{
    private static string Hex(AvroSchema schema, object? value) => Convert.ToHexStringLower(AvroBinary.Encode(schema, value));

    private static AvroSchema P(string json) => AvroSchema.Parse(json);

    // Specification, "Binary Encoding" > "Primitive Types": int and long are zig-zag varints.
    [Theory]
    [InlineData(0, "a")]
    [InlineData(21, "é")]
    [InlineData(22, "€")]
    [InlineData(42, "a")]
    [InlineData(43, "€")]
    [InlineData(63, "a")]
    [InlineData(64, "a")]
    [InlineData(2730, "€")]
    [InlineData(8192, "é")]
    [InlineData(30_000, "€")]
    [InlineData(3, "\ud83d\ude00")]
    public void Strings_AreALengthPrefixAndTheirUtf8_AtEveryPrefixSize(int repeat, string unit)
    {
        // The writer encodes in one pass after room for the longest prefix, then closes the gap: check every prefix size.
        var text = string.Concat(Enumerable.Repeat(unit, repeat));
        var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
        var expected = new byte[10 + utf8.Length];
        var prefix = AvroBinaryWriter.WriteVarLong(expected, utf8.Length);
        utf8.CopyTo(expected, prefix);

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        buffer.Write("xy"u8);
        AvroBinary.Encode(P("\"string\""), text, buffer);

        buffer.WrittenSpan[2..].ToArray().ShouldBe(expected[..(prefix + utf8.Length)]);
        AvroBinary.Decode(P("\"string\""), buffer.WrittenSpan[2..]).ShouldBe(text);
    }

    [Fact]
    public void ArraysAndMaps_EncodeTheSame_WhateverCollectionTypeCarriesThem()
    {
        var array = P("""{"type":"array","items":"int"}""");
        var map = P("""{"type":"map","values":"string"}""");
        var expectedArray = Hex(array, new List<object?> { 1, 2, 3 });
        Hex(array, new object?[] { 1, 2, 3 }).ShouldBe(expectedArray);
        Hex(array, new LinkedList<object?>([1, 2, 3])).ShouldBe(expectedArray);
        var expectedMap = Hex(map, new Dictionary<string, object?> { ["a"] = "x", ["b"] = "y" });
        Hex(map, new SortedDictionary<string, object?> { ["a"] = "x", ["b"] = "y" }).ShouldBe(expectedMap);
        Hex(map, new Dictionary<string, string> { ["a"] = "x", ["b"] = "y" }).ShouldBe(expectedMap);
        Should.Throw<AvroDataException>(() => AvroBinary.Encode(array, new List<object?> { 1, "two" })).Message.ShouldStartWith("[1]:");
        Should.Throw<AvroDataException>(() => AvroBinary.Encode(map, new Dictionary<string, object?> { ["k"] = 5 })).Message.ShouldStartWith("['k']:");
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "01")]
    [InlineData(1L, "02")]
    [InlineData(-2L, "03")]
    [InlineData(2L, "04")]
    [InlineData(-64L, "7f")]
    [InlineData(64L, "8001")]
    [InlineData(8192L, "808001")]
    [InlineData(long.MaxValue, "feffffffffffffffff01")]
    [InlineData(long.MinValue, "ffffffffffffffffff01")]
    public void Long_IsZigZagVarint(long value, string hex)
    {
        Hex(P("\"long\""), value).ShouldBe(hex);
        AvroBinary.Decode(P("\"long\""), Convert.FromHexString(hex)).ShouldBe(value);
    }

    [Theory]
    [InlineData(int.MaxValue, "feffffff0f")]
    [InlineData(int.MinValue, "ffffffff0f")]
    [InlineData(27, "36")]
    public void Int_IsZigZagVarint(int value, string hex)
    {
        Hex(P("\"int\""), value).ShouldBe(hex);
        AvroBinary.Decode(P("\"int\""), Convert.FromHexString(hex)).ShouldBe(value);
    }

    [Fact]
    public void Primitives_HaveSpecEncodings()
    {
        Hex(P("\"null\""), null).ShouldBe("");
        Hex(P("\"boolean\""), true).ShouldBe("01");
        Hex(P("\"boolean\""), false).ShouldBe("00");
        Hex(P("\"float\""), 1.5f).ShouldBe("0000c03f");
        Hex(P("\"double\""), 1.5).ShouldBe("000000000000f83f");
        Hex(P("\"bytes\""), new byte[] { 1, 2 }).ShouldBe("040102");
        Hex(P("\"string\""), "foo").ShouldBe("06666f6f");
    }

    // Specification example: record {a: long 27, b: string "foo"} is 36 06 66 6f 6f.
    [Fact]
    public void Record_IsFieldsInOrder()
    {
        var schema = (RecordSchema)P("""{"type":"record","name":"test","fields":[{"name":"a","type":"long"},{"name":"b","type":"string"}]}""");
        var record = new AvroRecord(schema, 27L, "foo");
        Hex(schema, record).ShouldBe("3606666f6f");
        var decoded = (AvroRecord)AvroBinary.Decode(schema, Convert.FromHexString("3606666f6f"))!;
        decoded["a"].ShouldBe(27L);
        decoded["b"].ShouldBe("foo");
        decoded.ShouldBe(record);
    }

    // Specification: ["null","string"]: null is 00, "a" is 02 02 61.
    [Fact]
    public void Union_IsBranchIndexThenValue()
    {
        var schema = P("""["null","string"]""");
        Hex(schema, null).ShouldBe("00");
        Hex(schema, "a").ShouldBe("020261");
        AvroBinary.Decode(schema, Convert.FromHexString("020261")).ShouldBe("a");
    }

    [Fact]
    public void Union_BranchChosenByValueType_OrForced()
    {
        var schema = P("""["null","int","long","double","string","bytes"]""");
        Hex(schema, 1).ShouldBe("0202");
        Hex(schema, 1L).ShouldBe("0402");
        Hex(schema, 1.0).ShouldBe("06000000000000f03f");
        Hex(schema, new byte[] { 9 }).ShouldBe("0a0209");
        Hex(schema, new AvroUnion(2, 1)).ShouldBe("0402");
        Should.Throw<AvroDataException>(() => Hex(schema, true)).Message.ShouldContain("no branch");

        // Promotion when the exact type is absent: an int goes to the long branch.
        Hex(P("""["null","long"]"""), 5).ShouldBe("020a");
    }

    // Specification: arrays are blocks of (count, items) ending with a zero count.
    [Fact]
    public void Array_IsBlocksEndingWithZero()
    {
        var schema = P("""{"type":"array","items":"long"}""");
        Hex(schema, new List<object?> { 3L, 27L }).ShouldBe("04063600");
        Hex(schema, new List<object?>()).ShouldBe("00");
        Hex(schema, new long[] { 3, 27 }).ShouldBe("04063600");
    }

    // Specification: a negative block count is followed by the block's size in bytes; readers must accept it.
    [Fact]
    public void Array_NegativeBlockCountWithByteSize_IsAccepted()
    {
        var schema = P("""{"type":"array","items":"long"}""");
        // block of -2 items (03), 2 bytes (04), 3 (06), 27 (36); then block of 1 item: 4 (08); end.
        var bytes = Convert.FromHexString("03040636020800");
        AvroBinary.Decode(schema, bytes).ShouldBe(new List<object?> { 3L, 27L, 4L });
        AvroBinary.Validate(schema, bytes);
    }

    [Fact]
    public void Map_IsBlocksOfKeyValue_AcceptsNegativeCounts()
    {
        var schema = P("""{"type":"map","values":"int"}""");
        var map = new Dictionary<string, object?> { ["a"] = 1 };
        Hex(schema, map).ShouldBe("0202610200");
        AvroBinary.Decode(schema, Convert.FromHexString("010602610200")).ShouldBe(map);
    }

    [Fact]
    public void EnumAndFixed_HaveSpecEncodings()
    {
        var e = (EnumSchema)P("""{"type":"enum","name":"E","symbols":["A","B","C"]}""");
        Hex(e, "C").ShouldBe("04");
        Hex(e, new AvroEnum(e, "B")).ShouldBe("02");
        AvroBinary.Decode(e, [0x04]).ShouldBe(new AvroEnum(e, "C"));

        var f = (FixedSchema)P("""{"type":"fixed","name":"F","size":3}""");
        Hex(f, new byte[] { 1, 2, 3 }).ShouldBe("010203");
        AvroBinary.Decode(f, [1, 2, 3]).ShouldBe(new AvroFixed(f, [1, 2, 3]));
        Should.Throw<AvroDataException>(() => Hex(f, new byte[] { 1 }));
    }

    [Fact]
    public void Record_ByNameFromDictionary_UsesDefaultsForMissingFields()
    {
        var schema = (RecordSchema)P("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}""");
        Hex(schema, new Dictionary<string, object?> { ["a"] = 1 }).ShouldBe("020278");
        Should.Throw<AvroDataException>(() => Hex(schema, new Dictionary<string, object?> { ["b"] = "y" })).Message.ShouldContain("'a'");
        Should.Throw<AvroDataException>(() => Hex(schema, new AvroRecord(schema, "no", "x"))).Message.ShouldContain("R.a");
    }

    [Fact]
    public void LogicalTypes_MapToDotNetTypes_OnRequest()
    {
        var options = new AvroDecodeOptions { ConvertLogicalTypes = true };
        var date = P("""{"type":"int","logicalType":"date"}""");
        Hex(date, new DateOnly(1970, 1, 2)).ShouldBe("02");
        AvroBinary.Decode(date, [0x02], options).ShouldBe(new DateOnly(1970, 1, 2));
        AvroBinary.Decode(date, [0x02]).ShouldBe(1);

        var ts = P("""{"type":"long","logicalType":"timestamp-millis"}""");
        var instant = new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
        AvroBinary.Decode(ts, AvroBinary.Encode(ts, instant), options).ShouldBe(instant);
        AvroBinary.Decode(ts, AvroBinary.Encode(ts, instant)).ShouldBe(instant.ToUnixTimeMilliseconds());

        var tsMicros = P("""{"type":"long","logicalType":"timestamp-micros"}""");
        AvroBinary.Decode(tsMicros, AvroBinary.Encode(tsMicros, instant.AddTicks(10)), options).ShouldBe(instant.AddTicks(10));

        var tsNanos = P("""{"type":"long","logicalType":"timestamp-nanos"}""");
        AvroBinary.Decode(tsNanos, AvroBinary.Encode(tsNanos, instant.AddTicks(1))).ShouldBe((instant.ToUnixTimeMilliseconds() * 1_000_000) + 100);

        var local = P("""{"type":"long","logicalType":"local-timestamp-micros"}""");
        var wall = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Unspecified);
        AvroBinary.Decode(local, AvroBinary.Encode(local, wall), options).ShouldBe(wall);

        var time = P("""{"type":"int","logicalType":"time-millis"}""");
        AvroBinary.Decode(time, AvroBinary.Encode(time, new TimeOnly(1, 2, 3, 4)), options).ShouldBe(new TimeOnly(1, 2, 3, 4));

        var timeMicros = P("""{"type":"long","logicalType":"time-micros"}""");
        AvroBinary.Decode(timeMicros, AvroBinary.Encode(timeMicros, new TimeOnly(23, 59, 59, 999, 999)), options).ShouldBe(new TimeOnly(23, 59, 59, 999, 999));

        var uuid = P("""{"type":"string","logicalType":"uuid"}""");
        var guid = Guid.Parse("123e4567-e89b-12d3-a456-426614174000");
        AvroBinary.Decode(uuid, AvroBinary.Encode(uuid, guid)).ShouldBe("123e4567-e89b-12d3-a456-426614174000");
        AvroBinary.Decode(uuid, AvroBinary.Encode(uuid, guid), options).ShouldBe(guid);

        var uuidFixed = P("""{"type":"fixed","name":"U","size":16,"logicalType":"uuid"}""");
        Convert.ToHexStringLower(AvroBinary.Encode(uuidFixed, guid)).ShouldBe("123e4567e89b12d3a456426614174000");
        AvroBinary.Decode(uuidFixed, AvroBinary.Encode(uuidFixed, guid), options).ShouldBe(guid);

        var duration = P("""{"type":"fixed","name":"D","size":12,"logicalType":"duration"}""");
        Hex(duration, new AvroDuration(1, 2, 3)).ShouldBe("010000000200000003000000");
        AvroBinary.Decode(duration, Convert.FromHexString("010000000200000003000000"), options).ShouldBe(new AvroDuration(1, 2, 3));
    }

    // Specification, "Decimal": two's-complement big-endian unscaled integer.
    [Theory]
    [InlineData("1.23", "7b")]
    [InlineData("-1.23", "85")]
    [InlineData("1.28", "0080")]
    [InlineData("-1.28", "80")]
    [InlineData("0", "00")]
    [InlineData("12345.6", "12d680")]
    public void Decimal_Bytes_IsTwosComplementUnscaled(string text, string unscaledHex)
    {
        var schema = P("""{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}""");
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var encoded = AvroBinary.Encode(schema, value);
        Convert.ToHexStringLower(encoded[1..]).ShouldBe(unscaledHex);
        var decoded = (AvroDecimal)AvroBinary.Decode(schema, encoded, new AvroDecodeOptions { ConvertLogicalTypes = true })!;
        decoded.Scale.ShouldBe(2);
        decoded.ToDecimal().ShouldBe(value);
    }

    [Fact]
    public void Decimal_Fixed_IsSignExtended_AndPrecisionIsEnforced()
    {
        var schema = P("""{"type":"fixed","name":"M","size":4,"logicalType":"decimal","precision":9,"scale":1}""");
        Hex(schema, -0.1m).ShouldBe("ffffffff");
        Hex(schema, new AvroDecimal(new BigInteger(5), 1)).ShouldBe("00000005");
        Should.Throw<AvroDataException>(() => Hex(schema, 1_000_000_000m)).Message.ShouldContain("precision");
        Should.Throw<AvroDataException>(() => Hex(schema, 0.01m)).Message.ShouldContain("digits after");
        ((AvroDecimal)AvroBinary.Decode(schema, Convert.FromHexString("ffffff85"), new AvroDecodeOptions { ConvertLogicalTypes = true })!).ToString().ShouldBe("-12.3");
    }

    [Fact]
    public void Encode_IntoBufferWriter_Appends()
    {
        var buffer = new ArrayBufferWriter<byte>();
        AvroBinary.Encode(P("\"int\""), 1, buffer);
        AvroBinary.Encode(P("\"string\""), "a", buffer);
        Convert.ToHexStringLower(buffer.WrittenSpan).ShouldBe("020261");

        var reader = new AvroBinaryReader(buffer.WrittenSpan);
        AvroBinary.Read(P("\"int\""), ref reader).ShouldBe(1);
        AvroBinary.Read(P("\"string\""), ref reader).ShouldBe("a");
        reader.End.ShouldBeTrue();
    }

    [Fact]
    public void Skip_WalksWithoutMaterialising_AndStopsAfterTheValue()
    {
        var schema = P("""{"type":"record","name":"R","fields":[{"name":"m","type":{"type":"map","values":{"type":"array","items":["null","string"]}}},{"name":"f","type":{"type":"fixed","name":"F","size":2}},{"name":"d","type":"double"}]}""");
        var value = new Dictionary<string, object?>
        {
            ["m"] = new Dictionary<string, object?> { ["k"] = new List<object?> { null, "v" } },
            ["f"] = new byte[] { 1, 2 },
            ["d"] = 2.5,
        };
        var bytes = AvroBinary.Encode(schema, value).Concat(new byte[] { 0x7f }).ToArray();
        var reader = new AvroBinaryReader(bytes);
        AvroBinary.Skip(schema, ref reader);
        reader.Remaining.ShouldBe(1);
        AvroBinary.TryValidate(schema, bytes, out var error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain("unexpected bytes");
        AvroBinary.TryValidate(schema, bytes.AsSpan(0, bytes.Length - 1), out _).ShouldBeTrue();
    }

    [Fact]
    public void Decode_PrimitiveReads_DoNotAllocate()
    {
        var bytes = AvroBinary.Encode(P("""{"type":"array","items":"long"}"""), Enumerable.Range(0, 1000).Select(i => (long)i * 1000).ToList());
        SumLongs(bytes).ShouldBe(499_500_000L);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = SumLongs(bytes);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
        sum.ShouldBe(499_500_000L);
    }

    private static long SumLongs(byte[] bytes)
    {
        long sum = 0;
        var r = new AvroBinaryReader(bytes);
        for (var count = r.ReadBlockCount(out _); count != 0; count = r.ReadBlockCount(out _))
        {
            for (var i = 0; i < count; i++)
            {
                sum += r.ReadLong();
            }
        }

        return sum;
    }

    [Fact]
    public void Validate_DoesNotAllocatePerValue()
    {
        var schema = P("""{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"s","type":"string"},{"name":"u","type":["null","double"]}]}""");
        var bytes = AvroBinary.Encode(schema, new Dictionary<string, object?> { ["a"] = 5L, ["s"] = "hello", ["u"] = 1.0 });
        AvroBinary.Validate(schema, bytes);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            AvroBinary.Validate(schema, bytes);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0, $"allocated {GC.GetAllocatedBytesForCurrentThread() - before}");
    }
}
