using System.Buffers;
using System.Collections;

namespace Meshwork.Formats.Avro;

/// <summary>
/// The Avro binary encoding of generic data: encode, decode, and a validate-only <c>Skip</c>/<c>Validate</c> that walks
/// a payload without materialising it.
/// </summary>
/// <remarks>
/// The generic data model, as decoded (encoding accepts these and a few conveniences):
/// null → <c>null</c>; boolean → <see cref="bool"/>; int → <see cref="int"/>; long → <see cref="long"/>;
/// float → <see cref="float"/>; double → <see cref="double"/>; bytes → <c>byte[]</c> (also accepts
/// <see cref="ReadOnlyMemory{T}"/>); string → <see cref="string"/>; record → <see cref="AvroRecord"/> (also accepts an
/// <c>IReadOnlyDictionary&lt;string, object?&gt;</c> by field name, using defaults for missing fields);
/// enum → <see cref="AvroEnum"/> (also accepts the symbol string); fixed → <see cref="AvroFixed"/> (also accepts bytes
/// of the right size); array → <c>List&lt;object?&gt;</c> (accepts any collection); map →
/// <c>Dictionary&lt;string, object?&gt;</c>; union → the branch's value, the branch being chosen by the value's type
/// (first exact type, then the first branch the value converts to) unless wrapped in <see cref="AvroUnion"/>.
/// Logical types decode to their underlying value unless <see cref="AvroDecodeOptions.ConvertLogicalTypes"/> is set;
/// encoding accepts both the underlying value and the .NET type (decimal, <see cref="AvroDecimal"/>, Guid, DateOnly,
/// TimeOnly, DateTime, DateTimeOffset, <see cref="AvroDuration"/>).
/// </remarks>
public static class AvroBinary
{
    /// <summary>Encodes <paramref name="value"/> and appends it to <paramref name="output"/>.</summary>
    /// <exception cref="AvroDataException">The value does not match the schema.</exception>
    public static void Encode(AvroSchema schema, object? value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Write(schema, value, new AvroBinaryWriter(output));
    }

    /// <summary>Encodes <paramref name="value"/> into a new array.</summary>
    /// <exception cref="AvroDataException">The value does not match the schema.</exception>
    public static byte[] Encode(AvroSchema schema, object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Encode(schema, value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes one value that must use all of <paramref name="data"/>.</summary>
    /// <exception cref="AvroDataException">The bytes are truncated, malformed, or followed by extra bytes.</exception>
    public static object? Decode(AvroSchema schema, ReadOnlySpan<byte> data, AvroDecodeOptions? options = null)
    {
        var reader = new AvroBinaryReader(data);
        var value = Read(schema, ref reader, options);
        EnsureEnd(ref reader);
        return value;
    }

    /// <summary>Decodes one value from <paramref name="reader"/>, leaving it after the value.</summary>
    /// <exception cref="AvroDataException">The bytes are truncated or malformed.</exception>
    public static object? Read(AvroSchema schema, ref AvroBinaryReader reader, AvroDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Read(schema, ref reader, options ?? AvroDecodeOptions.Default, 0);
    }

    /// <summary>
    /// Walks one value without materialising it, checking everything a decode would check (varint ranges, lengths,
    /// union indexes, enum indexes, UTF-8 of strings).
    /// </summary>
    /// <exception cref="AvroDataException">The bytes are truncated or malformed.</exception>
    public static void Skip(AvroSchema schema, ref AvroBinaryReader reader, AvroDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Skip(schema, ref reader, options ?? AvroDecodeOptions.Default, 0);
    }

    /// <summary>Checks that <paramref name="data"/> is exactly one valid value of <paramref name="schema"/>.</summary>
    /// <exception cref="AvroDataException">It is not; the message says why.</exception>
    public static void Validate(AvroSchema schema, ReadOnlySpan<byte> data, AvroDecodeOptions? options = null)
    {
        var reader = new AvroBinaryReader(data);
        Skip(schema, ref reader, options);
        EnsureEnd(ref reader);
    }

    /// <summary>Whether <paramref name="data"/> is exactly one valid value of <paramref name="schema"/>.</summary>
    public static bool TryValidate(AvroSchema schema, ReadOnlySpan<byte> data, out string? error)
    {
        try
        {
            Validate(schema, data);
            error = null;
            return true;
        }
        catch (AvroDataException e)
        {
            error = e.Message;
            return false;
        }
    }

    private static void EnsureEnd(ref AvroBinaryReader reader)
    {
        if (!reader.End)
        {
            throw new AvroDataException($"{reader.Remaining} unexpected bytes after the value at offset {reader.Position}");
        }
    }

    internal static void Write(AvroSchema schema, object? value, AvroBinaryWriter w)
    {
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

                break;
            case AvroType.Boolean:
                w.WriteBoolean(value is bool b ? b : throw AvroConvert.Mismatch("boolean", value));
                break;
            case AvroType.Int:
                w.WriteInt(AvroConvert.ToInt(schema, value));
                break;
            case AvroType.Long:
                w.WriteLong(AvroConvert.ToLong(schema, value));
                break;
            case AvroType.Float:
                w.WriteFloat(AvroConvert.ToFloat(value));
                break;
            case AvroType.Double:
                w.WriteDouble(AvroConvert.ToDouble(value));
                break;
            case AvroType.Bytes:
                w.WriteBytes(AvroConvert.ToBytes(schema, value));
                break;
            case AvroType.String:
                w.WriteString(AvroConvert.ToText(schema, value));
                break;
            case AvroType.Fixed:
                w.WriteFixed(AvroConvert.ToFixed((FixedSchema)schema, value));
                break;
            case AvroType.Enum:
                w.WriteInt(AvroConvert.EnumIndex((EnumSchema)schema, value));
                break;
            case AvroType.Record:
                {
                    var record = (RecordSchema)schema;
                    var r = AvroConvert.ToRecord(record, value);
                    var fields = record.Fields;
                    for (var i = 0; i < fields.Count; i++)
                    {
                        var field = fields[i];
                        try
                        {
                            Write(field.Schema, r[field.Position], w);
                        }
                        catch (AvroDataException e)
                        {
                            throw new AvroDataException($"{record.Name}.{field.Name}: {e.Message}", e.InnerException);
                        }
                    }

                    break;
                }

            case AvroType.Array:
                {
                    var itemSchema = ((ArraySchema)schema).Items;
                    if (value is List<object?> list)
                    {
                        // What Decode produces and most callers build: indexed, with no enumerator to allocate and no
                        // interface checks.
                        if (list.Count > 0)
                        {
                            w.WriteLong(list.Count);
                            for (var i = 0; i < list.Count; i++)
                            {
                                WriteItem(itemSchema, list[i], i, w);
                            }
                        }

                        w.WriteLong(0);
                        break;
                    }

                    var items = AvroConvert.AsArray(value) ?? throw AvroConvert.Mismatch("array", value);
                    var count = AvroConvert.Count(items);
                    if (count > 0)
                    {
                        w.WriteLong(count);
                        var index = 0;
                        foreach (var item in items)
                        {
                            WriteItem(itemSchema, item, index, w);
                            index++;
                        }
                    }

                    w.WriteLong(0);
                    break;
                }

            case AvroType.Map:
                {
                    var valueSchema = ((MapSchema)schema).Values;
                    if (value is Dictionary<string, object?> dictionary)
                    {
                        // The struct enumerator of the concrete type: nothing allocated per map.
                        if (dictionary.Count > 0)
                        {
                            w.WriteLong(dictionary.Count);
                            foreach (var (key, item) in dictionary)
                            {
                                WriteEntry(valueSchema, key, item, w);
                            }
                        }

                        w.WriteLong(0);
                        break;
                    }

                    var entries = AvroConvert.MapEntries(value);
                    var count = entries is ICollection c ? c.Count : entries.Count();
                    if (count > 0)
                    {
                        w.WriteLong(count);
                        foreach (var (key, item) in entries)
                        {
                            WriteEntry(valueSchema, key, item, w);
                        }
                    }

                    w.WriteLong(0);
                    break;
                }

            case AvroType.Union:
                {
                    var union = (UnionSchema)schema;
                    var branch = AvroConvert.SelectBranch(union, value);
                    w.WriteInt(branch);
                    Write(union.Branches[branch], value is AvroUnion u ? u.Value : value, w);
                    break;
                }

            default:
                throw new InvalidOperationException($"unexpected schema type {schema.Type}");
        }
    }

    private static void WriteItem(AvroSchema itemSchema, object? item, int index, AvroBinaryWriter w)
    {
        try
        {
            Write(itemSchema, item, w);
        }
        catch (AvroDataException e)
        {
            throw new AvroDataException($"[{index}]: {e.Message}", e.InnerException);
        }
    }

    private static void WriteEntry(AvroSchema valueSchema, string key, object? item, AvroBinaryWriter w)
    {
        w.WriteString(key);
        try
        {
            Write(valueSchema, item, w);
        }
        catch (AvroDataException e)
        {
            throw new AvroDataException($"['{key}']: {e.Message}", e.InnerException);
        }
    }

    private static object? Read(AvroSchema schema, ref AvroBinaryReader r, AvroDecodeOptions options, int depth)
    {
        object? raw;
        switch (schema.Type)
        {
            case AvroType.Null:
                return null;
            case AvroType.Boolean:
                return r.ReadBoolean();
            case AvroType.Int:
                raw = r.ReadInt();
                break;
            case AvroType.Long:
                raw = r.ReadLong();
                break;
            case AvroType.Float:
                return r.ReadFloat();
            case AvroType.Double:
                return r.ReadDouble();
            case AvroType.Bytes:
                raw = r.ReadBytes();
                break;
            case AvroType.String:
                raw = r.ReadString();
                break;
            case AvroType.Fixed:
                {
                    var f = (FixedSchema)schema;
                    raw = new AvroFixed(f, r.ReadFixed(f.Size).ToArray());
                    break;
                }

            case AvroType.Enum:
                {
                    var e = (EnumSchema)schema;
                    var index = r.ReadInt();
                    if ((uint)index >= (uint)e.Symbols.Count)
                    {
                        throw new AvroDataException($"enum index {index} is out of range for {e.FullName} ({e.Symbols.Count} symbols)");
                    }

                    return new AvroEnum(e, e.Symbols[index]);
                }

            case AvroType.Record:
                {
                    CheckDepth(depth, options);
                    var record = (RecordSchema)schema;
                    var result = new AvroRecord(record);
                    var fields = record.Fields;
                    for (var i = 0; i < fields.Count; i++)
                    {
                        result[i] = Read(fields[i].Schema, ref r, options, depth + 1);
                    }

                    return result;
                }

            case AvroType.Array:
                {
                    CheckDepth(depth, options);
                    var items = ((ArraySchema)schema).Items;
                    var list = new List<object?>();
                    long total = 0;
                    while (true)
                    {
                        var count = r.ReadBlockCount(out _);
                        if (count == 0)
                        {
                            break;
                        }

                        total += CheckCount(count, total, items, ref r, options);
                        list.Capacity = (int)Math.Min(list.Count + count, list.Count + 4096);
                        for (long i = 0; i < count; i++)
                        {
                            list.Add(Read(items, ref r, options, depth + 1));
                        }
                    }

                    return list;
                }

            case AvroType.Map:
                {
                    CheckDepth(depth, options);
                    var values = ((MapSchema)schema).Values;
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    long total = 0;
                    while (true)
                    {
                        var count = r.ReadBlockCount(out _);
                        if (count == 0)
                        {
                            break;
                        }

                        total += CheckCount(count, total, values, ref r, options, keyBytes: 1);
                        for (long i = 0; i < count; i++)
                        {
                            var key = r.ReadString();
                            map[key] = Read(values, ref r, options, depth + 1);
                        }
                    }

                    return map;
                }

            case AvroType.Union:
                {
                    CheckDepth(depth, options);
                    var union = (UnionSchema)schema;
                    var branch = r.ReadInt();
                    if ((uint)branch >= (uint)union.Branches.Count)
                    {
                        throw new AvroDataException($"union branch {branch} is out of range ({union.Branches.Count} branches)");
                    }

                    return Read(union.Branches[branch], ref r, options, depth + 1);
                }

            default:
                throw new InvalidOperationException($"unexpected schema type {schema.Type}");
        }

        return options.ConvertLogicalTypes ? AvroConvert.ToLogical(schema, raw) : raw;
    }

    private static void Skip(AvroSchema schema, ref AvroBinaryReader r, AvroDecodeOptions options, int depth)
    {
        switch (schema.Type)
        {
            case AvroType.Null:
                return;
            case AvroType.Boolean:
                r.ReadBoolean();
                return;
            case AvroType.Int:
                r.ReadInt();
                return;
            case AvroType.Long:
                r.ReadLong();
                return;
            case AvroType.Float:
                r.Skip(sizeof(float));
                return;
            case AvroType.Double:
                r.Skip(sizeof(double));
                return;
            case AvroType.Bytes:
                r.SkipBytes();
                return;
            case AvroType.String:
                if (!System.Text.Unicode.Utf8.IsValid(r.ReadBytesSpan()))
                {
                    throw new AvroDataException($"string before offset {r.Position} is not valid UTF-8");
                }

                return;
            case AvroType.Fixed:
                r.Skip(((FixedSchema)schema).Size);
                return;
            case AvroType.Enum:
                {
                    var e = (EnumSchema)schema;
                    var index = r.ReadInt();
                    if ((uint)index >= (uint)e.Symbols.Count)
                    {
                        throw new AvroDataException($"enum index {index} is out of range for {e.FullName} ({e.Symbols.Count} symbols)");
                    }

                    return;
                }

            case AvroType.Record:
                CheckDepth(depth, options);
                {
                    // Indexing instead of foreach: enumerating an IReadOnlyList boxes an enumerator per record.
                    var fields = ((RecordSchema)schema).Fields;
                    for (var i = 0; i < fields.Count; i++)
                    {
                        Skip(fields[i].Schema, ref r, options, depth + 1);
                    }
                }

                return;
            case AvroType.Array:
            case AvroType.Map:
                {
                    CheckDepth(depth, options);
                    var isMap = schema.Type == AvroType.Map;
                    var items = isMap ? ((MapSchema)schema).Values : ((ArraySchema)schema).Items;
                    long total = 0;
                    while (true)
                    {
                        var count = r.ReadBlockCount(out _);
                        if (count == 0)
                        {
                            return;
                        }

                        total += CheckCount(count, total, items, ref r, options, keyBytes: isMap ? 1 : 0);
                        if (!isMap && items.MinEncodedSize == 0 && items.Type == AvroType.Null)
                        {
                            continue;
                        }

                        for (long i = 0; i < count; i++)
                        {
                            if (isMap)
                            {
                                Skip(PrimitiveSchema.Of(AvroType.String), ref r, options, depth + 1);
                            }

                            Skip(items, ref r, options, depth + 1);
                        }
                    }
                }

            case AvroType.Union:
                {
                    CheckDepth(depth, options);
                    var union = (UnionSchema)schema;
                    var branch = r.ReadInt();
                    if ((uint)branch >= (uint)union.Branches.Count)
                    {
                        throw new AvroDataException($"union branch {branch} is out of range ({union.Branches.Count} branches)");
                    }

                    Skip(union.Branches[branch], ref r, options, depth + 1);
                    return;
                }

            default:
                throw new InvalidOperationException($"unexpected schema type {schema.Type}");
        }
    }

    internal static void CheckDepth(int depth, AvroDecodeOptions options)
    {
        if (depth >= options.MaxDepth)
        {
            throw new AvroDataException($"value nests deeper than {options.MaxDepth} levels");
        }
    }

    /// <summary>Rejects block counts the remaining input cannot possibly hold, before any work is done for them.</summary>
    internal static long CheckCount(long count, long total, AvroSchema items, ref AvroBinaryReader r, AvroDecodeOptions options, int keyBytes = 0)
    {
        var min = items.MinEncodedSize + keyBytes;
        if (min > 0)
        {
            if (count > r.Remaining / min)
            {
                throw new AvroDataException($"block of {count} items needs at least {count * (decimal)min} bytes but only {r.Remaining} remain");
            }
        }
        else if (count > options.MaxZeroSizeItems - total)
        {
            throw new AvroDataException($"collection of {total + count} zero-byte items exceeds the limit of {options.MaxZeroSizeItems}");
        }

        return count;
    }
}
