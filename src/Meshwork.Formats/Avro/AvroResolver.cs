namespace Meshwork.Formats.Avro;

/// <summary>Why a writer schema cannot be read with a reader schema (names follow Avro Java's SchemaCompatibility).</summary>
public enum AvroIncompatibilityKind
{
    /// <summary>Named types whose names (and reader aliases) differ.</summary>
    NameMismatch,
    /// <summary>Fixed types of different sizes.</summary>
    FixedSizeMismatch,
    /// <summary>The writer has enum symbols the reader lacks, and the reader enum has no default.</summary>
    MissingEnumSymbols,
    /// <summary>A reader field absent from the writer has no default.</summary>
    ReaderFieldMissingDefaultValue,
    /// <summary>The types cannot be resolved (and no promotion applies).</summary>
    TypeMismatch,
    /// <summary>A writer type (or union branch) matches no branch of the reader union.</summary>
    MissingUnionBranch,
}

/// <summary>One reason a writer schema cannot be read with a reader schema.</summary>
/// <param name="Kind">The kind of problem.</param>
/// <param name="Path">Where, in the reader's terms: <c>/</c>-separated field names, union branch indexes, <c>items</c>, <c>values</c>.</param>
/// <param name="Reason">A readable explanation.</param>
public sealed record AvroIncompatibility(AvroIncompatibilityKind Kind, string Path, string Reason)
{
    /// <summary>"path: reason".</summary>
    public override string ToString() => $"{Path}: {Reason}";
}

/// <summary>
/// Schema resolution as defined in the specification ("Schema Resolution"): compatibility checks and a decoder
/// that reads data written with one schema into the shape of another.
/// </summary>
public static class AvroResolver
{
    /// <summary>
    /// Lists every reason data written with <paramref name="writer"/> cannot be read with <paramref name="reader"/>;
    /// empty when it always can. BACKWARD compatibility of a new schema is <c>Check(writer: old, reader: new)</c>,
    /// FORWARD is <c>Check(writer: new, reader: old)</c>, FULL is both.
    /// </summary>
    public static IReadOnlyList<AvroIncompatibility> Check(AvroSchema writer, AvroSchema reader)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(reader);
        var result = new List<AvroIncompatibility>();
        Check(writer, reader, "", result, []);
        return result;
    }

    /// <summary>Whether data written with <paramref name="writer"/> can always be read with <paramref name="reader"/>.</summary>
    public static bool CanRead(AvroSchema writer, AvroSchema reader) => Check(writer, reader).Count == 0;

    /// <summary>Decodes one value written with <paramref name="writer"/> into the shape of <paramref name="reader"/>.</summary>
    /// <exception cref="AvroDataException">Malformed bytes, or a value the reader cannot represent (an unknown enum
    /// symbol without a reader default, a union branch with no match).</exception>
    public static object? Decode(AvroSchema writer, AvroSchema reader, ReadOnlySpan<byte> data, AvroDecodeOptions? options = null) =>
        new AvroResolvingDecoder(writer, reader, options).Decode(data);

    internal static void Check(AvroSchema w, AvroSchema r, string path, List<AvroIncompatibility> result, HashSet<(AvroSchema, AvroSchema)> visiting)
    {
        // A recursive pair already being checked is assumed compatible; any problem is reported at its first visit.
        if (!visiting.Add((w, r)))
        {
            return;
        }

        try
        {
            CheckCore(w, r, path, result, visiting);
        }
        finally
        {
            visiting.Remove((w, r));
        }
    }

    private static void CheckCore(AvroSchema w, AvroSchema r, string path, List<AvroIncompatibility> result, HashSet<(AvroSchema, AvroSchema)> visiting)
    {
        var here = path.Length == 0 ? "/" : path;
        if (w is UnionSchema wu)
        {
            // Every branch the writer may pick must be readable.
            for (var i = 0; i < wu.Branches.Count; i++)
            {
                Check(wu.Branches[i], r, path, result, visiting);
            }

            return;
        }

        if (r is UnionSchema ru)
        {
            // The branch chosen here is the one the resolving decoder reads into, so its contents must resolve too.
            var branch = FindReaderBranch(w, ru);
            if (branch < 0)
            {
                result.Add(new(AvroIncompatibilityKind.MissingUnionBranch, here,
                    $"reader union lacks writer type '{AvroConvert.BranchName(w)}'"));
            }
            else
            {
                Check(w, ru.Branches[branch], path, result, visiting);
            }

            return;
        }

        if (w.Type != r.Type)
        {
            if (!IsPromotable(w.Type, r.Type))
            {
                result.Add(new(AvroIncompatibilityKind.TypeMismatch, here,
                    $"reader type '{AvroConvert.BranchName(r)}' cannot read writer type '{AvroConvert.BranchName(w)}'"));
            }

            return;
        }

        switch (r)
        {
            case RecordSchema rr:
                {
                    var wr = (RecordSchema)w;
                    if (!rr.NameMatches(wr))
                    {
                        result.Add(new(AvroIncompatibilityKind.NameMismatch, here, $"expected record '{rr.FullName}', found '{wr.FullName}'"));
                        return;
                    }

                    foreach (var rf in rr.Fields)
                    {
                        var fieldPath = $"{path}/{rf.Name}";
                        var wf = FindWriterField(wr, rf);
                        if (wf is not null)
                        {
                            Check(wf.Schema, rf.Schema, fieldPath, result, visiting);
                        }
                        else if (!rf.HasDefault)
                        {
                            result.Add(new(AvroIncompatibilityKind.ReaderFieldMissingDefaultValue, fieldPath,
                                $"reader field '{rf.Name}' is not in the writer record and has no default"));
                        }
                    }

                    return;
                }

            case EnumSchema re:
                {
                    var we = (EnumSchema)w;
                    if (!re.NameMatches(we))
                    {
                        result.Add(new(AvroIncompatibilityKind.NameMismatch, here, $"expected enum '{re.FullName}', found '{we.FullName}'"));
                        return;
                    }

                    if (re.Default is null)
                    {
                        var missing = we.Symbols.Where(s => re.IndexOf(s) < 0).ToList();
                        if (missing.Count > 0)
                        {
                            result.Add(new(AvroIncompatibilityKind.MissingEnumSymbols, here,
                                $"reader enum '{re.FullName}' lacks writer symbols [{string.Join(", ", missing)}] and has no default"));
                        }
                    }

                    return;
                }

            case FixedSchema rf:
                {
                    var wf = (FixedSchema)w;
                    if (!rf.NameMatches(wf))
                    {
                        result.Add(new(AvroIncompatibilityKind.NameMismatch, here, $"expected fixed '{rf.FullName}', found '{wf.FullName}'"));
                    }
                    else if (rf.Size != wf.Size)
                    {
                        result.Add(new(AvroIncompatibilityKind.FixedSizeMismatch, here, $"expected fixed size {rf.Size}, found {wf.Size}"));
                    }

                    return;
                }

            case ArraySchema ra:
                Check(((ArraySchema)w).Items, ra.Items, $"{path}/items", result, visiting);
                return;
            case MapSchema rm:
                Check(((MapSchema)w).Values, rm.Values, $"{path}/values", result, visiting);
                return;
            default:
                return;
        }
    }

    /// <summary>int → long, float, double; long → float, double; float → double; string ↔ bytes.</summary>
    internal static bool IsPromotable(AvroType writer, AvroType reader) => (writer, reader) switch
    {
        (AvroType.Int, AvroType.Long or AvroType.Float or AvroType.Double) => true,
        (AvroType.Long, AvroType.Float or AvroType.Double) => true,
        (AvroType.Float, AvroType.Double) => true,
        (AvroType.String, AvroType.Bytes) or (AvroType.Bytes, AvroType.String) => true,
        _ => false,
    };

    internal static AvroField? FindWriterField(RecordSchema writer, AvroField readerField)
    {
        if (writer.GetField(readerField.Name) is { } byName)
        {
            return byName;
        }

        foreach (var alias in readerField.Aliases)
        {
            if (writer.GetField(alias) is { } byAlias)
            {
                return byAlias;
            }
        }

        return null;
    }

    /// <summary>
    /// The reader branch a non-union writer type resolves to: a branch of the same type and fullname, then of the same
    /// type and unqualified name or alias, then the first branch the writer type can be promoted to. -1 when none.
    /// </summary>
    internal static int FindReaderBranch(AvroSchema w, UnionSchema ru)
    {
        // Exact fullname first: a union may hold a.E and b.E, which match each other by unqualified name.
        for (var i = 0; i < ru.Branches.Count; i++)
        {
            var b = ru.Branches[i];
            if (b.Type == w.Type && (b is not NamedSchema nb || nb.FullName == ((NamedSchema)w).FullName))
            {
                return i;
            }
        }

        for (var i = 0; i < ru.Branches.Count; i++)
        {
            var b = ru.Branches[i];
            if (b.Type == w.Type && b is NamedSchema nb && nb.NameMatches((NamedSchema)w))
            {
                return i;
            }
        }

        for (var i = 0; i < ru.Branches.Count; i++)
        {
            var b = ru.Branches[i];
            if (IsPromotable(w.Type, b.Type))
            {
                return i;
            }
        }

        return -1;
    }
}
