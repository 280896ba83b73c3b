using Meshwork.Formats.Parquet;
using Meshwork.Lake.Metadata;

namespace Meshwork.Lake.Data;

/// <summary>Maps Iceberg schemas to Parquet schemas: every element carries its Iceberg field id; lists and maps use the 3-level layout.</summary>
public static class ParquetSchemas
{
    /// <summary>Field id of a position delete's <c>file_path</c> (reserved id 2147483546).</summary>
    public const int DeleteFilePathId = int.MaxValue - 101;

    /// <summary>Field id of a position delete's <c>pos</c> (reserved id 2147483545).</summary>
    public const int DeletePosId = int.MaxValue - 102;

    /// <summary>The schema of position delete files.</summary>
    public static IcebergSchema PositionDeleteSchema { get; } = new(0,
    [
        NestedField.Require(DeleteFilePathId, "file_path", PrimitiveType.String, "Path of a file in which a deleted row is stored"),
        NestedField.Require(DeletePosId, "pos", PrimitiveType.Long, "Ordinal position of a deleted row in the data file"),
    ]);

    /// <summary>The Parquet schema of an Iceberg schema.</summary>
    public static ParquetSchema ToParquet(IcebergSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new ParquetSchema([.. schema.Fields.Select(f => Field(f.Name, f.Type, !f.Required, f.Id))], "table");
    }

    private static ParquetField Field(string name, IcebergType type, bool optional, int id) => type switch
    {
        StructType s => ParquetField.Struct(name, [.. s.Fields.Select(f => Field(f.Name, f.Type, !f.Required, f.Id))], optional, id),
        ListType l => ParquetField.List(name, Field("element", l.Element, !l.ElementRequired, l.ElementId), optional, id),
        MapType m => ParquetField.Map(name, Field("key", m.Key, false, m.KeyId), Field("value", m.Value, !m.ValueRequired, m.ValueId), optional, id),
        PrimitiveType p => p.Id switch
        {
            TypeId.Boolean => ParquetField.Boolean(name, optional, id),
            TypeId.Int => ParquetField.Int32(name, optional, id),
            TypeId.Long => ParquetField.Int64(name, optional, id),
            TypeId.Float => ParquetField.Float(name, optional, id),
            TypeId.Double => ParquetField.Double(name, optional, id),
            TypeId.Decimal => ParquetField.Decimal(name, p.Precision, p.Scale, optional, id),
            TypeId.Date => ParquetField.Date(name, optional, id),
            TypeId.Time => ParquetField.Time(name, optional, id),
            TypeId.Timestamp => ParquetField.Timestamp(name, utc: false, optional, id),
            TypeId.TimestampTz => ParquetField.Timestamp(name, utc: true, optional, id),
            TypeId.String => ParquetField.String(name, optional, id),
            TypeId.Uuid => ParquetField.Uuid(name, optional, id),
            TypeId.Fixed => ParquetField.Fixed(name, p.Length, optional, id),
            TypeId.Binary => ParquetField.Binary(name, optional, id),
            _ => throw new ArgumentException(p.ToString()),
        },
        _ => throw new ArgumentException(type.GetType().Name),
    };
}
