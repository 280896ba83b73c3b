using Meshwork.Formats.Avro;
using Shouldly;

namespace Meshwork.Formats.Tests.Avro;

public class SingleObjectTests
{
    // Specification, "Single-object encoding": C3 01, the CRC-64-AVRO fingerprint little-endian, then the datum.
    [Fact]
    public void Encode_WritesMarkerFingerprintAndDatum()
    {
        var schema = AvroSchema.Parse("\"null\"");
        var message = AvroSingleObject.Encode(schema, null);
        // 7195948357588979594 is the spec vector for "null": 0x63dd24e7cc258f8a.
        Convert.ToHexStringLower(message).ShouldBe("c3018a8f25cce724dd63");
        AvroSingleObject.Decode(schema, message).ShouldBeNull();
    }

    [Fact]
    public void Decode_LooksUpTheWriterSchemaByFingerprint()
    {
        var a = AvroSchema.Parse("""{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}""");
        var b = AvroSchema.Parse("\"string\"");
        var known = new Dictionary<ulong, AvroSchema> { [AvroFingerprint.Crc64(a)] = a, [AvroFingerprint.Crc64(b)] = b };
        var message = AvroSingleObject.Encode(b, "hi");
        AvroSingleObject.TryReadFingerprint(message, out var fp).ShouldBeTrue();
        fp.ShouldBe(AvroFingerprint.Crc64(b));
        AvroSingleObject.Decode(f => known.GetValueOrDefault(f), message).ShouldBe("hi");
    }

    [Theory]
    [InlineData("")]
    [InlineData("c301")]
    [InlineData("c3028a8f25cce724dd63")]
    [InlineData("00018a8f25cce724dd63")]
    public void Decode_RejectsBadHeaders(string hex) =>
        Should.Throw<AvroDataException>(() => AvroSingleObject.Decode(AvroSchema.Parse("\"null\""), Convert.FromHexString(hex)));

    [Fact]
    public void Decode_RejectsAnotherSchemasFingerprint()
    {
        var message = AvroSingleObject.Encode(AvroSchema.Parse("\"int\""), 1);
        Should.Throw<AvroDataException>(() => AvroSingleObject.Decode(AvroSchema.Parse("\"long\""), message)).Message.ShouldContain("fingerprint");
    }
}
