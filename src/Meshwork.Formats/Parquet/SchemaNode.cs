namespace Meshwork.Formats.Parquet;

/// <summary>
/// A schema field with its levels and the contiguous range of leaf columns below it, plus how its
/// values map to .NET values (struct, LIST, MAP). Used to shred rows and to reassemble them.
/// </summary>
internal sealed class SchemaNode
{
    private SchemaNode(ParquetField field, int def, int rep, int firstLeaf)
    {
        Field = field;
        Def = def;
        Rep = rep;
        FirstLeaf = firstLeaf;
    }

    public ParquetField Field { get; }

    /// <summary>Definition level when this field is present.</summary>
    public int Def { get; }

    /// <summary>Repetition level of this field's repeated ancestors, including itself.</summary>
    public int Rep { get; }

    public int FirstLeaf { get; }

    public int LeafCount { get; private set; }

    public SchemaNode[] Children { get; private set; } = [];

    public bool IsRepeated => Field.Repetition == ParquetRepetition.Repeated;

    public bool IsOptional => Field.Repetition == ParquetRepetition.Optional;

    /// <summary>LIST (3-level or legacy 2-level): a group whose single child is repeated.</summary>
    public bool IsList { get; private set; }

    /// <summary>MAP: a group whose single child is a repeated key/value group.</summary>
    public bool IsMap { get; private set; }

    /// <summary>The repeated "list" group of a 3-level LIST, whose occurrences are the element's values.</summary>
    public bool IsListWrapper { get; private set; }

    /// <summary>The repeated key/value group of a MAP, whose occurrences are key/value pairs.</summary>
    public bool IsKeyValue { get; private set; }

    public static SchemaNode[] Build(ParquetSchema schema)
    {
        var leaf = 0;
        var nodes = new SchemaNode[schema.Fields.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = Build(schema.Fields[i], 0, 0, ref leaf);
        }

        return nodes;
    }

    private static SchemaNode Build(ParquetField field, int def, int rep, ref int leaf)
    {
        if (field.Repetition != ParquetRepetition.Required)
        {
            def++;
        }

        if (field.Repetition == ParquetRepetition.Repeated)
        {
            rep++;
        }

        var node = new SchemaNode(field, def, rep, leaf);
        if (field is ParquetGroupField g)
        {
            node.Children = new SchemaNode[g.Children.Count];
            for (var i = 0; i < node.Children.Length; i++)
            {
                node.Children[i] = Build(g.Children[i], def, rep, ref leaf);
            }

            var only = g.Children.Count == 1 ? g.Children[0] : null;
            if (only is { Repetition: ParquetRepetition.Repeated } && !node.IsRepeated)
            {
                if (g.IsMap || only.LogicalType?.Kind == ParquetLogicalTypeKind.Map
                    || (only is ParquetGroupField { Children.Count: 2 } && g.LogicalType?.Kind != ParquetLogicalTypeKind.List))
                {
                    node.IsMap = only is ParquetGroupField { Children.Count: 2 };
                    node.IsList = !node.IsMap;
                    node.Children[0].IsKeyValue = node.IsMap;
                }
                else if (g.IsList)
                {
                    node.IsList = true;

                    // LogicalTypes.md backward-compatibility rules: a repeated group with one field
                    // is the 3-level wrapper unless it is named "array" or "<list>_tuple".
                    node.Children[0].IsListWrapper = only is ParquetGroupField { Children.Count: 1 }
                        && only.Name != "array" && only.Name != g.Name + "_tuple";
                }
            }
        }
        else
        {
            leaf++;
        }

        node.LeafCount = leaf - node.FirstLeaf;
        return node;
    }
}
