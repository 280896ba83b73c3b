namespace Meshwork.Formats.Avro;

/// <summary>
/// Reads data written with a writer schema into the shape of a reader schema: promotions, fields matched by name and
/// alias, writer-only fields skipped, reader-only fields filled from defaults, enum symbols mapped by name.
/// Reuse one instance for many values of the same schema pair.
/// </summary>
public sealed class AvroResolvingDecoder
{
    private readonly AvroDecodeOptions _options;

    /// <summary>Creates a decoder for the schema pair.</summary>
    public AvroResolvingDecoder(AvroSchema writer, AvroSchema reader, AvroDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(reader);
        Writer = writer;
        Reader = reader;
        _options = options ?? AvroDecodeOptions.Default;
    }

    /// <summary>The schema the data was written with.</summary>
    public AvroSchema Writer { get; }

    /// <summary>The schema the caller wants the data in.</summary>
    public AvroSchema Reader { get; }

    /// <summary>Decodes one value that must use all of <paramref name="data"/>.</summary>
    /// <exception cref="AvroDataException">Malformed bytes or an unresolvable value.</exception>
    public object? Decode(ReadOnlySpan<byte> data)
    {
        var r = new AvroBinaryReader(data);
        var value = Read(ref r);
        if (!r.End)
        {
            throw new AvroDataException($"{r.Remaining} unexpected bytes after the value at offset {r.Position}");
        }

        return value;
    }

    /// <summary>Decodes one value from <paramref name="reader"/>.</summary>
    /// <exception cref="AvroDataException">Malformed bytes or an unresolvable value.</exception>
    public object? Read(ref AvroBinaryReader reader) => Read(Writer, Reader, ref reader, 0);

    private object? Read(AvroSchema w, AvroSchema r, ref AvroBinaryReader input, int depth)
    {
        if (w is UnionSchema wu)
        {
            AvroBinary.CheckDepth(depth, _options);
            var index = input.ReadInt();
            if ((uint)index >= (uint)wu.Branches.Count)
            {
                throw new AvroDataException($"union branch {index} is out of range ({wu.Branches.Count} branches)");
            }

            return Read(wu.Branches[index], r, ref input, depth + 1);
        }

        if (r is UnionSchema ru)
        {
            var branch = AvroResolver.FindReaderBranch(w, ru);
            if (branch < 0)
            {
                throw new AvroDataException($"writer type '{AvroConvert.BranchName(w)}' matches no branch of the reader union");
            }

            return Read(w, ru.Branches[branch], ref input, depth + 1);
        }

        if (w.Type != r.Type)
        {
            return Promote(w, r, ref input);
        }

        switch (r)
        {
            case RecordSchema rr:
                {
                    AvroBinary.CheckDepth(depth, _options);
                    var wr = (RecordSchema)w;
                    if (!rr.NameMatches(wr))
                    {
                        throw new AvroDataException($"expected record '{rr.FullName}', found '{wr.FullName}'");
                    }

                    var result = new AvroRecord(rr);
                    var filled = new bool[rr.Fields.Count];
                    foreach (var wf in wr.Fields)
                    {
                        var rf = FindReaderField(rr, wf);
                        if (rf is null)
                        {
                            AvroBinary.Skip(wf.Schema, ref input, _options);
                            continue;
                        }

                        result[rf.Position] = Read(wf.Schema, rf.Schema, ref input, depth + 1);
                        filled[rf.Position] = true;
                    }

                    foreach (var rf in rr.Fields)
                    {
                        if (!filled[rf.Position])
                        {
                            result[rf.Position] = rf.Default is { } d
                                ? AvroJson.ReadDefault(rf.Schema, d, _options)
                                : throw new AvroDataException($"reader field '{rr.FullName}.{rf.Name}' is not in the writer record and has no default");
                        }
                    }

                    return result;
                }

            case EnumSchema re:
                {
                    var we = (EnumSchema)w;
                    var index = input.ReadInt();
                    if ((uint)index >= (uint)we.Symbols.Count)
                    {
                        throw new AvroDataException($"enum index {index} is out of range for {we.FullName} ({we.Symbols.Count} symbols)");
                    }

                    var symbol = we.Symbols[index];
                    if (re.IndexOf(symbol) >= 0)
                    {
                        return new AvroEnum(re, symbol);
                    }

                    return re.Default is { } d
                        ? new AvroEnum(re, d)
                        : throw new AvroDataException($"writer symbol '{symbol}' is not in reader enum {re.FullName}, which has no default");
                }

            case FixedSchema rf:
                {
                    var wf = (FixedSchema)w;
                    if (wf.Size != rf.Size)
                    {
                        throw new AvroDataException($"expected fixed size {rf.Size}, found {wf.Size}");
                    }

                    var value = new AvroFixed(rf, input.ReadFixed(wf.Size).ToArray());
                    return _options.ConvertLogicalTypes ? AvroConvert.ToLogical(rf, value) : value;
                }

            case ArraySchema ra:
                {
                    AvroBinary.CheckDepth(depth, _options);
                    var wItems = ((ArraySchema)w).Items;
                    var list = new List<object?>();
                    long total = 0;
                    while (true)
                    {
                        var count = input.ReadBlockCount(out _);
                        if (count == 0)
                        {
                            return list;
                        }

                        total += AvroBinary.CheckCount(count, total, wItems, ref input, _options);
                        for (long i = 0; i < count; i++)
                        {
                            list.Add(Read(wItems, ra.Items, ref input, depth + 1));
                        }
                    }
                }

            case MapSchema rm:
                {
                    AvroBinary.CheckDepth(depth, _options);
                    var wValues = ((MapSchema)w).Values;
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    long total = 0;
                    while (true)
                    {
                        var count = input.ReadBlockCount(out _);
                        if (count == 0)
                        {
                            return map;
                        }

                        total += AvroBinary.CheckCount(count, total, wValues, ref input, _options, keyBytes: 1);
                        for (long i = 0; i < count; i++)
                        {
                            var key = input.ReadString();
                            map[key] = Read(wValues, rm.Values, ref input, depth + 1);
                        }
                    }
                }

            default:
                // Same primitive on both sides; logical types follow the reader.
                var raw = AvroBinary.Read(w, ref input, _options with { ConvertLogicalTypes = false });
                return _options.ConvertLogicalTypes ? AvroConvert.ToLogical(r, raw) : raw;
        }
    }

    private object? Promote(AvroSchema w, AvroSchema r, ref AvroBinaryReader input)
    {
        object? value = (w.Type, r.Type) switch
        {
            (AvroType.Int, AvroType.Long) => (long)input.ReadInt(),
            (AvroType.Int, AvroType.Float) => (float)input.ReadInt(),
            (AvroType.Int, AvroType.Double) => (double)input.ReadInt(),
            (AvroType.Long, AvroType.Float) => (float)input.ReadLong(),
            (AvroType.Long, AvroType.Double) => (double)input.ReadLong(),
            (AvroType.Float, AvroType.Double) => (double)input.ReadFloat(),
            (AvroType.String, AvroType.Bytes) => input.ReadBytes(),
            (AvroType.Bytes, AvroType.String) => DecodeUtf8(input.ReadBytesSpan()),
            _ => throw new AvroDataException($"reader type '{AvroConvert.BranchName(r)}' cannot read writer type '{AvroConvert.BranchName(w)}'"),
        };
        return _options.ConvertLogicalTypes ? AvroConvert.ToLogical(r, value) : value;
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            throw new AvroDataException("bytes promoted to string are not valid UTF-8");
        }

        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    private static AvroField? FindReaderField(RecordSchema reader, AvroField writerField)
    {
        if (reader.GetField(writerField.Name) is { } byName)
        {
            return byName;
        }

        foreach (var rf in reader.Fields)
        {
            if (rf.Aliases.Contains(writerField.Name))
            {
                return rf;
            }
        }

        return null;
    }
}
