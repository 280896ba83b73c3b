namespace Meshwork.Registry.Tests;

/// <summary>
/// One row: register <see cref="History"/> (oldest first), set <see cref="Level"/>, then try <see cref="New"/>; every
/// schema of the row is of <see cref="SchemaType"/>.
/// </summary>
public sealed record CompatibilityCase(string Name, CompatibilityLevel Level, string[] History, string New, bool Compatible, string Rule, string SchemaType = "AVRO");

/// <summary>
/// The evolution table, Avro and JSON Schema. Level semantics are Confluent's: BACKWARD = new reads old, FORWARD = old
/// reads new, FULL = both; *_TRANSITIVE = against every live version, otherwise the latest only.
/// <para>
/// Avro rules cite the Avro specification's "Schema Resolution" section (reader = the schema reading, writer = the
/// schema the data was written with). JSON Schema has no resolution rules of its own: "new reads old" means every
/// document valid under the old schema is valid under the new one, decided as Confluent's structural diff
/// (<c>io.confluent.kafka.schemaregistry.json.diff.SchemaDiff</c>, STRICT) decides it; each JSON rule names the
/// difference types it produces, so a row can be checked against that catalogue.
/// </para>
/// </summary>
public static partial class CompatibilityCases
{
    private const CompatibilityLevel None = CompatibilityLevel.None;
    private const CompatibilityLevel Backward = CompatibilityLevel.Backward;
    private const CompatibilityLevel BackwardTransitive = CompatibilityLevel.BackwardTransitive;
    private const CompatibilityLevel Forward = CompatibilityLevel.Forward;
    private const CompatibilityLevel ForwardTransitive = CompatibilityLevel.ForwardTransitive;
    private const CompatibilityLevel Full = CompatibilityLevel.Full;
    private const CompatibilityLevel FullTransitive = CompatibilityLevel.FullTransitive;

    // Spec rules, quoted or paraphrased from "Schema Resolution".
    private const string DefaultRule = "records: a reader field absent from the writer takes its default; without a default it is an error";
    private const string IgnoreRule = "records: a writer field absent from the reader is ignored";
    private const string PromotionRule = "the writer's type may be promoted: int to long, float or double; long to float or double; float to double; string and bytes both ways";
    private const string MismatchRule = "both schemas must match in type unless a promotion applies";
    private const string EnumRule = "enums: a writer symbol absent from the reader is an error unless the reader enum has a default";
    private const string UnionWriterRule = "if the writer's is a union: every branch the writer may write must match a reader branch";
    private const string UnionReaderRule = "if the reader's is a union but the writer's is not: the first reader branch that matches is used; none is an error";
    private const string AliasRule = "aliases: a reader field or named type matches a writer one named by one of the reader's aliases";
    private const string NameRule = "named types match when their unqualified names match (Avro Java's schemaNameEquals)";
    private const string FixedRule = "fixed: both schemas must have the same size";
    private const string ArrayRule = "arrays and maps: item and value schemas are resolved recursively";
    private const string LogicalRule = "logical types are ignored by the resolution check (Avro Java's SchemaCompatibility never reads logicalType)";

    private static string Q(string type) => $"\"{type}\"";

    private static string F(string name, string type, string? @default = null) =>
        @default is null ? $$"""{"name":"{{name}}","type":{{type}}}""" : $$"""{"name":"{{name}}","type":{{type}},"default":{{@default}}}""";

    private static string FA(string name, string type, string alias, string? @default = null) =>
        @default is null ? $$"""{"name":"{{name}}","type":{{type}},"aliases":["{{alias}}"]}""" : $$"""{"name":"{{name}}","type":{{type}},"default":{{@default}},"aliases":["{{alias}}"]}""";

    private static string Rec(params string[] fields) => Named("User", "com.acme", fields);

    private static string Named(string name, string ns, params string[] fields) =>
        $$"""{"type":"record","name":"{{name}}","namespace":"{{ns}}","fields":[{{string.Join(",", fields)}}]}""";

    private static string Enum(string symbols, string? @default = null) =>
        @default is null
            ? $$"""{"type":"enum","name":"Colour","symbols":[{{symbols}}]}"""
            : $$"""{"type":"enum","name":"Colour","symbols":[{{symbols}}],"default":"{{@default}}"}""";

    private static string Fixed(int size) => $$"""{"type":"fixed","name":"Hash","size":{{size}}}""";

    private static string Arr(string items) => $$"""{"type":"array","items":{{items}}}""";

    private static string Map(string values) => $$"""{"type":"map","values":{{values}}}""";

    private static string Inner(params string[] fields) => Named("Address", "com.acme", fields);

    private static readonly string A = F("a", Q("int"));

    /// <summary>Every case, by name.</summary>
    public static IReadOnlyDictionary<string, CompatibilityCase> All { get; } = Build().Concat(BuildJson()).ToDictionary(c => c.Name);

    /// <summary>The case names as theory data.</summary>
    public static TheoryData<string> Names => [.. All.Keys];

    private static IEnumerable<CompatibilityCase> Build()
    {
        // Each evolution once per single-step level: (name, old, new, backward, forward, rule).
        var steps = new (string Name, string Old, string New, bool Backward, bool Forward, string Rule)[]
        {
            ("add_field_with_default", Rec(A), Rec(A, F("b", Q("string"), "\"x\"")), true, true, $"{DefaultRule}; {IgnoreRule}"),
            ("add_field_without_default", Rec(A), Rec(A, F("b", Q("string"))), false, true, $"{DefaultRule}; {IgnoreRule}"),
            ("remove_field_with_default", Rec(A, F("b", Q("string"), "\"x\"")), Rec(A), true, true, $"{IgnoreRule}; {DefaultRule}"),
            ("remove_field_without_default", Rec(A, F("b", Q("string"))), Rec(A), true, false, $"{IgnoreRule}; {DefaultRule}"),
            ("promote_int_to_long", Rec(A), Rec(F("a", Q("long"))), true, false, PromotionRule),
            ("promote_int_to_float", Rec(A), Rec(F("a", Q("float"))), true, false, PromotionRule),
            ("promote_int_to_double", Rec(A), Rec(F("a", Q("double"))), true, false, PromotionRule),
            ("promote_long_to_double", Rec(F("a", Q("long"))), Rec(F("a", Q("double"))), true, false, PromotionRule),
            ("promote_float_to_double", Rec(F("a", Q("float"))), Rec(F("a", Q("double"))), true, false, PromotionRule),
            ("string_to_bytes", Rec(F("a", Q("string"))), Rec(F("a", Q("bytes"))), true, true, PromotionRule),
            ("int_to_string", Rec(A), Rec(F("a", Q("string"))), false, false, MismatchRule),
            ("boolean_to_int", Rec(F("a", Q("boolean"))), Rec(A), false, false, MismatchRule),
            ("enum_add_symbol", Rec(F("c", Enum("\"RED\",\"GREEN\""))), Rec(F("c", Enum("\"RED\",\"GREEN\",\"BLUE\""))), true, false, EnumRule),
            ("enum_remove_symbol", Rec(F("c", Enum("\"RED\",\"GREEN\",\"BLUE\""))), Rec(F("c", Enum("\"RED\",\"GREEN\""))), false, true, EnumRule),
            ("enum_add_symbol_both_with_default", Rec(F("c", Enum("\"RED\",\"GREEN\"", "RED"))), Rec(F("c", Enum("\"RED\",\"GREEN\",\"BLUE\"", "RED"))), true, true, EnumRule),
            ("enum_remove_symbol_reader_default", Rec(F("c", Enum("\"RED\",\"GREEN\",\"BLUE\"", "RED"))), Rec(F("c", Enum("\"RED\",\"GREEN\"", "RED"))), true, true, EnumRule),
            ("union_add_branch", Rec(F("u", "[\"null\",\"string\"]", "null")), Rec(F("u", "[\"null\",\"string\",\"int\"]", "null")), true, false, $"{UnionWriterRule}"),
            ("union_remove_branch", Rec(F("u", "[\"null\",\"string\",\"int\"]", "null")), Rec(F("u", "[\"null\",\"string\"]", "null")), false, true, $"{UnionWriterRule}"),
            ("make_field_optional", Rec(F("s", Q("string"))), Rec(F("s", "[\"null\",\"string\"]", "null")), true, false, $"{UnionReaderRule}; {UnionWriterRule}"),
            ("make_field_required", Rec(F("s", "[\"null\",\"string\"]", "null")), Rec(F("s", Q("string"))), false, true, $"{UnionWriterRule}; {UnionReaderRule}"),
            ("rename_field_with_alias_and_default", Rec(F("a", Q("int"), "0")), Rec(FA("b", Q("int"), "a", "0")), true, true, $"{AliasRule}; {DefaultRule}"),
            ("rename_field_without_alias", Rec(A), Rec(F("b", Q("int"))), false, false, DefaultRule),
            ("rename_record_with_alias", Rec(A), $$"""{"type":"record","name":"Person","namespace":"com.acme","aliases":["com.acme.User"],"fields":[{{A}}]}""", true, false, $"{AliasRule}; {NameRule}"),
            ("rename_record_without_alias", Rec(A), Named("Person", "com.acme", A), false, false, NameRule),
            ("change_namespace", Rec(A), Named("User", "org.other", A), true, true, NameRule),
            ("nested_add_field_with_default", Rec(F("addr", Inner(F("city", Q("string"))))), Rec(F("addr", Inner(F("city", Q("string")), F("zip", Q("string"), "\"\"")))), true, true, $"{ArrayRule}; {DefaultRule}"),
            ("nested_add_field_without_default", Rec(F("addr", Inner(F("city", Q("string"))))), Rec(F("addr", Inner(F("city", Q("string")), F("zip", Q("string"))))), false, true, DefaultRule),
            ("nested_type_change", Rec(F("addr", Inner(F("city", Q("string"))))), Rec(F("addr", Inner(F("city", Q("int"))))), false, false, MismatchRule),
            ("array_items_int_to_long", Rec(F("xs", Arr(Q("int")))), Rec(F("xs", Arr(Q("long")))), true, false, $"{ArrayRule}; {PromotionRule}"),
            ("array_items_int_to_string", Rec(F("xs", Arr(Q("int")))), Rec(F("xs", Arr(Q("string")))), false, false, $"{ArrayRule}; {MismatchRule}"),
            ("map_values_int_to_double", Rec(F("m", Map(Q("int")))), Rec(F("m", Map(Q("double")))), true, false, $"{ArrayRule}; {PromotionRule}"),
            ("map_values_string_to_boolean", Rec(F("m", Map(Q("string")))), Rec(F("m", Map(Q("boolean")))), false, false, $"{ArrayRule}; {MismatchRule}"),
            ("array_to_map", Rec(F("xs", Arr(Q("int")))), Rec(F("xs", Map(Q("int")))), false, false, MismatchRule),
            ("fixed_size_change", Rec(F("h", Fixed(16))), Rec(F("h", Fixed(32))), false, false, FixedRule),
            ("fixed_same_size_doc_change", Rec(F("h", Fixed(16))), Rec(F("h", """{"type":"fixed","name":"Hash","size":16,"doc":"md5"}""")), true, true, $"{FixedRule}; docs are not part of resolution"),
            ("logical_type_added", Rec(A), Rec(F("a", """{"type":"int","logicalType":"date"}""")), true, true, LogicalRule),
            ("record_to_primitive", Rec(F("addr", Inner(F("city", Q("string"))))), Rec(F("addr", Q("string"))), false, false, MismatchRule),
        };

        foreach (var s in steps)
        {
            yield return new($"{s.Name}_backward", Backward, [s.Old], s.New, s.Backward, $"BACKWARD: new reads old. {s.Rule}");
            yield return new($"{s.Name}_forward", Forward, [s.Old], s.New, s.Forward, $"FORWARD: old reads new. {s.Rule}");
            yield return new($"{s.Name}_full", Full, [s.Old], s.New, s.Backward && s.Forward, $"FULL: both directions. {s.Rule}");
        }

        // NONE accepts anything.
        yield return new("int_to_string_none", None, [Rec(A)], Rec(F("a", Q("string"))), true, "NONE: no check");
        yield return new("rename_record_none", None, [Rec(A)], Named("Person", "com.acme", A), true, "NONE: no check");

        // Transitive levels see every live version; the single-step levels only the latest.
        var v1 = Rec(A);
        var v2 = Rec(A, F("b", Q("string"), "\"x\""));
        var v3 = Rec(A, F("b", Q("string")));
        yield return new("drop_default_backward", Backward, [v1, v2], v3, true, $"BACKWARD checks the latest only: v2 has b. {DefaultRule}");
        yield return new("drop_default_backward_transitive", BackwardTransitive, [v1, v2], v3, false, $"BACKWARD_TRANSITIVE checks v1 too, which lacks b. {DefaultRule}");
        yield return new("drop_default_full", Full, [v1, v2], v3, true, $"FULL checks the latest only. {DefaultRule}");
        yield return new("drop_default_full_transitive", FullTransitive, [v1, v2], v3, false, $"FULL_TRANSITIVE checks v1 too. {DefaultRule}");

        var w1 = Rec(A, F("b", Q("string")));
        var w2 = Rec(A, F("b", Q("string"), "\"x\""));
        var w3 = Rec(A);
        yield return new("remove_after_default_forward", Forward, [w1, w2], w3, true, $"FORWARD checks the latest only: v2's b has a default. {DefaultRule}");
        yield return new("remove_after_default_forward_transitive", ForwardTransitive, [w1, w2], w3, false, $"FORWARD_TRANSITIVE: v1 reads new data and its b has no default. {DefaultRule}");

        var c3 = Rec(A, F("b", Q("string"), "\"x\""), F("c", Q("long"), "0"));
        yield return new("add_defaults_backward_transitive", BackwardTransitive, [v1, v2], c3, true, $"every version's data is readable: new fields have defaults. {DefaultRule}");
        yield return new("add_defaults_forward_transitive", ForwardTransitive, [v1, v2], c3, true, $"every old reader ignores the new fields. {IgnoreRule}");
        yield return new("add_defaults_full_transitive", FullTransitive, [v1, v2], c3, true, $"{DefaultRule}; {IgnoreRule}");
        yield return new("widen_union_backward_transitive", BackwardTransitive,
            [Rec(F("u", Q("string"))), Rec(F("u", "[\"null\",\"string\"]", "null"))], Rec(F("u", "[\"null\",\"string\",\"int\"]", "null")), true, $"{UnionReaderRule}; {UnionWriterRule}");
        yield return new("narrow_union_forward_transitive", ForwardTransitive,
            [Rec(F("u", "[\"null\",\"string\",\"int\"]", "null")), Rec(F("u", "[\"null\",\"string\"]", "null"))], Rec(F("u", Q("string"))), true, $"old unions accept the narrower writer. {UnionReaderRule}");
        yield return new("promote_twice_backward_transitive", BackwardTransitive,
            [Rec(A), Rec(F("a", Q("long")))], Rec(F("a", Q("double"))), true, PromotionRule);
        yield return new("demote_backward_transitive", BackwardTransitive,
            [Rec(F("a", Q("long"))), Rec(F("a", Q("double")))], Rec(F("a", Q("float"))), false, $"double cannot be read as float. {PromotionRule}");
    }
}
