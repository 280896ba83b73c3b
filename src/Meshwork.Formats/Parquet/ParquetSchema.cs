namespace Meshwork.Formats.Parquet;

/// <summary>A field of a Parquet schema: a primitive column or a group.</summary>
public abstract class ParquetField
{
    private protected ParquetField(string name, ParquetRepetition repetition, int? fieldId)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Repetition = repetition;
        FieldId = fieldId;
    }

    /// <summary>The field name.</summary>
    public string Name { get; }

    /// <summary>Required, optional or repeated.</summary>
    public ParquetRepetition Repetition { get; }

    /// <summary>The field id (Iceberg column id), written as <c>SchemaElement.field_id</c>.</summary>
    public int? FieldId { get; }

    /// <summary>The logical type annotation, if any.</summary>
    public ParquetLogicalType? LogicalType { get; private protected init; }

    /// <summary>True when the field may be null.</summary>
    public bool IsOptional => Repetition == ParquetRepetition.Optional;

    /// <summary>A BOOLEAN column.</summary>
    public static ParquetPrimitiveField Boolean(string name, bool optional = true, int? fieldId = null) =>
        new(name, ParquetPhysicalType.Boolean, Rep(optional), fieldId);

    /// <summary>An INT32 column (INT(32, signed) annotation, as DuckDB writes).</summary>
    public static ParquetPrimitiveField Int32(string name, bool optional = true, int? fieldId = null) =>
        new(name, ParquetPhysicalType.Int32, Rep(optional), fieldId);

    /// <summary>An INT64 column.</summary>
    public static ParquetPrimitiveField Int64(string name, bool optional = true, int? fieldId = null) =>
        new(name, ParquetPhysicalType.Int64, Rep(optional), fieldId);

    /// <summary>An INT32 or INT64 column annotated INT(bitWidth, signed); values are read back as int (8/16/32 bits) or long (64 bits).</summary>
    public static ParquetPrimitiveField Integer(string name, int bitWidth, bool optional = true, int? fieldId = null)
    {
        if (bitWidth is not (8 or 16 or 32 or 64))
        {
            throw new ArgumentOutOfRangeException(nameof(bitWidth), bitWidth, "INT bit width must be 8, 16, 32 or 64");
        }

        return new(name, bitWidth == 64 ? ParquetPhysicalType.Int64 : ParquetPhysicalType.Int32, Rep(optional), fieldId, ParquetLogicalType.Integer(bitWidth));
    }

    /// <summary>A FLOAT column.</summary>
    public static ParquetPrimitiveField Float(string name, bool optional = true, int? fieldId = null) =>
        new(name, ParquetPhysicalType.Float, Rep(optional), fieldId);

    /// <summary>A DOUBLE column.</summary>
    public static ParquetPrimitiveField Double(string name, bool optional = true, int? fieldId = null) =>
        new(name, ParquetPhysicalType.Double, Rep(optional), fieldId);

    /// <summary>A BYTE_ARRAY STRING column (UTF-8).</summary>
    public static ParquetPrimitiveField String(string name, bool optional = true, int? fieldId = null) =>
        new(name, ParquetPhysicalType.ByteArray, Rep(optional), fieldId, ParquetLogicalType.String);

    /// <summary>A BYTE_ARRAY column without annotation.</summary>
    public static ParquetPrimitiveField Binary(string name, bool optional = true, int? fieldId = null) =>
        new(name, ParquetPhysicalType.ByteArray, Rep(optional), fieldId);

    /// <summary>A FIXED_LEN_BYTE_ARRAY column without annotation.</summary>
    public static ParquetPrimitiveField Fixed(string name, int length, bool optional = true, int? fieldId = null) =>
        new(name, ParquetPhysicalType.FixedLenByteArray, Rep(optional), fieldId, typeLength: length);

    /// <summary>
    /// A DECIMAL(precision, scale) column stored as Iceberg does: INT32 up to 9 digits, INT64 up to 18,
    /// else FIXED_LEN_BYTE_ARRAY of the minimal length.
    /// </summary>
    public static ParquetPrimitiveField Decimal(string name, int precision, int scale, bool optional = true, int? fieldId = null)
    {
        if (precision is < 1 or > MaxDecimalPrecision)
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, $"decimal precision must be 1..{MaxDecimalPrecision}");
        }

        if (scale < 0 || scale > precision)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "decimal scale must be 0..precision");
        }

        var logical = ParquetLogicalType.Decimal(precision, scale);
        return precision switch
        {
            <= 9 => new(name, ParquetPhysicalType.Int32, Rep(optional), fieldId, logical),
            <= 18 => new(name, ParquetPhysicalType.Int64, Rep(optional), fieldId, logical),
            _ => new(name, ParquetPhysicalType.FixedLenByteArray, Rep(optional), fieldId, logical, DecimalBytes(precision)),
        };
    }

    /// <summary>A DECIMAL column on an explicit physical type (INT32, INT64 or FIXED_LEN_BYTE_ARRAY of <paramref name="length"/> bytes).</summary>
    public static ParquetPrimitiveField Decimal(string name, int precision, int scale, ParquetPhysicalType physicalType, int length = 0, bool optional = true, int? fieldId = null) =>
        new(name, physicalType, Rep(optional), fieldId, ParquetLogicalType.Decimal(precision, scale), physicalType == ParquetPhysicalType.FixedLenByteArray ? length : 0);

    /// <summary>An INT32 DATE column.</summary>
    public static ParquetPrimitiveField Date(string name, bool optional = true, int? fieldId = null) =>
        new(name, ParquetPhysicalType.Int32, Rep(optional), fieldId, ParquetLogicalType.Date);

    /// <summary>An INT64 TIMESTAMP(MICROS) column; <paramref name="utc"/> is Iceberg's timestamptz.</summary>
    public static ParquetPrimitiveField Timestamp(string name, bool utc, bool optional = true, int? fieldId = null) =>
        new(name, ParquetPhysicalType.Int64, Rep(optional), fieldId, ParquetLogicalType.Timestamp(utc));

    /// <summary>An INT64 TIME(MICROS, not adjusted to UTC) column.</summary>
    public static ParquetPrimitiveField Time(string name, bool optional = true, int? fieldId = null) =>
        new(name, ParquetPhysicalType.Int64, Rep(optional), fieldId, ParquetLogicalType.Time(isAdjustedToUtc: false));

    /// <summary>A FIXED_LEN_BYTE_ARRAY(16) UUID column.</summary>
    public static ParquetPrimitiveField Uuid(string name, bool optional = true, int? fieldId = null) =>
        new(name, ParquetPhysicalType.FixedLenByteArray, Rep(optional), fieldId, ParquetLogicalType.Uuid, UuidLength);

    /// <summary>A struct (group without annotation).</summary>
    public static ParquetGroupField Struct(string name, IReadOnlyList<ParquetField> fields, bool optional = true, int? fieldId = null) =>
        new(name, Rep(optional), fieldId, fields);

    /// <summary>
    /// A 3-level LIST: <c>&lt;name&gt; (LIST) { repeated group list { &lt;element&gt; } }</c>. The element
    /// should be named "element".
    /// </summary>
    public static ParquetGroupField List(string name, ParquetField element, bool optional = true, int? fieldId = null)
    {
        var list = new ParquetGroupField("list", ParquetRepetition.Repeated, null, [element]);
        return new ParquetGroupField(name, Rep(optional), fieldId, [list], ParquetLogicalType.List);
    }

    /// <summary>
    /// A MAP: <c>&lt;name&gt; (MAP) { repeated group key_value { required key; value } }</c>.
    /// </summary>
    public static ParquetGroupField Map(string name, ParquetField key, ParquetField value, bool optional = true, int? fieldId = null)
    {
        if (key.Repetition != ParquetRepetition.Required)
        {
            throw new ArgumentException("map keys must be required", nameof(key));
        }

        var kv = new ParquetGroupField("key_value", ParquetRepetition.Repeated, null, [key, value]);
        return new ParquetGroupField(name, Rep(optional), fieldId, [kv], ParquetLogicalType.Map);
    }

    /// <summary>The most decimal digits a FIXED_LEN_BYTE_ARRAY of 16 bytes holds, which is what engines support.</summary>
    public const int MaxDecimalPrecision = 38;

    private const int UuidLength = 16;

    /// <summary>Minimal FIXED_LEN_BYTE_ARRAY length holding <paramref name="precision"/> decimal digits (Iceberg's rule).</summary>
    public static int DecimalBytes(int precision)
    {
        var needed = System.Numerics.BigInteger.Pow(10, precision) - 1;
        var bytes = 1;
        while (System.Numerics.BigInteger.Pow(2, (8 * bytes) - 1) <= needed)
        {
            bytes++;
        }

        return bytes;
    }

    private static ParquetRepetition Rep(bool optional) => optional ? ParquetRepetition.Optional : ParquetRepetition.Required;

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A leaf column.</summary>
public sealed class ParquetPrimitiveField : ParquetField
{
    /// <summary>Creates a primitive field; prefer the factory methods on <see cref="ParquetField"/>.</summary>
    public ParquetPrimitiveField(string name, ParquetPhysicalType physicalType, ParquetRepetition repetition, int? fieldId = null,
        ParquetLogicalType? logicalType = null, int typeLength = 0)
        : base(name, repetition, fieldId)
    {
        if (physicalType == ParquetPhysicalType.FixedLenByteArray && typeLength <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(typeLength), typeLength, $"FIXED_LEN_BYTE_ARRAY field '{name}' needs a positive length");
        }

        PhysicalType = physicalType;
        TypeLength = physicalType == ParquetPhysicalType.FixedLenByteArray ? typeLength : 0;
        LogicalType = logicalType;
    }

    /// <summary>The storage type.</summary>
    public ParquetPhysicalType PhysicalType { get; }

    /// <summary>Byte length of FIXED_LEN_BYTE_ARRAY values; 0 otherwise.</summary>
    public int TypeLength { get; }

    /// <summary>The legacy converted type as read from a file (may be set without a logical type).</summary>
    public ParquetConvertedType? ConvertedType { get; init; }
}

/// <summary>A group: struct, LIST or MAP.</summary>
public sealed class ParquetGroupField : ParquetField
{
    /// <summary>Creates a group; prefer <see cref="ParquetField.Struct"/>, <see cref="ParquetField.List"/> and <see cref="ParquetField.Map"/>.</summary>
    public ParquetGroupField(string name, ParquetRepetition repetition, int? fieldId, IReadOnlyList<ParquetField> children, ParquetLogicalType? logicalType = null)
        : base(name, repetition, fieldId)
    {
        if (children.Count == 0)
        {
            throw new ArgumentException($"group '{name}' needs at least one field", nameof(children));
        }

        Children = children;
        LogicalType = logicalType;
    }

    /// <summary>The fields of the group.</summary>
    public IReadOnlyList<ParquetField> Children { get; }

    /// <summary>True for a LIST-annotated group.</summary>
    public bool IsList => LogicalType?.Kind == ParquetLogicalTypeKind.List;

    /// <summary>True for a MAP-annotated group.</summary>
    public bool IsMap => LogicalType?.Kind == ParquetLogicalTypeKind.Map;
}

/// <summary>A leaf column of a schema with its path and maximum levels.</summary>
public sealed class ParquetColumn
{
    internal ParquetColumn(int index, ParquetPrimitiveField field, string[] path, int maxDefinitionLevel, int maxRepetitionLevel)
    {
        Index = index;
        Field = field;
        Path = path;
        MaxDefinitionLevel = maxDefinitionLevel;
        MaxRepetitionLevel = maxRepetitionLevel;
    }

    /// <summary>Position among the leaf columns.</summary>
    public int Index { get; }

    /// <summary>The leaf field.</summary>
    public ParquetPrimitiveField Field { get; }

    /// <summary>Names from the top-level field down to the leaf.</summary>
    public IReadOnlyList<string> Path { get; }

    /// <summary>Number of optional or repeated fields on the path, including the leaf.</summary>
    public int MaxDefinitionLevel { get; }

    /// <summary>Number of repeated fields on the path.</summary>
    public int MaxRepetitionLevel { get; }

    /// <summary>The dotted path.</summary>
    public override string ToString() => string.Join('.', Path);
}

/// <summary>A Parquet schema: the root's fields and the flattened leaf columns.</summary>
public sealed class ParquetSchema
{
    private const int MaxNesting = 64;

    /// <summary>Creates a schema from top-level fields.</summary>
    public ParquetSchema(IReadOnlyList<ParquetField> fields, string rootName = "schema")
    {
        if (fields.Count == 0)
        {
            throw new ArgumentException("a schema needs at least one field", nameof(fields));
        }

        Fields = fields;
        RootName = rootName;
        var columns = new List<ParquetColumn>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in fields)
        {
            if (!names.Add(f.Name))
            {
                throw new ArgumentException($"duplicate field name '{f.Name}'", nameof(fields));
            }

            Collect(f, [], 0, 0, columns, 0);
        }

        Columns = columns;
    }

    /// <summary>Creates a schema from top-level fields.</summary>
    public ParquetSchema(params ParquetField[] fields)
        : this((IReadOnlyList<ParquetField>)fields)
    {
    }

    /// <summary>Top-level fields.</summary>
    public IReadOnlyList<ParquetField> Fields { get; }

    /// <summary>Name of the root group.</summary>
    public string RootName { get; }

    /// <summary>Leaf columns in file order.</summary>
    public IReadOnlyList<ParquetColumn> Columns { get; }

    /// <summary>True when every top-level field is a required or optional primitive (the columnar fast path applies).</summary>
    public bool IsFlat => Columns.Count == Fields.Count && Columns.All(c => c.MaxRepetitionLevel == 0 && c.Path.Count == 1);

    private static void Collect(ParquetField f, List<string> path, int def, int rep, List<ParquetColumn> columns, int depth)
    {
        if (depth > MaxNesting)
        {
            throw new ArgumentException($"schema nested deeper than {MaxNesting} levels");
        }

        path.Add(f.Name);
        if (f.Repetition != ParquetRepetition.Required)
        {
            def++;
        }

        if (f.Repetition == ParquetRepetition.Repeated)
        {
            rep++;
        }

        switch (f)
        {
            case ParquetPrimitiveField p:
                columns.Add(new ParquetColumn(columns.Count, p, [.. path], def, rep));
                break;
            case ParquetGroupField g:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var c in g.Children)
                {
                    if (!names.Add(c.Name))
                    {
                        throw new ArgumentException($"duplicate field name '{c.Name}' in group '{g.Name}'");
                    }

                    Collect(c, path, def, rep, columns, depth + 1);
                }

                break;
        }

        path.RemoveAt(path.Count - 1);
    }

    /// <summary>The flattened schema elements written to the footer.</summary>
    internal List<SchemaElement> ToElements()
    {
        var list = new List<SchemaElement> { new() { Name = RootName, NumChildren = Fields.Count } };
        foreach (var f in Fields)
        {
            AddElements(f, list);
        }

        return list;
    }

    private static void AddElements(ParquetField f, List<SchemaElement> list)
    {
        var e = new SchemaElement
        {
            Name = f.Name,
            RepetitionType = f.Repetition,
            FieldId = f.FieldId,
            LogicalType = f.LogicalType,
            ConvertedType = f.LogicalType?.ToConvertedType(),
        };
        if (f.LogicalType is { Kind: ParquetLogicalTypeKind.Decimal } d)
        {
            e.Scale = d.Scale;
            e.Precision = d.Precision;
        }

        switch (f)
        {
            case ParquetPrimitiveField p:
                e.Type = p.PhysicalType;
                if (p.PhysicalType == ParquetPhysicalType.FixedLenByteArray)
                {
                    e.TypeLength = p.TypeLength;
                }

                if (p.LogicalType is null && p.ConvertedType is { } ct)
                {
                    e.ConvertedType = ct;
                }

                list.Add(e);
                break;
            case ParquetGroupField g:
                e.NumChildren = g.Children.Count;
                list.Add(e);
                foreach (var c in g.Children)
                {
                    AddElements(c, list);
                }

                break;
        }
    }

    /// <summary>Rebuilds the schema tree from footer elements, validating child counts.</summary>
    internal static ParquetSchema FromElements(IReadOnlyList<SchemaElement> elements)
    {
        if (elements.Count == 0)
        {
            ParquetFormatException.Throw("footer schema is empty");
        }

        var root = elements[0];
        if (root.NumChildren is not > 0)
        {
            ParquetFormatException.Throw("footer schema root has no children");
        }

        var index = 1;
        var fields = new List<ParquetField>();
        for (var i = 0; i < root.NumChildren; i++)
        {
            fields.Add(Build(elements, ref index, 0));
        }

        if (index != elements.Count)
        {
            ParquetFormatException.Throw($"footer schema has {elements.Count - index} elements beyond the root's children");
        }

        try
        {
            return new ParquetSchema(fields, root.Name);
        }
        catch (ArgumentException e)
        {
            throw new ParquetFormatException($"footer schema is invalid: {e.Message}", e);
        }
    }

    private static ParquetField Build(IReadOnlyList<SchemaElement> elements, ref int index, int depth)
    {
        if (index >= elements.Count)
        {
            ParquetFormatException.Throw("footer schema ends before all children were listed");
        }

        if (depth > MaxNesting)
        {
            ParquetFormatException.Throw($"footer schema nested deeper than {MaxNesting} levels");
        }

        var e = elements[index++];
        var name = string.IsNullOrEmpty(e.Name) ? ParquetFormatException.Throw<string>($"schema element {index - 1} has no name") : e.Name;
        var rep = e.RepetitionType ?? ParquetRepetition.Optional;
        var logical = e.LogicalType;
        if (logical is null && e.ConvertedType is { } ct)
        {
            logical = ParquetLogicalType.FromConvertedType(ct, e.Precision ?? 0, e.Scale ?? 0);
        }

        try
        {
            if (e.NumChildren is > 0 && e.Type is null)
            {
                if (e.NumChildren > elements.Count - index)
                {
                    ParquetFormatException.Throw($"schema group '{name}' claims {e.NumChildren} children but only {elements.Count - index} elements follow");
                }

                var children = new List<ParquetField>();
                for (var i = 0; i < e.NumChildren; i++)
                {
                    children.Add(Build(elements, ref index, depth + 1));
                }

                if (logical is { Kind: not (ParquetLogicalTypeKind.List or ParquetLogicalTypeKind.Map) })
                {
                    logical = null;
                }

                return new ParquetGroupField(name, rep, e.FieldId, children, logical);
            }

            if (e.Type is not { } type)
            {
                return ParquetFormatException.Throw<ParquetField>($"schema element '{name}' has neither a type nor children");
            }

            if (type == ParquetPhysicalType.FixedLenByteArray && e.TypeLength is not > 0)
            {
                ParquetFormatException.Throw($"FIXED_LEN_BYTE_ARRAY column '{name}' has no positive type_length");
            }

            return new ParquetPrimitiveField(name, type, rep, e.FieldId, logical, e.TypeLength ?? 0) { ConvertedType = e.ConvertedType };
        }
        catch (ArgumentException ex)
        {
            throw new ParquetFormatException($"schema element '{name}' is invalid: {ex.Message}", ex);
        }
    }
}
