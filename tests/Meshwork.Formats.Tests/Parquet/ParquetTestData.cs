using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;
using Meshwork.Formats.Parquet;

namespace Meshwork.Formats.Tests.Parquet;

/// <summary>Seeded random schemas' rows and a normalized JSON form shared with the node drivers.</summary>
internal static class ParquetTestData
{
    private const long UnixEpochTicks = 621355968000000000;

    /// <summary>A schema covering every logical type the writer supports, nested structs, lists and a map.</summary>
    public static ParquetSchema FullSchema() => new(
        ParquetField.Int64("id", optional: false, fieldId: 1),
        ParquetField.Boolean("flag", fieldId: 2),
        ParquetField.Int32("i32", fieldId: 3),
        ParquetField.Integer("i8", 8, fieldId: 4),
        ParquetField.Integer("i16", 16, fieldId: 5),
        ParquetField.Float("f32", fieldId: 6),
        ParquetField.Double("f64", fieldId: 7),
        ParquetField.String("name", fieldId: 8),
        ParquetField.Binary("blob", fieldId: 9),
        ParquetField.Decimal("d9", 9, 2, fieldId: 10),
        ParquetField.Decimal("d18", 18, 6, fieldId: 11),
        ParquetField.Decimal("d28", 28, 10, fieldId: 12),
        ParquetField.Decimal("d38", 38, 4, fieldId: 13),
        ParquetField.Date("day", fieldId: 14),
        ParquetField.Timestamp("ts", utc: false, fieldId: 15),
        ParquetField.Timestamp("tstz", utc: true, fieldId: 16),
        ParquetField.Uuid("uid", fieldId: 17),
        ParquetField.Struct("address", [
            ParquetField.String("street", fieldId: 19),
            ParquetField.Int32("zip", optional: false, fieldId: 20),
            ParquetField.Struct("geo", [ParquetField.Double("lat", fieldId: 22), ParquetField.Double("lon", fieldId: 23)], fieldId: 21),
        ], fieldId: 18),
        ParquetField.List("tags", ParquetField.String("element", fieldId: 25), fieldId: 24),
        ParquetField.List("points", ParquetField.Struct("element", [ParquetField.Int32("x", fieldId: 28), ParquetField.List("ys", ParquetField.Int64("element", fieldId: 30), fieldId: 29)], fieldId: 27), fieldId: 26),
        ParquetField.Map("attrs", ParquetField.String("key", optional: false, fieldId: 32), ParquetField.Int32("value", fieldId: 33), fieldId: 31));

    public static List<object?[]> Rows(ParquetSchema schema, int count, int seed, double nullRate = 0.15)
    {
        var random = new Random(seed);
        var rows = new List<object?[]>(count);
        for (var r = 0; r < count; r++)
        {
            var row = new object?[schema.Fields.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = Value(schema.Fields[i], random, nullRate, r);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static readonly string[] Words = ["alpha", "βeta", "gämma", "дельта", "東京", "😀 emoji", "", "tab\there", "quote\"s", "long-" + new string('x', 100)];

    public static object? Value(ParquetField field, Random random, double nullRate, int row)
    {
        if (field.Repetition == ParquetRepetition.Optional && random.NextDouble() < nullRate)
        {
            return null;
        }

        switch (field)
        {
            case ParquetGroupField g when g.IsList:
                var element = ((ParquetGroupField)g.Children[0]).Children[0];
                var n = random.Next(0, 4);
                var list = new List<object?>();
                for (var i = 0; i < n; i++)
                {
                    list.Add(Value(element, random, nullRate, row));
                }

                return list;
            case ParquetGroupField g when g.IsMap:
                var kv = (ParquetGroupField)g.Children[0];
                var map = new List<KeyValuePair<object?, object?>>();
                var m = random.Next(0, 3);
                for (var i = 0; i < m; i++)
                {
                    map.Add(new KeyValuePair<object?, object?>("k" + i + "-" + random.Next(100), Value(kv.Children[1], random, nullRate, row)));
                }

                return map;
            case ParquetGroupField g:
                var fields = new object?[g.Children.Count];
                for (var i = 0; i < fields.Length; i++)
                {
                    fields[i] = Value(g.Children[i], random, nullRate, row);
                }

                return fields;
        }

        var p = (ParquetPrimitiveField)field;
        var lt = p.LogicalType;
        switch (lt?.Kind)
        {
            case ParquetLogicalTypeKind.String:
                return random.Next(4) == 0 ? Words[random.Next(Words.Length)] : "s" + random.Next(50).ToString(CultureInfo.InvariantCulture);
            case ParquetLogicalTypeKind.Decimal:
                return RandomDecimal(random, lt.Precision, lt.Scale);
            case ParquetLogicalTypeKind.Date:
                return DateOnly.FromDayNumber(random.Next(DateOnly.FromDateTime(new DateTime(1800, 1, 1)).DayNumber, DateOnly.FromDateTime(new DateTime(2200, 1, 1)).DayNumber));
            case ParquetLogicalTypeKind.Timestamp:
                var micros = random.NextInt64(-5_000_000_000_000_000, 5_000_000_000_000_000);
                var ticks = (micros * 10) + UnixEpochTicks;
                return lt.IsAdjustedToUtc ? new DateTimeOffset(ticks, TimeSpan.Zero) : (object)new DateTime(ticks, DateTimeKind.Unspecified);
            case ParquetLogicalTypeKind.Uuid:
                var bytes = new byte[16];
                random.NextBytes(bytes);
                return new Guid(bytes);
            case ParquetLogicalTypeKind.Integer when lt.BitWidth == 8:
                return random.Next(sbyte.MinValue, sbyte.MaxValue + 1);
            case ParquetLogicalTypeKind.Integer when lt.BitWidth == 16:
                return random.Next(short.MinValue, short.MaxValue + 1);
        }

        return p.PhysicalType switch
        {
            ParquetPhysicalType.Boolean => random.Next(2) == 0,
            ParquetPhysicalType.Int32 => random.Next(3) == 0 ? random.Next(-5, 5) : random.Next(int.MinValue, int.MaxValue),
            ParquetPhysicalType.Int64 => random.Next(3) == 0 ? (long)row : random.NextInt64(long.MinValue, long.MaxValue),
            ParquetPhysicalType.Float => (float)Math.Round((random.NextDouble() - 0.5) * 1000, 3),
            ParquetPhysicalType.Double => random.Next(5) == 0 ? 0.0 : (random.NextDouble() - 0.5) * 1e6,
            ParquetPhysicalType.ByteArray => RandomBytes(random),
            ParquetPhysicalType.FixedLenByteArray => RandomBytes(random, p.TypeLength),
            _ => throw new NotSupportedException(p.PhysicalType.ToString()),
        };
    }

    private static byte[] RandomBytes(Random random, int length = -1)
    {
        var b = new byte[length >= 0 ? length : random.Next(0, 20)];
        random.NextBytes(b);
        return b;
    }

    /// <summary>A random decimal with up to <paramref name="precision"/> digits; returns decimal when it fits, else ParquetDecimal.</summary>
    public static object RandomDecimal(Random random, int precision, int scale)
    {
        var digits = random.Next(1, precision + 1);
        Int128 unscaled = 0;
        for (var i = 0; i < digits; i++)
        {
            unscaled = (unscaled * 10) + random.Next(i == 0 ? 1 : 0, 10);
        }

        if (random.Next(2) == 0)
        {
            unscaled = -unscaled;
        }

        var value = new ParquetDecimal(unscaled, scale);
        return precision <= 28 ? decimal.Parse(value.ToString(), CultureInfo.InvariantCulture) : value;
    }

    // ------------------------------------------------------------------ normalized JSON

    /// <summary>Rows as JSON objects in the normalized form the node drivers also produce.</summary>
    public static JsonArray Normalize(ParquetSchema schema, IEnumerable<object?[]> rows)
    {
        var array = new JsonArray();
        foreach (var row in rows)
        {
            var o = new JsonObject();
            for (var i = 0; i < schema.Fields.Count; i++)
            {
                o[schema.Fields[i].Name] = Normalize(schema.Fields[i], row[i]);
            }

            array.Add(o);
        }

        return array;
    }

    public static JsonNode? Normalize(ParquetField field, object? value)
    {
        if (value is null)
        {
            return null;
        }

        switch (field)
        {
            case ParquetGroupField g when g.IsMap:
                var kv = (ParquetGroupField)g.Children[0];
                var pairs = new JsonArray();
                foreach (var item in (IEnumerable)value)
                {
                    var (k, v) = item switch
                    {
                        KeyValuePair<object?, object?> p => (p.Key, p.Value),
                        _ => throw new InvalidOperationException("map entry " + item),
                    };
                    pairs.Add(new JsonArray(Normalize(kv.Children[0], k), Normalize(kv.Children[1], v)));
                }

                return pairs;
            case ParquetGroupField g when g.IsList:
                var element = ((ParquetGroupField)g.Children[0]).Children[0];
                var list = new JsonArray();
                foreach (var item in (IEnumerable)value)
                {
                    list.Add(Normalize(element, item));
                }

                return list;
            case ParquetGroupField g:
                var fields = (object?[])value;
                var o = new JsonObject();
                for (var i = 0; i < g.Children.Count; i++)
                {
                    o[g.Children[i].Name] = Normalize(g.Children[i], fields[i]);
                }

                return o;
        }

        var lt = field.LogicalType;
        return value switch
        {
            bool b => b,
            int i => i,
            long l => l.ToString(CultureInfo.InvariantCulture),
            float f => (double)f,
            double d => d,
            string s => s,
            byte[] bytes => "b64:" + Convert.ToBase64String(bytes),
            decimal m => "dec:" + FormatDecimal(ParquetDecimal.FromDecimal(m), lt!.Scale),
            ParquetDecimal pd => "dec:" + FormatDecimal(pd, lt!.Scale),
            DateOnly date => "date:" + (date.DayNumber - 719162).ToString(CultureInfo.InvariantCulture),
            DateTime dt => "ts:" + ((dt.Ticks - UnixEpochTicks) / 10).ToString(CultureInfo.InvariantCulture),
            DateTimeOffset dto => "ts:" + ((dto.UtcTicks - UnixEpochTicks) / 10).ToString(CultureInfo.InvariantCulture),
            Guid g => "uuid:" + g.ToString("D"),
            _ => throw new InvalidOperationException($"cannot normalize {value.GetType().Name}"),
        };
    }

    private static string FormatDecimal(ParquetDecimal value, int scale)
    {
        var unscaled = value.Unscaled;
        for (var s = value.Scale; s < scale; s++)
        {
            unscaled *= 10;
        }

        for (var s = value.Scale; s > scale; s--)
        {
            unscaled /= 10;
        }

        return new ParquetDecimal(unscaled, scale).ToString();
    }

    /// <summary>Deep equality where numbers compare by value (drivers emit ints as numbers or strings).</summary>
    public static bool JsonEquals(JsonNode? a, JsonNode? b, out string difference, string path = "$")
    {
        difference = "";
        switch (a, b)
        {
            case (null, null):
                return true;
            case (JsonObject oa, JsonObject ob):
                foreach (var (key, value) in oa)
                {
                    if (!ob.ContainsKey(key))
                    {
                        difference = $"{path}.{key}: missing on the right";
                        return false;
                    }

                    if (!JsonEquals(value, ob[key], out difference, path + "." + key))
                    {
                        return false;
                    }
                }

                if (oa.Count != ob.Count)
                {
                    difference = $"{path}: {oa.Count} vs {ob.Count} properties";
                    return false;
                }

                return true;
            case (JsonArray aa, JsonArray ab):
                if (aa.Count != ab.Count)
                {
                    difference = $"{path}: {aa.Count} vs {ab.Count} items";
                    return false;
                }

                for (var i = 0; i < aa.Count; i++)
                {
                    if (!JsonEquals(aa[i], ab[i], out difference, $"{path}[{i}]"))
                    {
                        return false;
                    }
                }

                return true;
            case (JsonValue va, JsonValue vb):
                var ta = va.ToJsonString();
                var tb = vb.ToJsonString();
                if (ta == tb)
                {
                    return true;
                }

                var sa = ta.Trim('"');
                var sb = tb.Trim('"');
                if (decimal.TryParse(sa, NumberStyles.Float, CultureInfo.InvariantCulture, out var da)
                    && decimal.TryParse(sb, NumberStyles.Float, CultureInfo.InvariantCulture, out var db) && da == db)
                {
                    return true;
                }

                if (double.TryParse(sa, NumberStyles.Float, CultureInfo.InvariantCulture, out var fa)
                    && double.TryParse(sb, NumberStyles.Float, CultureInfo.InvariantCulture, out var fb) && fa.Equals(fb))
                {
                    return true;
                }

                difference = $"{path}: {ta} vs {tb}";
                return false;
            default:
                difference = $"{path}: {a?.ToJsonString() ?? "null"} vs {b?.ToJsonString() ?? "null"}";
                return false;
        }
    }
}
