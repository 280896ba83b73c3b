using System.Text;
using System.Text.Json;

namespace Meshwork.Formats.Avro;

/// <summary>Writes the full JSON form of a schema, keeping docs, aliases, defaults, orders and extra properties.</summary>
internal static class AvroSchemaJsonWriter
{
    public static string Write(AvroSchema schema, bool indented)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(schema, writer, null, new HashSet<string>(StringComparer.Ordinal));
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(AvroSchema schema, Utf8JsonWriter w, string? ns, HashSet<string> defined)
    {
        switch (schema)
        {
            case PrimitiveSchema p when p.Properties.Count == 0:
                w.WriteStringValue(PrimitiveSchema.NameOf(p.Type));
                return;
            case PrimitiveSchema p:
                w.WriteStartObject();
                w.WriteString("type", PrimitiveSchema.NameOf(p.Type));
                WriteProperties(p.Properties, w);
                w.WriteEndObject();
                return;
            case NamedSchema n when !defined.Add(n.FullName):
                w.WriteStringValue(n.Namespace == ns ? n.Name : n.FullName);
                return;
            case NamedSchema n:
                w.WriteStartObject();
                w.WriteString("type", n is RecordSchema { IsError: true } ? "error" : PrimitiveSchema.NameOf(n.Type));
                w.WriteString("name", n.Name);
                if (n.Namespace != ns)
                {
                    w.WriteString("namespace", n.Namespace ?? "");
                }

                if (n.Doc is not null)
                {
                    w.WriteString("doc", n.Doc);
                }

                if (n.Aliases.Count > 0)
                {
                    w.WriteStartArray("aliases");
                    foreach (var alias in n.Aliases)
                    {
                        w.WriteStringValue(n.Namespace is not null && alias.StartsWith(n.Namespace + ".", StringComparison.Ordinal) && !alias[(n.Namespace.Length + 1)..].Contains('.')
                            ? alias[(n.Namespace.Length + 1)..]
                            : alias);
                    }

                    w.WriteEndArray();
                }

                WriteNamedBody(n, w, defined);
                WriteProperties(n.Properties, w);
                w.WriteEndObject();
                return;
            case ArraySchema a:
                w.WriteStartObject();
                w.WriteString("type", "array");
                w.WritePropertyName("items");
                Write(a.Items, w, ns, defined);
                WriteProperties(a.Properties, w);
                w.WriteEndObject();
                return;
            case MapSchema m:
                w.WriteStartObject();
                w.WriteString("type", "map");
                w.WritePropertyName("values");
                Write(m.Values, w, ns, defined);
                WriteProperties(m.Properties, w);
                w.WriteEndObject();
                return;
            case UnionSchema u:
                w.WriteStartArray();
                foreach (var branch in u.Branches)
                {
                    Write(branch, w, ns, defined);
                }

                w.WriteEndArray();
                return;
            default:
                throw new InvalidOperationException($"unexpected schema {schema.GetType().Name}");
        }
    }

    private static void WriteNamedBody(NamedSchema n, Utf8JsonWriter w, HashSet<string> defined)
    {
        switch (n)
        {
            case RecordSchema r:
                w.WriteStartArray("fields");
                foreach (var f in r.Fields)
                {
                    w.WriteStartObject();
                    w.WriteString("name", f.Name);
                    w.WritePropertyName("type");
                    Write(f.Schema, w, r.Namespace, defined);
                    if (f.Doc is not null)
                    {
                        w.WriteString("doc", f.Doc);
                    }

                    if (f.Default is { } d)
                    {
                        w.WritePropertyName("default");
                        d.WriteTo(w);
                    }

                    if (f.OrderDeclared)
                    {
                        w.WriteString("order", f.Order switch
                        {
                            AvroSortOrder.Descending => "descending",
                            AvroSortOrder.Ignore => "ignore",
                            _ => "ascending",
                        });
                    }

                    if (f.Aliases.Count > 0)
                    {
                        w.WriteStartArray("aliases");
                        foreach (var alias in f.Aliases)
                        {
                            w.WriteStringValue(alias);
                        }

                        w.WriteEndArray();
                    }

                    WriteProperties(f.Properties, w);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
            case EnumSchema e:
                w.WriteStartArray("symbols");
                foreach (var s in e.Symbols)
                {
                    w.WriteStringValue(s);
                }

                w.WriteEndArray();
                if (e.Default is not null)
                {
                    w.WriteString("default", e.Default);
                }

                break;
            case FixedSchema f:
                w.WriteNumber("size", f.Size);
                break;
        }
    }

    private static void WriteProperties(IReadOnlyDictionary<string, JsonElement> properties, Utf8JsonWriter w)
    {
        foreach (var (name, value) in properties)
        {
            w.WritePropertyName(name);
            value.WriteTo(w);
        }
    }
}
