using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Meshwork.Formats.Avro;

/// <summary>
/// The Avro JSON encoding of generic data: unions as <c>{"branch-name": value}</c> (null as plain null), bytes and
/// fixed as strings whose code points 0–255 are the bytes, enums as symbol strings. Also reads field defaults, which use
/// the same form except that a union default is the bare value of the union's first branch.
/// </summary>
public static class AvroJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="value"/> in the Avro JSON encoding.</summary>
    /// <exception cref="AvroDataException">The value does not match the schema.</exception>
    public static string Write(AvroSchema schema, object? value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            Write(schema, value, writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes <paramref name="value"/> in the Avro JSON encoding.</summary>
    /// <exception cref="AvroDataException">The value does not match the schema.</exception>
    public static void Write(AvroSchema schema, object? value, Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(w);
        if (value is AvroUnion forced && schema.Type != AvroType.Union)
        {
            value = forced.Value;
        }

        switch (schema.Type)
        {
            case AvroType.Null:
                if (value is not null)
                {
                    throw AvroConvert.Mismatch("null", value);
                }

                w.WriteNullValue();
                break;
            case AvroType.Boolean:
                w.WriteBooleanValue(value is bool b ? b : throw AvroConvert.Mismatch("boolean", value));
                break;
            case AvroType.Int:
                w.WriteNumberValue(AvroConvert.ToInt(schema, value));
                break;
            case AvroType.Long:
                w.WriteNumberValue(AvroConvert.ToLong(schema, value));
                break;
            case AvroType.Float:
                WriteFloating(AvroConvert.ToFloat(value), w);
                break;
            case AvroType.Double:
                WriteFloating(AvroConvert.ToDouble(value), w);
                break;
            case AvroType.Bytes:
                w.WriteStringValue(Latin1(AvroConvert.ToBytes(schema, value)));
                break;
            case AvroType.Fixed:
                w.WriteStringValue(Latin1(AvroConvert.ToFixed((FixedSchema)schema, value)));
                break;
            case AvroType.String:
                w.WriteStringValue(AvroConvert.ToText(schema, value));
                break;
            case AvroType.Enum:
                {
                    var e = (EnumSchema)schema;
                    w.WriteStringValue(e.Symbols[AvroConvert.EnumIndex(e, value)]);
                    break;
                }

            case AvroType.Record:
                {
                    var record = (RecordSchema)schema;
                    var r = AvroConvert.ToRecord(record, value);
                    w.WriteStartObject();
                    foreach (var field in record.Fields)
                    {
                        w.WritePropertyName(field.Name);
                        Write(field.Schema, r[field.Position], w);
                    }

                    w.WriteEndObject();
                    break;
                }

            case AvroType.Array:
                w.WriteStartArray();
                foreach (var item in AvroConvert.AsArray(value) ?? throw AvroConvert.Mismatch("array", value))
                {
                    Write(((ArraySchema)schema).Items, item, w);
                }

                w.WriteEndArray();
                break;
            case AvroType.Map:
                w.WriteStartObject();
                foreach (var (key, item) in AvroConvert.MapEntries(value))
                {
                    w.WritePropertyName(key);
                    Write(((MapSchema)schema).Values, item, w);
                }

                w.WriteEndObject();
                break;
            case AvroType.Union:
                {
                    var union = (UnionSchema)schema;
                    var index = AvroConvert.SelectBranch(union, value);
                    var branch = union.Branches[index];
                    var inner = value is AvroUnion u ? u.Value : value;
                    if (branch.Type == AvroType.Null)
                    {
                        w.WriteNullValue();
                        break;
                    }

                    w.WriteStartObject();
                    w.WritePropertyName(AvroConvert.BranchName(branch));
                    Write(branch, inner, w);
                    w.WriteEndObject();
                    break;
                }

            default:
                throw new InvalidOperationException($"unexpected schema type {schema.Type}");
        }
    }

    /// <summary>Reads a value in the Avro JSON encoding.</summary>
    /// <exception cref="AvroDataException">The JSON does not match the schema.</exception>
    public static object? Read(AvroSchema schema, string json, AvroDecodeOptions? options = null)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new AvroDataException($"not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            return Read(schema, doc.RootElement, options);
        }
    }

    /// <summary>Reads a value in the Avro JSON encoding.</summary>
    /// <exception cref="AvroDataException">The JSON does not match the schema.</exception>
    public static object? Read(AvroSchema schema, JsonElement json, AvroDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Read(schema, json, options ?? AvroDecodeOptions.Default, JsonMode.Value, "");
    }

    /// <summary>
    /// Reads a field default: a union default is the bare value of the first branch or, failing that (Avro 1.12,
    /// AVRO-3649), of the first other branch that accepts it.
    /// </summary>
    /// <exception cref="AvroDataException">The JSON does not match the schema.</exception>
    public static object? ReadDefault(AvroSchema schema, JsonElement json, AvroDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Read(schema, json, options ?? AvroDecodeOptions.Default, JsonMode.DefaultAnyBranch, "");
    }

    /// <summary>Validates a default as the parser does; <paramref name="firstBranchOnly"/> is the Avro 1.11 rule.</summary>
    internal static void CheckDefault(AvroSchema schema, JsonElement json, bool firstBranchOnly) =>
        Read(schema, json, AvroDecodeOptions.Default, firstBranchOnly ? JsonMode.DefaultFirstBranch : JsonMode.DefaultAnyBranch, "");

    private enum JsonMode
    {
        /// <summary>The JSON encoding: unions wrapped as {"branch": value}.</summary>
        Value,
        /// <summary>A default whose union values belong to the first branch (Avro 1.11 and earlier).</summary>
        DefaultFirstBranch,
        /// <summary>A default whose union values belong to the first branch that accepts them (Avro 1.12).</summary>
        DefaultAnyBranch,
    }

    private static object? Read(AvroSchema schema, JsonElement json, AvroDecodeOptions options, JsonMode mode, string path)
    {
        object? raw;
        switch (schema.Type)
        {
            case AvroType.Null:
                return json.ValueKind == JsonValueKind.Null ? null : throw Expected("null", json, path);
            case AvroType.Boolean:
                return json.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw Expected("boolean", json, path),
                };
            case AvroType.Int:
                raw = json.ValueKind == JsonValueKind.Number && json.TryGetInt32(out var i) ? i : throw Expected("int", json, path);
                break;
            case AvroType.Long:
                raw = json.ValueKind == JsonValueKind.Number && json.TryGetInt64(out var l) ? l : throw Expected("long", json, path);
                break;
            case AvroType.Float:
                return (float)ReadFloating(json, path, "float");
            case AvroType.Double:
                return ReadFloating(json, path, "double");
            case AvroType.Bytes:
                raw = ReadLatin1(json, path);
                break;
            case AvroType.String:
                raw = json.ValueKind == JsonValueKind.String ? json.GetString() : throw Expected("string", json, path);
                break;
            case AvroType.Fixed:
                {
                    var f = (FixedSchema)schema;
                    var bytes = ReadLatin1(json, path);
                    raw = bytes.Length == f.Size ? new AvroFixed(f, bytes) : throw new AvroDataException($"{Where(path)}fixed {f.FullName} needs {f.Size} bytes, got {bytes.Length}");
                    break;
                }

            case AvroType.Enum:
                {
                    var e = (EnumSchema)schema;
                    if (json.ValueKind != JsonValueKind.String || e.IndexOf(json.GetString()!) < 0)
                    {
                        throw Expected($"a symbol of enum {e.FullName}", json, path);
                    }

                    return new AvroEnum(e, json.GetString()!);
                }

            case AvroType.Record:
                {
                    var record = (RecordSchema)schema;
                    if (json.ValueKind != JsonValueKind.Object)
                    {
                        throw Expected($"record {record.FullName}", json, path);
                    }

                    var result = new AvroRecord(record);
                    foreach (var field in record.Fields)
                    {
                        var fieldPath = path.Length == 0 ? field.Name : $"{path}.{field.Name}";
                        if (json.TryGetProperty(field.Name, out var fv))
                        {
                            result[field.Position] = Read(field.Schema, fv, options, mode, fieldPath);
                        }
                        else if (field.Default is { } d)
                        {
                            result[field.Position] = Read(field.Schema, d, options, mode == JsonMode.DefaultFirstBranch ? mode : JsonMode.DefaultAnyBranch, fieldPath);
                        }
                        else
                        {
                            throw new AvroDataException($"{Where(fieldPath)}missing field '{field.Name}' of record {record.FullName}, which has no default");
                        }
                    }

                    return result;
                }

            case AvroType.Array:
                {
                    if (json.ValueKind != JsonValueKind.Array)
                    {
                        throw Expected("array", json, path);
                    }

                    var items = ((ArraySchema)schema).Items;
                    var list = new List<object?>(json.GetArrayLength());
                    foreach (var item in json.EnumerateArray())
                    {
                        list.Add(Read(items, item, options, mode, $"{path}[{list.Count}]"));
                    }

                    return list;
                }

            case AvroType.Map:
                {
                    if (json.ValueKind != JsonValueKind.Object)
                    {
                        throw Expected("map", json, path);
                    }

                    var values = ((MapSchema)schema).Values;
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var p in json.EnumerateObject())
                    {
                        map[p.Name] = Read(values, p.Value, options, mode, $"{path}['{p.Name}']");
                    }

                    return map;
                }

            case AvroType.Union:
                {
                    var union = (UnionSchema)schema;
                    if (mode != JsonMode.Value)
                    {
                        return ReadUnionDefault(union, json, options, mode, path);
                    }

                    if (json.ValueKind == JsonValueKind.Null)
                    {
                        return union.Branches.Any(b => b.Type == AvroType.Null) ? null : throw Expected("a union with a null branch", json, path);
                    }

                    if (json.ValueKind != JsonValueKind.Object)
                    {
                        throw Expected("a union value {\"type\": value}", json, path);
                    }

                    using var properties = json.EnumerateObject();
                    if (!properties.MoveNext())
                    {
                        throw Expected("a union value {\"type\": value}", json, path);
                    }

                    var p = properties.Current;
                    if (properties.MoveNext())
                    {
                        throw Expected("a union value with exactly one member", json, path);
                    }

                    foreach (var branch in union.Branches)
                    {
                        if (AvroConvert.BranchName(branch) == p.Name || (branch is NamedSchema n && n.Name == p.Name))
                        {
                            return Read(branch, p.Value, options, mode, $"{path}.{p.Name}");
                        }
                    }

                    throw new AvroDataException($"{Where(path)}'{p.Name}' is not a branch of the union");
                }

            default:
                throw new InvalidOperationException($"unexpected schema type {schema.Type}");
        }

        return options.ConvertLogicalTypes ? AvroConvert.ToLogical(schema, raw) : raw;
    }

    private static object? ReadUnionDefault(UnionSchema union, JsonElement json, AvroDecodeOptions options, JsonMode mode, string path)
    {
        if (union.Branches.Count == 0)
        {
            throw new AvroDataException($"{Where(path)}an empty union has no values");
        }

        try
        {
            return Read(union.Branches[0], json, options, mode, path);
        }
        catch (AvroDataException) when (mode == JsonMode.DefaultAnyBranch)
        {
            for (var i = 1; i < union.Branches.Count; i++)
            {
                try
                {
                    return Read(union.Branches[i], json, options, mode, path);
                }
                catch (AvroDataException)
                {
                    // Try the next branch; the error reported is the first branch's, as in Avro 1.11.
                }
            }

            throw;
        }
    }

    private static void WriteFloating(double value, Utf8JsonWriter w)
    {
        // JSON has no NaN or infinities; Avro's Java and Python implementations write them as these strings.
        if (double.IsNaN(value))
        {
            w.WriteStringValue("NaN");
        }
        else if (double.IsPositiveInfinity(value))
        {
            w.WriteStringValue("Infinity");
        }
        else if (double.IsNegativeInfinity(value))
        {
            w.WriteStringValue("-Infinity");
        }
        else
        {
            w.WriteNumberValue(value);
        }
    }

    private static double ReadFloating(JsonElement json, string path, string type) => json.ValueKind switch
    {
        JsonValueKind.Number => json.GetDouble(),
        JsonValueKind.String when json.GetString() == "NaN" => double.NaN,
        JsonValueKind.String when json.GetString() == "Infinity" => double.PositiveInfinity,
        JsonValueKind.String when json.GetString() == "-Infinity" => double.NegativeInfinity,
        _ => throw Expected(type, json, path),
    };

    private static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    private static byte[] ReadLatin1(JsonElement json, string path)
    {
        if (json.ValueKind != JsonValueKind.String)
        {
            throw Expected("bytes as a string", json, path);
        }

        var s = json.GetString()!;
        var bytes = new byte[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            bytes[i] = s[i] <= 0xff ? (byte)s[i] : throw new AvroDataException($"{Where(path)}bytes string has code point U+{(int)s[i]:X4} above U+00FF");
        }

        return bytes;
    }

    private static string Where(string path) => path.Length == 0 ? "" : $"{path}: ";

    private static AvroDataException Expected(string what, JsonElement json, string path)
    {
        var text = json.GetRawText();
        if (text.Length > 40)
        {
            text = string.Concat(text.AsSpan(0, 40), "...");
        }

        return new AvroDataException(string.Create(CultureInfo.InvariantCulture, $"{Where(path)}expected {what}, got {text}"));
    }
}
