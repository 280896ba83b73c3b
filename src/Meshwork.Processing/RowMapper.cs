using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Meshwork.Formats.Avro;
using Meshwork.Lake.Metadata;

namespace Meshwork.Processing;

/// <summary>A decoded value that does not fit the table column it maps to; the message names the column.</summary>
public sealed class RowMappingException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public RowMappingException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Turns decoded record values — Avro generic values (logical types converted) or JSON elements — into the lake's row
/// value model (<see cref="Values"/>), column by column of a table schema, matching fields by name.
/// </summary>
public static class RowMapper
{
    /// <summary>The separator of key field values in a record key (what the example generators and <c>mesh produce</c> write).</summary>
    public const char KeySeparator = '|';

    /// <summary>
    /// The value of every top-level column of <paramref name="schema"/> taken from <paramref name="fields"/> by name,
    /// converted to the column's type; a column without a field is null.
    /// </summary>
    public static object?[] Row(IcebergSchema schema, IReadOnlyDictionary<string, object?> fields)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(fields);
        var row = new object?[schema.Fields.Count];
        for (var i = 0; i < row.Length; i++)
        {
            var field = schema.Fields[i];
            row[i] = fields.TryGetValue(field.Name, out var value) ? Convert(field.Type, value, field.Name) : null;
        }

        return row;
    }

    /// <summary>Converts one decoded value to the lake's value for <paramref name="type"/>; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="RowMappingException">The value does not fit the type.</exception>
    public static object? Convert(IcebergType type, object? value, string path)
    {
        ArgumentNullException.ThrowIfNull(type);
        switch (value)
        {
            case null:
            case JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                return null;
            case AvroUnion union:
                return Convert(type, union.Value, path);
        }

        try
        {
            return type switch
            {
                PrimitiveType p => Primitive(p, value, path),
                StructType s => Struct(s, value, path),
                ListType l => List(l, value, path),
                MapType m => Map(m, value, path),
                _ => throw Mismatch(type, value, path),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException or ArgumentException && e is not RowMappingException)
        {
            throw new RowMappingException($"{path}: {Describe(value)} is not a valid {type} ({e.Message})", e);
        }
    }

    /// <summary>
    /// The key values of a record key written as the key fields' values joined by <see cref="KeySeparator"/>, converted
    /// to the key columns' types (dates as <c>yyyy-MM-dd</c>, numbers and timestamps in the invariant culture).
    /// </summary>
    /// <exception cref="RowMappingException">The key does not have one part per key field, or a part does not parse.</exception>
    public static object?[] KeyFromText(IReadOnlyList<NestedField> keyFields, string key)
    {
        ArgumentNullException.ThrowIfNull(keyFields);
        ArgumentNullException.ThrowIfNull(key);
        var parts = keyFields.Count == 1 ? [key] : key.Split(KeySeparator);
        if (parts.Length != keyFields.Count)
        {
            throw new RowMappingException($"record key '{key}' has {parts.Length} part(s) separated by '{KeySeparator}', but the key fields are {string.Join(", ", keyFields.Select(f => f.Name))}");
        }

        var values = new object?[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (keyFields[i].Type is not PrimitiveType type)
            {
                throw new RowMappingException($"key field {keyFields[i].Name} is not a primitive");
            }

            try
            {
                values[i] = FromText(type, parts[i]);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new RowMappingException($"record key '{key}': '{parts[i]}' is not a valid {type} for key field {keyFields[i].Name}", e);
            }
        }

        return values;
    }

    private static object FromText(PrimitiveType type, string text) => type.Id switch
    {
        TypeId.String => text,
        TypeId.Int => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture),
        TypeId.Long => long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture),
        TypeId.Float => float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        TypeId.Double => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        TypeId.Decimal => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture),
        TypeId.Boolean => bool.Parse(text),
        TypeId.Date => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        TypeId.Time => TimeOnly.Parse(text, CultureInfo.InvariantCulture),
        TypeId.TimestampTz => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        TypeId.Timestamp => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.None),
        TypeId.Uuid => Guid.Parse(text, CultureInfo.InvariantCulture),
        _ => throw new FormatException($"a {type} key cannot be written as text"),
    };

    private static object Primitive(PrimitiveType type, object value, string path)
    {
        if (value is JsonElement json)
        {
            return json.ValueKind switch
            {
                JsonValueKind.String when type.Id is not (TypeId.String or TypeId.Binary or TypeId.Fixed) => FromText(type, json.GetString()!),
                JsonValueKind.String => type.Id == TypeId.String ? json.GetString()! : System.Convert.FromBase64String(json.GetString()!),
                JsonValueKind.True or JsonValueKind.False when type.Id == TypeId.Boolean => json.GetBoolean(),
                JsonValueKind.Number => type.Id switch
                {
                    TypeId.Int => json.GetInt32(),
                    TypeId.Long => json.GetInt64(),
                    TypeId.Float => json.GetSingle(),
                    TypeId.Double => json.GetDouble(),
                    TypeId.Decimal => Math.Round(json.GetDecimal(), type.Scale),
                    TypeId.String => json.GetRawText(),
                    _ => throw Mismatch(type, value, path),
                },
                _ when type.Id == TypeId.String => json.GetRawText(),
                _ => throw Mismatch(type, value, path),
            };
        }

        return (type.Id, value) switch
        {
            (TypeId.String, string s) => s,
            (TypeId.String, AvroEnum e) => e.Symbol,
            (TypeId.Boolean, bool b) => b,
            (TypeId.Int, int i) => i,
            (TypeId.Long, long l) => l,
            (TypeId.Long, int i) => (long)i,
            (TypeId.Float, float f) => f,
            (TypeId.Float, int i) => (float)i,
            (TypeId.Float, long l) => (float)l,
            (TypeId.Double, double d) => d,
            (TypeId.Double, float f) => (double)f,
            (TypeId.Double, int i) => (double)i,
            (TypeId.Double, long l) => (double)l,
            (TypeId.Decimal, AvroDecimal d) => Values.Decimal(Rescale(d.Unscaled, d.Scale, type.Scale), type.Scale, type.Precision),
            (TypeId.Decimal, decimal d) => d,
            (TypeId.Date, DateOnly d) => d,
            (TypeId.Date, int days) => Values.Date(days),
            (TypeId.Time, TimeOnly t) => t,
            (TypeId.TimestampTz, DateTimeOffset t) => t.ToUniversalTime(),
            (TypeId.TimestampTz, DateTime t) => Values.Coerce(type, t)!,
            (TypeId.Timestamp, DateTime t) => t,
            (TypeId.Timestamp, DateTimeOffset t) => t.UtcDateTime,
            (TypeId.Uuid, Guid g) => g,
            (TypeId.Uuid, string s) => Guid.Parse(s, CultureInfo.InvariantCulture),
            (TypeId.Binary or TypeId.Fixed, byte[] b) => b,
            (TypeId.Binary or TypeId.Fixed, AvroFixed f) => f.Value,
            _ => throw Mismatch(type, value, path),
        };
    }

    private static object?[] Struct(StructType type, object value, string path)
    {
        var row = new object?[type.Fields.Count];
        for (var i = 0; i < row.Length; i++)
        {
            var field = type.Fields[i];
            var found = value switch
            {
                AvroRecord record => record.TryGetValue(field.Name, out var v) ? (true, v) : (false, null),
                JsonElement { ValueKind: JsonValueKind.Object } json => json.TryGetProperty(field.Name, out var p) ? (true, (object?)p) : (false, null),
                IReadOnlyDictionary<string, object?> map => map.TryGetValue(field.Name, out var m) ? (true, m) : (false, null),
                _ => throw Mismatch(type, value, path),
            };
            row[i] = found.Item1 ? Convert(field.Type, found.Item2, path + "." + field.Name) : null;
        }

        return row;
    }

    private static List<object?> List(ListType type, object value, string path)
    {
        var items = value switch
        {
            JsonElement { ValueKind: JsonValueKind.Array } json => json.EnumerateArray().Select(e => (object?)e),
            IEnumerable enumerable and not string and not byte[] => enumerable.Cast<object?>(),
            _ => throw Mismatch(type, value, path),
        };
        return [.. items.Select((item, i) => Convert(type.Element, item, $"{path}[{i}]"))];
    }

    private static List<KeyValuePair<object?, object?>> Map(MapType type, object value, string path)
    {
        var entries = value switch
        {
            JsonElement { ValueKind: JsonValueKind.Object } json => json.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, p.Value)),
            IEnumerable<KeyValuePair<string, object?>> map => map,
            _ => throw Mismatch(type, value, path),
        };
        return [.. entries.Select(e => new KeyValuePair<object?, object?>(Convert(type.Key, e.Key, path + ".key"), Convert(type.Value, e.Value, $"{path}[{e.Key}]")))];
    }

    private static BigInteger Rescale(BigInteger unscaled, int from, int to) =>
        from == to ? unscaled : from < to ? unscaled * BigInteger.Pow(10, to - from) : BigInteger.Divide(unscaled, BigInteger.Pow(10, from - to));

    private static RowMappingException Mismatch(IcebergType type, object value, string path) =>
        new($"{path}: {Describe(value)} does not map to a {type} column");

    private static string Describe(object value) => value switch
    {
        JsonElement json => $"JSON {json.ValueKind.ToString().ToLowerInvariant()} {Truncate(json.GetRawText())}",
        _ => $"{value.GetType().Name} {Truncate(System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")}",
    };

    private static string Truncate(string text) => text.Length > 60 ? text[..60] + "…" : text;
}
