using Meshwork.Formats.Parquet;

namespace Meshwork.Formats.Tests.Parquet;

public class ThriftAndEncodingTests
{
    [Fact]
    public void ThriftCompact_WritesGoldenBytes()
    {
        var w = new ThriftCompactWriter();
        w.BeginStruct();
        w.FieldI32(1, 1);          // delta 1, i32: 0x15, zigzag(1) = 2
        w.FieldI64(3, -1);         // delta 2, i64: 0x26, zigzag(-1) = 1
        w.FieldBool(4, true);      // delta 1, true: 0x11
        w.FieldString(20, "ab");   // delta 16: long form 0x08, zigzag(20) = 40, len 2
        w.FieldListBegin(21, ThriftType.I32, 2);
        w.WriteI32(300);           // zigzag(300) = 600 = 0xD8 0x04
        w.WriteI32(-2);
        w.FieldStructBegin(22);
        w.FieldI32(1, 0);
        w.EndStruct();
        w.EndStruct();
        Assert.Equal(
            Convert.FromHexString("1502260111082802616219" + "2" + "5" + "D80403" + "1C" + "1500" + "00" + "00"),
            w.Written.ToArray());
    }

    [Fact]
    public void ThriftCompact_ReadsBackAndSkipsUnknownFields()
    {
        var w = new ThriftCompactWriter();
        var e = new SchemaElement { Name = "col", Type = ParquetPhysicalType.FixedLenByteArray, TypeLength = 16, RepetitionType = ParquetRepetition.Optional, FieldId = 7, LogicalType = ParquetLogicalType.Uuid };
        w.BeginStruct();
        w.FieldHeader(1, ThriftType.Struct);
        e.Write(w);
        w.FieldListBegin(30, ThriftType.Binary, 20); // unknown list, long-form size
        for (var i = 0; i < 20; i++)
        {
            w.WriteString("x" + i);
        }

        w.EndStruct();
        var r = new ThriftCompactReader(w.Written, "test");
        r.BeginStruct();
        Assert.True(r.NextField(out var id, out var type));
        Assert.Equal(1, id);
        Assert.Equal(ThriftType.Struct, type);
        var back = SchemaElement.Read(ref r);
        Assert.True(r.NextField(out id, out type));
        r.Skip(type);
        Assert.False(r.NextField(out _, out _));
        Assert.Equal("col", back.Name);
        Assert.Equal(7, back.FieldId);
        Assert.Equal(16, back.TypeLength);
        Assert.Equal(ParquetLogicalType.Uuid, back.LogicalType);
        Assert.Equal(w.Length, r.Position);
    }

    [Fact]
    public void ThriftCompact_RejectsTruncationAndBadLengths()
    {
        Assert.Throws<ParquetFormatException>(() => new ThriftCompactReader([0x18, 0x7F], "t").ReadBinaryAt1());
        Assert.Throws<ParquetFormatException>(() => new ThriftCompactReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], "t").ReadVarint());
    }

    [Theory]
    [InlineData(1, new[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "1400")]             // RLE run of 10 zeros
    [InlineData(1, new[] { 1, 0, 1, 1 }, "030D")]                                // one bit-packed group, padded
    [InlineData(3, new[] { 0, 1, 2, 3, 4, 5, 6, 7 }, "0388C6FA")]              // Encodings.md example
    public void RleHybrid_EncodesGoldenBytes(int bitWidth, int[] values, string hex)
    {
        using var buffer = new ByteBuffer();
        RleHybrid.Encode<int>(values, bitWidth, buffer);
        Assert.Equal(hex, Convert.ToHexString(buffer.WrittenSpan));
        var back = new int[values.Length];
        RleHybrid.Decode(buffer.WrittenSpan, bitWidth, back, (1 << bitWidth) - 1, "test");
        Assert.Equal(values, back);
    }

    [Fact]
    public void RleHybrid_RoundTripsRandomRuns()
    {
        var random = new Random(5);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var bitWidth = random.Next(1, 21);
            var values = new int[random.Next(0, 500)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = random.Next(3) == 0 && i > 0 ? values[i - 1] : random.Next(1 << bitWidth);
            }

            using var buffer = new ByteBuffer();
            RleHybrid.Encode<int>(values, bitWidth, buffer);
            var back = new int[values.Length];
            RleHybrid.Decode(buffer.WrittenSpan, bitWidth, back, (1 << bitWidth) - 1, "test");
            Assert.Equal(values, back);
        }
    }

    [Fact]
    public void LogicalTypes_MapToLegacyConvertedTypes()
    {
        Assert.Equal(ParquetConvertedType.Utf8, ParquetLogicalType.String.ToConvertedType());
        Assert.Equal(ParquetConvertedType.TimestampMicros, ParquetLogicalType.Timestamp(isAdjustedToUtc: false).ToConvertedType());
        Assert.Equal(ParquetConvertedType.Decimal, ParquetLogicalType.Decimal(10, 2).ToConvertedType());
        Assert.Equal(ParquetConvertedType.Int8, ParquetLogicalType.Integer(8).ToConvertedType());
        Assert.Null(ParquetLogicalType.Uuid.ToConvertedType());
        Assert.Equal(9, ParquetField.DecimalBytes(20));
        Assert.Equal(16, ParquetField.DecimalBytes(38));
    }
}

internal static class ThriftTestExtensions
{
    public static int ReadBinaryAt1(this ThriftCompactReader reader)
    {
        reader.ReadByte();
        return reader.ReadBinary().Length;
    }
}
