using System.Globalization;
using System.Text;

namespace Meshwork.Formats.Avro;

/// <summary>
/// Writes the Parsing Canonical Form: primitives as bare strings, fullnames without namespaces, only the attributes
/// <c>name, type, fields, symbols, items, values, size</c> in that order, no whitespace, integers without leading zeros.
/// </summary>
internal static class AvroCanonicalForm
{
    public static string Write(AvroSchema schema)
    {
        var sb = new StringBuilder();
        Write(schema, sb, new HashSet<string>(StringComparer.Ordinal));
        return sb.ToString();
    }

    private static void Write(AvroSchema schema, StringBuilder sb, HashSet<string> defined)
    {
        switch (schema)
        {
            case PrimitiveSchema p:
                AppendString(sb, PrimitiveSchema.NameOf(p.Type));
                return;
            case NamedSchema n when !defined.Add(n.FullName):
                AppendString(sb, n.FullName);
                return;
            case RecordSchema r:
                sb.Append("{\"name\":");
                AppendString(sb, r.FullName);
                // The canonical form has no "error": the STRIP rule keeps type, and Java writes "record" for both.
                sb.Append(",\"type\":\"record\",\"fields\":[");
                for (var i = 0; i < r.Fields.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    sb.Append("{\"name\":");
                    AppendString(sb, r.Fields[i].Name);
                    sb.Append(",\"type\":");
                    Write(r.Fields[i].Schema, sb, defined);
                    sb.Append('}');
                }

                sb.Append("]}");
                return;
            case EnumSchema e:
                sb.Append("{\"name\":");
                AppendString(sb, e.FullName);
                sb.Append(",\"type\":\"enum\",\"symbols\":[");
                for (var i = 0; i < e.Symbols.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    AppendString(sb, e.Symbols[i]);
                }

                sb.Append("]}");
                return;
            case FixedSchema f:
                sb.Append("{\"name\":");
                AppendString(sb, f.FullName);
                sb.Append(",\"type\":\"fixed\",\"size\":").Append(f.Size.ToString(CultureInfo.InvariantCulture)).Append('}');
                return;
            case ArraySchema a:
                sb.Append("{\"type\":\"array\",\"items\":");
                Write(a.Items, sb, defined);
                sb.Append('}');
                return;
            case MapSchema m:
                sb.Append("{\"type\":\"map\",\"values\":");
                Write(m.Values, sb, defined);
                sb.Append('}');
                return;
            case UnionSchema u:
                sb.Append('[');
                for (var i = 0; i < u.Branches.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Write(u.Branches[i], sb, defined);
                }

                sb.Append(']');
                return;
            default:
                throw new InvalidOperationException($"unexpected schema {schema.GetType().Name}");
        }
    }

    private static void AppendString(StringBuilder sb, string s)
    {
        // Names and symbols are restricted to [A-Za-z0-9_.], so no escaping is ever needed; the STRINGS rule
        // (no \u escapes) is satisfied by writing the characters themselves.
        sb.Append('"').Append(s).Append('"');
    }
}
