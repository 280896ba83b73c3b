namespace Meshwork.Formats.Avro;

/// <summary>The kinds of Avro schema.</summary>
public enum AvroType
{
    /// <summary>No value.</summary>
    Null,
    /// <summary>A binary value.</summary>
    Boolean,
    /// <summary>32-bit signed integer.</summary>
    Int,
    /// <summary>64-bit signed integer.</summary>
    Long,
    /// <summary>IEEE 754 single precision.</summary>
    Float,
    /// <summary>IEEE 754 double precision.</summary>
    Double,
    /// <summary>Sequence of 8-bit unsigned bytes.</summary>
    Bytes,
    /// <summary>Unicode character sequence.</summary>
    String,
    /// <summary>A named record (or error) of fields.</summary>
    Record,
    /// <summary>A named set of symbols.</summary>
    Enum,
    /// <summary>An array of items.</summary>
    Array,
    /// <summary>A map from string keys to values.</summary>
    Map,
    /// <summary>A union of schemas.</summary>
    Union,
    /// <summary>A named fixed-size byte sequence.</summary>
    Fixed,
}

/// <summary>Field sort order, as declared by a record field's <c>order</c> attribute.</summary>
public enum AvroSortOrder
{
    /// <summary>The default.</summary>
    Ascending,
    /// <summary>Reverse order.</summary>
    Descending,
    /// <summary>The field is ignored when sorting.</summary>
    Ignore,
}
