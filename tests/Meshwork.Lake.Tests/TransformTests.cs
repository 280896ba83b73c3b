using System.Text;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake.Tests;

/// <summary>Partition transforms and their hash against the spec's Appendix B vectors.</summary>
public class TransformTests
{
    [Fact]
    public void Murmur3_MatchesTheSpecVectors_ForEveryType()
    {
        Assert.Equal(2017239379, Transform.BucketHash(PrimitiveType.Int, 34));
        Assert.Equal(2017239379, Transform.BucketHash(PrimitiveType.Long, 34L));
        Assert.Equal(-500754589, Transform.BucketHash(PrimitiveType.Decimal(4, 2), 14.20m));
        Assert.Equal(-653330422, Transform.BucketHash(PrimitiveType.Date, new DateOnly(2017, 11, 16)));
        Assert.Equal(-662762989, Transform.BucketHash(PrimitiveType.Time, new TimeOnly(22, 31, 8)));
        Assert.Equal(-2047944441, Transform.BucketHash(PrimitiveType.Timestamp, new DateTime(2017, 11, 16, 22, 31, 8)));
        Assert.Equal(-2047944441, Transform.BucketHash(PrimitiveType.TimestampTz, new DateTimeOffset(2017, 11, 16, 14, 31, 8, TimeSpan.FromHours(-8))));
        Assert.Equal(1210000089, Transform.BucketHash(PrimitiveType.String, "iceberg"));
        Assert.Equal(1488055340, Transform.BucketHash(PrimitiveType.Uuid, Guid.Parse("f79c3e09-677c-4bbd-a479-3f349cb785e7")));
        Assert.Equal(-188683207, Transform.BucketHash(PrimitiveType.Fixed(4), new byte[] { 0, 1, 2, 3 }));
        Assert.Equal(-188683207, Transform.BucketHash(PrimitiveType.Binary, new byte[] { 0, 1, 2, 3 }));
        Assert.Equal(-500754589, Murmur3.Hash32(new byte[] { 0x05, 0x8C }));
    }

    [Fact]
    public void Bucket_IsTheNonNegativeHashModuloN()
    {
        var bucket = Transform.Bucket(16);
        Assert.Equal((1210000089 & int.MaxValue) % 16, bucket.Apply(PrimitiveType.String, "iceberg"));
        Assert.Null(bucket.Apply(PrimitiveType.String, null));
        Assert.Equal(PrimitiveType.Int, bucket.ResultType(PrimitiveType.String));
    }

    [Fact]
    public void Truncate_FollowsTheSpec_ForIntsStringsBinaryAndDecimals()
    {
        Assert.Equal(0, Transform.Truncate(10).Apply(PrimitiveType.Int, 1));
        Assert.Equal(-10, Transform.Truncate(10).Apply(PrimitiveType.Int, -1));
        Assert.Equal(-10L, Transform.Truncate(10).Apply(PrimitiveType.Long, -1L));
        Assert.Equal("ice", Transform.Truncate(3).Apply(PrimitiveType.String, "iceberg"));
        Assert.Equal("😀é", Transform.Truncate(2).Apply(PrimitiveType.String, "😀éx"));
        Assert.Equal(new byte[] { 1, 2 }, Transform.Truncate(2).Apply(PrimitiveType.Binary, new byte[] { 1, 2, 3 }));
        Assert.Equal(10.50m, Transform.Truncate(50).Apply(PrimitiveType.Decimal(9, 2), 10.65m));
    }

    [Fact]
    public void TimeTransforms_CountUnitsSinceTheEpoch_FlooringBeforeIt()
    {
        var ts = new DateTimeOffset(2017, 11, 16, 22, 31, 8, TimeSpan.Zero);
        Assert.Equal(47, Transform.Year.Apply(PrimitiveType.TimestampTz, ts));
        Assert.Equal((47 * 12) + 10, Transform.Month.Apply(PrimitiveType.TimestampTz, ts));
        Assert.Equal(new DateOnly(2017, 11, 16), Transform.Day.Apply(PrimitiveType.TimestampTz, ts));
        Assert.Equal((17486 * 24) + 22, Transform.Hour.Apply(PrimitiveType.TimestampTz, ts));
        Assert.Equal(-1, Transform.Hour.Apply(PrimitiveType.TimestampTz, DateTimeOffset.UnixEpoch.AddMinutes(-1)));
        Assert.Equal(new DateOnly(1969, 12, 31), Transform.Day.Apply(PrimitiveType.Timestamp, new DateTime(1969, 12, 31, 23, 0, 0)));
        Assert.Equal(-1, Transform.Year.Apply(PrimitiveType.Date, new DateOnly(1969, 5, 1)));
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("bucket[16]")]
    [InlineData("truncate[4]")]
    [InlineData("year")]
    [InlineData("month")]
    [InlineData("day")]
    [InlineData("hour")]
    [InlineData("void")]
    public void Transform_ParsesAndPrints_TheSpecString(string text) => Assert.Equal(text, Transform.Parse(text).ToString());

    [Fact]
    public void Transform_RejectsUnknownTextAndWrongSourceTypes()
    {
        Assert.Contains("unknown partition transform", Assert.Throws<IcebergFormatException>(() => Transform.Parse("bucket[x]")).Message);
        Assert.Throws<IcebergFormatException>(() => Transform.Hour.ResultType(PrimitiveType.Date));
        Assert.Throws<IcebergFormatException>(() => Transform.Bucket(2).ResultType(PrimitiveType.Double));
    }

    [Fact]
    public void SingleValueSerialization_FollowsAppendixD()
    {
        Assert.Equal(new byte[] { 0x22, 0, 0, 0 }, Values.ToBytes(PrimitiveType.Int, 34));
        Assert.Equal(new byte[] { 0x22, 0, 0, 0, 0, 0, 0, 0 }, Values.ToBytes(PrimitiveType.Long, 34L));
        Assert.Equal(new byte[] { 0x05, 0x8C }, Values.ToBytes(PrimitiveType.Decimal(4, 2), 14.20m));
        Assert.Equal(new byte[] { 0xFF }, Values.ToBytes(PrimitiveType.Decimal(4, 2), -0.01m));
        Assert.Equal(Encoding.UTF8.GetBytes("iceberg"), Values.ToBytes(PrimitiveType.String, "iceberg"));
        Assert.Equal(new byte[] { 1 }, Values.ToBytes(PrimitiveType.Boolean, true));
        Assert.Equal(0xF7, Values.ToBytes(PrimitiveType.Uuid, Guid.Parse("f79c3e09-677c-4bbd-a479-3f349cb785e7"))[0]);
        foreach (var (type, value) in new (PrimitiveType, object)[]
        {
            (PrimitiveType.Decimal(38, 4), new Meshwork.Formats.Parquet.ParquetDecimal(Int128.Parse("-123456789012345678901234567890"), 4)),
            (PrimitiveType.Date, new DateOnly(1969, 1, 2)),
            (PrimitiveType.TimestampTz, new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero)),
            (PrimitiveType.Double, -0.5),
            (PrimitiveType.String, "東京😀"),
        })
        {
            Assert.Equal(value, Values.FromBytes(type, Values.ToBytes(type, value)));
        }
    }
}
