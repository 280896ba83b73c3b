namespace Meshwork.Registry.Tests;

/// <summary>The JSON Schema rows of the table: open, closed and partially open content models, constraints, combinators.</summary>
public static partial class CompatibilityCases
{
    private const string Json = "JSON";

    // Confluent's SchemaDiff rules (json-schema-provider/.../json/diff), with the difference types each produces.
    private const string OpenAddRule = "open content model (no additionalProperties): the old schema already accepted any value under any new name, so adding a property with a non-empty schema narrows it (PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL), adding one with the empty schema {} does not (PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL)";
    private const string OpenRemoveRule = "removing a property from an open content model keeps every document valid (PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL)";
    private const string ClosedAddRule = "closed content model (additionalProperties:false): old documents never carry a new name, so an added optional property is compatible (OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL) and a required one only with a default (REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL, else REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL)";
    private const string ClosedRemoveRule = "removing a property from a closed content model rejects documents that carried it (PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL) unless its schema was false (PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL)";
    private const string PartialRule = "partially open content model (additionalProperties or patternProperties with a schema): an added or removed property is compatible only if the schema covering unknown names accepts what the property did, in the reading direction (PROPERTY_ADDED/REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, else ..._NOT_COVERED_...)";
    private const string AdditionalRule = "additionalProperties: allowing more (false to absent, a schema to absent) is compatible (ADDITIONAL_PROPERTIES_ADDED, ADDITIONAL_PROPERTIES_EXTENDED); allowing less is not (ADDITIONAL_PROPERTIES_REMOVED, ADDITIONAL_PROPERTIES_NARROWED)";
    private const string TypeRule = "type: integer to number and a type added to a type list widen (TYPE_EXTENDED, SUM_TYPE_EXTENDED); the reverse narrows (TYPE_NARROWED) and any other change is TYPE_CHANGED";
    private const string LimitRule = "constraints: loosening or removing maxLength, minLength, maximum, minimum, multipleOf, maxItems, maxProperties, pattern or uniqueItems is compatible (..._INCREASED/_DECREASED/_REMOVED/MULTIPLE_OF_REDUCED); adding or tightening one is not (..._ADDED, PATTERN_CHANGED, MULTIPLE_OF_EXPANDED)";
    private const string EnumRule2 = "enum: adding values is compatible (ENUM_ARRAY_EXTENDED); removing or replacing values is not (ENUM_ARRAY_NARROWED, ENUM_ARRAY_CHANGED)";
    private const string RequiredRule = "required: dropping a name is compatible (REQUIRED_ATTRIBUTE_REMOVED); adding one is compatible only when the property has a default (REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED, else REQUIRED_ATTRIBUTE_ADDED)";
    private const string AnnotationRule = "annotations do not change which documents are valid (TITLE_CHANGED, DESCRIPTION_CHANGED, DEFAULT_CHANGED are compatible)";
    private const string CombinedRule = "combined schemas: anyOf/oneOf with more branches and allOf with fewer accept more (SUM_TYPE_EXTENDED, PRODUCT_TYPE_NARROWED), the reverse fewer (SUM_TYPE_NARROWED, PRODUCT_TYPE_EXTENDED); oneOf/allOf to anyOf is COMBINED_TYPE_EXTENDED, anyOf to a non-singleton oneOf COMBINED_TYPE_CHANGED";
    private const string TupleRule = "tuple items follow additionalItems as properties follow additionalProperties: an item added to a closed tuple is compatible (ITEM_ADDED_TO_CLOSED_CONTENT_MODEL), to an open one it is not (ITEM_ADDED_TO_OPEN_CONTENT_MODEL); removal is the mirror (ITEM_REMOVED_FROM_OPEN/CLOSED_CONTENT_MODEL)";
    private const string ItemsRule = "array items are compared recursively";
    private const string DependencyRule = "dependencies: adding or extending a dependency array rejects old documents (DEPENDENCY_ARRAY_ADDED, DEPENDENCY_ARRAY_EXTENDED); removing or narrowing one is compatible";
    private const string RefRule = "a $ref is compared as the schema it refers to (everit's ReferenceSchema is replaced by its referred schema)";

    private static string P(string name, string schema) => $"\"{name}\":{schema}";

    private static string T(string type, string? extra = null) => extra is null ? $$"""{"type":"{{type}}"}""" : $$"""{"type":"{{type}}",{{extra}}}""";

    /// <summary>An object schema; <paramref name="model"/> is appended as is (additionalProperties, patternProperties...).</summary>
    private static string Obj(string[] properties, string[]? required = null, string? model = null)
    {
        var text = $$"""{"type":"object","properties":{{{string.Join(",", properties)}}}""";
        if (required is { Length: > 0 })
        {
            text += $",\"required\":[{string.Join(",", required.Select(r => $"\"{r}\""))}]";
        }

        return text + (model is null ? "" : "," + model) + "}";
    }

    private const string Closed = "\"additionalProperties\":false";
    private const string StringsOnly = "\"additionalProperties\":{\"type\":\"string\"}";
    private const string SPrefixedStrings = "\"patternProperties\":{\"^s_\":{\"type\":\"string\"}}";

    // A property, not a field: static fields of a partial class initialise in file order, after All would need it.
    private static string Id => P("id", T("string"));

    private static IEnumerable<CompatibilityCase> BuildJson()
    {
        var steps = new (string Name, string Old, string New, bool Backward, bool Forward, string Rule)[]
        {
            // Open content model.
            ("open_add_typed_property", Obj([Id]), Obj([Id, P("n", T("integer"))]), false, true, $"{OpenAddRule}; {OpenRemoveRule}"),
            ("open_add_empty_schema_property", Obj([Id]), Obj([Id, P("n", "{}")]), true, true, $"{OpenAddRule}; {OpenRemoveRule}"),
            ("open_remove_property", Obj([Id, P("n", T("integer"))]), Obj([Id]), true, false, $"{OpenRemoveRule}; {OpenAddRule}"),

            // Closed content model.
            ("closed_add_optional_property", Obj([Id], model: Closed), Obj([Id, P("n", T("integer"))], model: Closed), true, false, $"{ClosedAddRule}; {ClosedRemoveRule}"),
            ("closed_add_required_property", Obj([Id], model: Closed), Obj([Id, P("n", T("integer"))], ["n"], Closed), false, false, $"{ClosedAddRule}; {ClosedRemoveRule}"),
            ("closed_add_required_property_with_default", Obj([Id], model: Closed), Obj([Id, P("n", T("integer", "\"default\":0"))], ["n"], Closed), true, false, $"{ClosedAddRule}; {ClosedRemoveRule}"),
            ("closed_remove_property", Obj([Id, P("n", T("integer"))], model: Closed), Obj([Id], model: Closed), false, true, $"{ClosedRemoveRule}; {ClosedAddRule}"),
            ("closed_remove_false_property", Obj([Id, P("n", "false")], model: Closed), Obj([Id], model: Closed), true, true, $"{ClosedRemoveRule}; {ClosedAddRule}"),
            ("nested_closed_add_optional_property", Obj([P("addr", Obj([P("city", T("string"))], model: Closed))]), Obj([P("addr", Obj([P("city", T("string")), P("zip", T("string"))], model: Closed))]), true, false, $"properties are compared recursively; {ClosedAddRule}; {ClosedRemoveRule}"),

            // Partially open content models.
            ("partial_add_covered_property", Obj([P("n", T("integer"))], model: StringsOnly), Obj([P("n", T("integer")), P("label", T("string"))], model: StringsOnly), true, true, PartialRule),
            ("partial_add_uncovered_property", Obj([P("n", T("integer"))], model: StringsOnly), Obj([P("n", T("integer")), P("count", T("integer"))], model: StringsOnly), false, false, PartialRule),
            ("pattern_remove_covered_property", Obj([P("n", T("integer")), P("s_name", T("string"))], model: SPrefixedStrings), Obj([P("n", T("integer"))], model: SPrefixedStrings), true, true, PartialRule),
            ("pattern_remove_uncovered_property", Obj([P("n", T("integer")), P("s_count", T("integer"))], model: SPrefixedStrings), Obj([P("n", T("integer"))], model: SPrefixedStrings), false, false, PartialRule),

            // Changing the content model itself.
            ("open_to_closed", Obj([Id]), Obj([Id], model: Closed), false, true, AdditionalRule),
            ("closed_to_open", Obj([Id], model: Closed), Obj([Id]), true, false, AdditionalRule),
            ("open_to_partial", Obj([Id]), Obj([Id], model: StringsOnly), false, true, AdditionalRule),
            ("partial_schema_loosened", Obj([Id], model: "\"additionalProperties\":{\"type\":\"string\",\"maxLength\":5}"), Obj([Id], model: StringsOnly), true, false, $"additionalProperties schemas are compared recursively; {LimitRule}"),

            // Types.
            ("integer_to_number", Obj([P("n", T("integer"))]), Obj([P("n", T("number"))]), true, false, TypeRule),
            ("type_to_type_list", Obj([P("s", T("string"))]), Obj([P("s", """{"type":["string","null"]}""")]), true, false, TypeRule),
            ("string_to_integer", Obj([P("s", T("string"))]), Obj([P("s", T("integer"))]), false, false, TypeRule),

            // Constraints.
            ("max_length_increased", Obj([P("s", T("string", "\"maxLength\":10"))]), Obj([P("s", T("string", "\"maxLength\":20"))]), true, false, LimitRule),
            ("min_length_added", Obj([P("s", T("string"))]), Obj([P("s", T("string", "\"minLength\":1"))]), false, true, LimitRule),
            ("pattern_changed", Obj([P("s", T("string", "\"pattern\":\"^[a-z]+$\""))]), Obj([P("s", T("string", "\"pattern\":\"^[A-Z]+$\""))]), false, false, LimitRule),
            ("maximum_increased", Obj([P("n", T("number", "\"maximum\":10"))]), Obj([P("n", T("number", "\"maximum\":100"))]), true, false, LimitRule),
            ("minimum_increased", Obj([P("n", T("integer", "\"minimum\":0"))]), Obj([P("n", T("integer", "\"minimum\":1"))]), false, true, LimitRule),
            ("multiple_of_reduced", Obj([P("n", T("integer", "\"multipleOf\":10"))]), Obj([P("n", T("integer", "\"multipleOf\":5"))]), true, false, LimitRule),
            ("max_properties_added", Obj([Id]), Obj([Id], model: "\"maxProperties\":3"), false, true, LimitRule),

            // Enums, required, annotations.
            ("enum_extended", Obj([P("c", """{"enum":["RED","GREEN"]}""")]), Obj([P("c", """{"enum":["RED","GREEN","BLUE"]}""")]), true, false, EnumRule2),
            ("enum_changed", Obj([P("c", """{"enum":["RED","GREEN"]}""")]), Obj([P("c", """{"enum":["RED","BLUE"]}""")]), false, false, EnumRule2),
            ("required_added", Obj([Id, P("n", T("integer"))], ["id"]), Obj([Id, P("n", T("integer"))], ["id", "n"]), false, true, RequiredRule),
            ("required_added_with_default", Obj([Id, P("n", T("integer"))], ["id"]), Obj([Id, P("n", T("integer", "\"default\":0"))], ["id", "n"]), true, true, $"{RequiredRule}; {AnnotationRule}"),
            ("title_and_description_changed", Obj([Id], model: "\"title\":\"A\""), Obj([Id], model: "\"title\":\"B\",\"description\":\"an order\""), true, true, AnnotationRule),

            // Arrays and tuples.
            ("array_items_type_changed", Obj([P("xs", T("array", "\"items\":{\"type\":\"string\"}"))]), Obj([P("xs", T("array", "\"items\":{\"type\":\"integer\"}"))]), false, false, $"{ItemsRule}; {TypeRule}"),
            ("array_items_loosened", Obj([P("xs", T("array", "\"items\":{\"type\":\"string\",\"maxLength\":5}"))]), Obj([P("xs", T("array", "\"items\":{\"type\":\"string\"}"))]), true, false, $"{ItemsRule}; {LimitRule}"),
            ("max_items_decreased", Obj([P("xs", T("array", "\"maxItems\":10"))]), Obj([P("xs", T("array", "\"maxItems\":5"))]), false, true, LimitRule),
            ("unique_items_added", Obj([P("xs", T("array"))]), Obj([P("xs", T("array", "\"uniqueItems\":true"))]), false, true, LimitRule),
            ("closed_tuple_add_item", T("array", "\"items\":[{\"type\":\"string\"}],\"additionalItems\":false"), T("array", "\"items\":[{\"type\":\"string\"},{\"type\":\"integer\"}],\"additionalItems\":false"), true, false, TupleRule),
            ("open_tuple_add_item", T("array", "\"items\":[{\"type\":\"string\"}]"), T("array", "\"items\":[{\"type\":\"string\"},{\"type\":\"integer\"}]"), false, true, TupleRule),

            // Combinators, dependencies, references.
            ("any_of_extended", """{"anyOf":[{"type":"string"},{"type":"integer"}]}""", """{"anyOf":[{"type":"string"},{"type":"integer"},{"type":"boolean"}]}""", true, false, CombinedRule),
            ("all_of_narrowed", """{"allOf":[{"type":"string"},{"maxLength":10}]}""", """{"allOf":[{"type":"string"}]}""", true, false, $"{CombinedRule}; {LimitRule}"),
            ("one_of_to_any_of", """{"oneOf":[{"type":"string"},{"type":"integer"}]}""", """{"anyOf":[{"type":"string"},{"type":"integer"}]}""", true, false, CombinedRule),
            ("dependency_added", Obj([P("a", T("string")), P("b", T("string"))]), Obj([P("a", T("string")), P("b", T("string"))], model: "\"dependencies\":{\"a\":[\"b\"]}"), false, true, DependencyRule),
            ("ref_target_open_add_property", Referring(Obj([P("city", T("string"))])), Referring(Obj([P("city", T("string")), P("zip", T("string"))])), false, true, $"{RefRule}; {OpenAddRule}; {OpenRemoveRule}"),
        };

        foreach (var s in steps)
        {
            yield return new($"json_{s.Name}_backward", Backward, [s.Old], s.New, s.Backward, $"BACKWARD: new accepts every old document. {s.Rule}", Json);
            yield return new($"json_{s.Name}_forward", Forward, [s.Old], s.New, s.Forward, $"FORWARD: old accepts every new document. {s.Rule}", Json);
            yield return new($"json_{s.Name}_full", Full, [s.Old], s.New, s.Backward && s.Forward, $"FULL: both directions. {s.Rule}", Json);
        }

        yield return new("json_string_to_integer_none", None, [Obj([P("s", T("string"))])], Obj([P("s", T("integer"))]), true, "NONE: no check", Json);
        yield return new("json_closed_remove_property_none", None, [Obj([Id, P("n", T("integer"))], model: Closed)], Obj([Id], model: Closed), true, "NONE: no check", Json);

        // Transitive levels see every live version (history registered under NONE); single-step levels the latest only.
        var open3 = Obj([Id, P("a", T("string")), P("b", T("string"))]);
        var open2 = Obj([Id, P("a", T("string"))]);
        yield return new("json_open_remove_twice_backward_transitive", BackwardTransitive, [open3, open2], Obj([Id]), true, $"every version's documents stay valid. {OpenRemoveRule}", Json);

        var closedWithString = Obj([Id, P("n", T("string"))], model: Closed);
        var closedWithout = Obj([Id], model: Closed);
        var closedWithInteger = Obj([Id, P("n", T("integer"))], model: Closed);
        yield return new("json_closed_readd_retyped_backward", Backward, [closedWithString, closedWithout], closedWithInteger, true, $"against v2 only, which lacks n. {ClosedAddRule}", Json);
        yield return new("json_closed_readd_retyped_backward_transitive", BackwardTransitive, [closedWithString, closedWithout], closedWithInteger, false, $"v1's n was a string. {TypeRule}", Json);

        var openWithInteger = Obj([Id, P("n", T("integer"))]);
        var openWithout = Obj([Id]);
        var openWithString = Obj([Id, P("n", T("string"))]);
        yield return new("json_open_readd_retyped_forward", Forward, [openWithInteger, openWithout], openWithString, true, $"v2 reads new documents: n is removed from its view. {OpenRemoveRule}", Json);
        yield return new("json_open_readd_retyped_forward_transitive", ForwardTransitive, [openWithInteger, openWithout], openWithString, false, $"v1 reads n as an integer. {TypeRule}", Json);

        yield return new("json_open_grow_forward_transitive", ForwardTransitive, [openWithout, Obj([Id, P("a", T("string"))])], Obj([Id, P("a", T("string")), P("b", T("string"))]), true,
            $"every older version is open, so new properties simply drop out of its view. {OpenRemoveRule}", Json);
        yield return new("json_open_grow_empty_full_transitive", FullTransitive, [openWithout, Obj([Id, P("x", "{}")])], Obj([Id, P("x", "{}"), P("y", "{}")]), true,
            $"properties with the empty schema may come and go in an open model, both ways, against every version. {OpenAddRule}; {OpenRemoveRule}", Json);

        var openWithAnything = Obj([Id, P("n", "{}")]);
        yield return new("json_open_readd_empty_full", Full, [openWithInteger, openWithout], openWithAnything, true, $"against v2 both ways. {OpenAddRule}; {OpenRemoveRule}", Json);
        yield return new("json_open_readd_empty_full_transitive", FullTransitive, [openWithInteger, openWithout], openWithAnything, false, $"v1 cannot read n of any type: {{}} to integer is TYPE_CHANGED. {TypeRule}", Json);
    }

    private static string Referring(string target) =>
        """{"type":"object","definitions":{"Address":""" + target + """},"properties":{"home":{"$ref":"#/definitions/Address"}}}""";
}
