using System.Numerics;
using System.Text.Json;
using Meshwork.Formats.Avro;
using Meshwork.Lake.Metadata;
using Shouldly;

namespace Meshwork.Processing.Tests;

/// <summary>Decoded Avro and JSON values into the lake's value model, column by column and by field name.</summary>
public sealed class RowMapperTests
{
    private const string OrderSchema = """
        {"type": "record", "name": "Order", "fields": [
          {"name": "id", "type": "string"},
          {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
          {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["PLACED", "PAID"]}},
          {"name": "placedAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
          {"name": "due", "type": ["null", {"type": "int", "logicalType": "date"}], "default": null},
          {"name": "count", "type": "int"},
          {"name": "tags", "type": {"type": "array", "items": "string"}},
          {"name": "attributes", "type": {"type": "map", "values": "long"}},
          {"name": "address", "type": {"type": "record", "name": "Address", "fields": [{"name": "city", "type": "string"}, {"name": "zip", "type": ["null", "int"]}]}},
          {"name": "token", "type": {"type": "fixed", "name": "Token", "size": 2}}
        ]}
        """;

    private static (IcebergSchema Table, RecordSchema Avro) Schemas()
    {
        var avro = (RecordSchema)AvroSchema.Parse(OrderSchema);
        var last = 0;
        return (SchemaMapper.FromAvro(avro, null, ref last, ["id"]), avro);
    }

    [Fact]
    public void Row_FromAvro_ConvertsLogicalTypesEnumsUnionsAndNestedValues()
    {
        var (table, avro) = Schemas();
        var placed = new DateTimeOffset(2026, 12, 7, 10, 30, 0, 123, TimeSpan.Zero);
        var address = new AvroRecord((RecordSchema)avro.Fields.Single(f => f.Name == "address").Schema, "Utrecht", new AvroUnion(1, 3511));
        var record = new AvroRecord(avro, "ORD-1", AvroDecimal.FromDecimal(1234.5m, 2), new AvroEnum((EnumSchema)avro.Fields[2].Schema, "PAID"), placed,
            new AvroUnion(1, new DateOnly(2027, 1, 31)), 3, new List<object?> { "a", "b" }, new Dictionary<string, object?> { ["x"] = 7L },
            address, new AvroFixed((FixedSchema)avro.Fields[9].Schema, [1, 2]));

        // Through the real codec, so the values are what a decoder hands over.
        var decoded = (AvroRecord)AvroBinary.Decode(avro, AvroBinary.Encode(avro, record), new AvroDecodeOptions { ConvertLogicalTypes = true })!;
        var row = RowMapper.Row(table, avro.Fields.ToDictionary(f => f.Name, f => decoded[f.Position]));

        row[0].ShouldBe("ORD-1");
        row[1].ShouldBe(1234.50m);
        row[2].ShouldBe("PAID");
        row[3].ShouldBe(placed);
        row[4].ShouldBe(new DateOnly(2027, 1, 31));
        row[5].ShouldBe(3);
        MaterializationCheck.Same(row[6], new List<object?> { "a", "b" }).ShouldBeTrue();
        MaterializationCheck.Same(row[7], new List<KeyValuePair<object?, object?>> { new("x", 7L) }).ShouldBeTrue();
        MaterializationCheck.Same(row[8], new object?[] { "Utrecht", 3511 }).ShouldBeTrue();
        MaterializationCheck.Same(row[9], new byte[] { 1, 2 }).ShouldBeTrue();
    }

    [Fact]
    public void Row_FieldMissingFromTheRecord_IsNull_AndExtraFieldsAreIgnored()
    {
        var (table, _) = Schemas();

        var row = RowMapper.Row(table, new Dictionary<string, object?> { ["id"] = "ORD-2", ["unknown"] = 1 });

        row[0].ShouldBe("ORD-2");
        row.Skip(1).ShouldAllBe(v => v == null);
    }

    [Fact]
    public void Row_FromJson_ParsesDatesTimestampsAndNumbersByColumnType()
    {
        var table = new IcebergSchema(0,
        [
            NestedField.Require(1, "id", PrimitiveType.Long),
            NestedField.Optional(2, "at", PrimitiveType.TimestampTz),
            NestedField.Optional(3, "day", PrimitiveType.Date),
            NestedField.Optional(4, "price", PrimitiveType.Decimal(10, 2)),
            NestedField.Optional(5, "ratio", PrimitiveType.Double),
            NestedField.Optional(6, "note", PrimitiveType.String),
            NestedField.Optional(7, "ok", PrimitiveType.Boolean),
            NestedField.Optional(8, "items", new ListType(9, false, PrimitiveType.Long)),
        ], [1]);
        using var json = JsonDocument.Parse("""{"id": 42, "at": "2026-12-07T10:30:00Z", "day": "2026-12-08", "price": 9.99, "ratio": 0.5, "note": null, "ok": true, "items": [1, 2]}""");

        var row = RowMapper.Row(table, json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value));

        row[0].ShouldBe(42L);
        row[1].ShouldBe(new DateTimeOffset(2026, 12, 7, 10, 30, 0, TimeSpan.Zero));
        row[2].ShouldBe(new DateOnly(2026, 12, 8));
        row[3].ShouldBe(9.99m);
        row[4].ShouldBe(0.5);
        row[5].ShouldBeNull();
        row[6].ShouldBe(true);
        MaterializationCheck.Same(row[7], new List<object?> { 1L, 2L }).ShouldBeTrue();
    }

    [Fact]
    public void Convert_ValueOfTheWrongType_FailsNamingTheColumn()
    {
        var error = Should.Throw<RowMappingException>(() => RowMapper.Convert(PrimitiveType.Long, "twelve", "order.count"));

        error.Message.ShouldContain("order.count");
        error.Message.ShouldContain("long");
    }

    [Fact]
    public void Convert_AvroDecimalOfAnotherScale_IsRescaled()
    {
        RowMapper.Convert(PrimitiveType.Decimal(12, 3), new AvroDecimal(new BigInteger(12345), 2), "amount").ShouldBe(123.450m);
    }

    [Fact]
    public void KeyFromText_SplitsOnTheSeparator_AndParsesEachKeyFieldByType()
    {
        NestedField[] keys =
        [
            NestedField.Require(1, "day", PrimitiveType.Date),
            NestedField.Require(2, "segment", PrimitiveType.String),
            NestedField.Require(3, "year", PrimitiveType.Int),
        ];

        RowMapper.KeyFromText(keys, "2026-12-07|ENTERPRISE|2027").ShouldBe([new DateOnly(2026, 12, 7), "ENTERPRISE", 2027]);
        RowMapper.KeyFromText([keys[1]], "a|b").ShouldBe(["a|b"]);
        Should.Throw<RowMappingException>(() => RowMapper.KeyFromText(keys, "2026-12-07|ENTERPRISE")).Message.ShouldContain("day, segment, year");
        Should.Throw<RowMappingException>(() => RowMapper.KeyFromText(keys, "07/12/2026|X|1")).Message.ShouldContain("key field day");
    }
}
