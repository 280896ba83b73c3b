using System.Text.Json;
using static Meshwork.Formats.JsonSchema.JsonSchemaDifferenceType;

namespace Meshwork.Formats.JsonSchema;

/// <summary>
/// JSON Schema compatibility as Confluent's checker computes it (<c>io.confluent.kafka.schemaregistry.json.diff
/// .SchemaDiff</c>, STRICT policy): list the differences from the older to the newer schema and call the change
/// compatible when every difference is in <see cref="CompatibleChanges"/>. "Compatible" means BACKWARD: a reader using
/// the newer schema accepts every document valid under the older one; the registry swaps the arguments for FORWARD
/// and checks both ways for FULL.
/// </summary>
/// <remarks>
/// Schemas are first viewed the way Confluent's loader (everit) models them: a <c>$ref</c> is replaced by its target,
/// <c>type</c> picks a string, number, object, array, boolean or null schema (a type array becomes an anyOf of them),
/// and an object whose keywords span several of those parts (for example <c>type</c> with <c>enum</c>) becomes an
/// all-of of its parts. For such implicit all-ofs we pair the parts by kind and report the specific difference
/// (ENUM_ARRAY_NARROWED at <c>#/enum</c>) and PRODUCT_TYPE_EXTENDED/NARROWED for a part added or removed, where
/// everit's class-based comparison can only say TYPE_CHANGED or COMBINED_TYPE_SUBSCHEMAS_CHANGED. Like Confluent,
/// <c>const</c>, <c>contains</c>, <c>propertyNames</c>, <c>format</c> and if/then/else are not compared.
/// </remarks>
public static class JsonSchemaCompatibility
{
    /// <summary>Confluent's <c>SchemaDiff.COMPATIBLE_CHANGES</c> (STRICT).</summary>
    public static IReadOnlySet<JsonSchemaDifferenceType> CompatibleChanges { get; } = new HashSet<JsonSchemaDifferenceType>
    {
        IdChanged, DescriptionChanged, TitleChanged, DefaultChanged, SchemaRemoved, TypeExtended,
        MaxLengthIncreased, MaxLengthRemoved, MinLengthDecreased, MinLengthRemoved, PatternRemoved,
        MaximumIncreased, MaximumRemoved, MinimumDecreased, MinimumRemoved,
        ExclusiveMaximumIncreased, ExclusiveMaximumRemoved, ExclusiveMinimumDecreased, ExclusiveMinimumRemoved,
        MultipleOfReduced, MultipleOfRemoved,
        RequiredAttributeWithDefaultAdded, RequiredAttributeRemoved,
        DependencyArrayNarrowed, DependencyArrayRemoved, DependencySchemaRemoved,
        MaxPropertiesIncreased, MaxPropertiesRemoved, MinPropertiesDecreased, MinPropertiesRemoved,
        AdditionalPropertiesAdded, AdditionalPropertiesExtended,
        PropertyWithEmptySchemaAddedToOpenContentModel,
        RequiredPropertyWithDefaultAddedToUnopenContentModel, OptionalPropertyAddedToUnopenContentModel,
        PropertyWithFalseRemovedFromClosedContentModel, PropertyRemovedFromOpenContentModel,
        PropertyAddedIsCoveredByPartiallyOpenContentModel, PropertyRemovedIsCoveredByPartiallyOpenContentModel,
        MaxItemsIncreased, MaxItemsRemoved, MinItemsDecreased, MinItemsRemoved, UniqueItemsRemoved,
        AdditionalItemsAdded, AdditionalItemsExtended,
        ItemWithEmptySchemaAddedToOpenContentModel, ItemAddedToClosedContentModel,
        ItemWithFalseRemovedFromClosedContentModel, ItemRemovedFromOpenContentModel,
        ItemAddedIsCoveredByPartiallyOpenContentModel, ItemRemovedIsCoveredByPartiallyOpenContentModel,
        EnumArrayExtended,
        CombinedTypeExtended, ProductTypeNarrowed, SumTypeExtended, NotTypeNarrowed,
    };

    /// <summary>
    /// The incompatible differences between <paramref name="older"/> (writer) and <paramref name="newer"/> (reader);
    /// empty when a reader using <paramref name="newer"/> can read all data written with <paramref name="older"/>.
    /// </summary>
    public static IReadOnlyList<JsonSchemaDifference> Check(JsonSchemaDocument older, JsonSchemaDocument newer) =>
        [.. Compare(older, newer).Where(d => !d.IsCompatible)];

    /// <summary>Every difference, compatible or not, from <paramref name="older"/> to <paramref name="newer"/>.</summary>
    public static IReadOnlyList<JsonSchemaDifference> Compare(JsonSchemaDocument older, JsonSchemaDocument newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        var context = new Context();
        CompareSchemas(context, View.Of(older.RootNode), View.Of(newer.RootNode));
        return context.Differences;
    }

    private static void CompareSchemas(Context ctx, View? original, View? update, bool compareMetadata = true)
    {
        if (original is null && update is null)
        {
            return;
        }

        if (original is null)
        {
            ctx.Add(SchemaAdded);
            return;
        }

        if (update is null)
        {
            ctx.Add(SchemaRemoved);
            return;
        }

        if (original.Kind != ViewKind.Combined && update.Kind == ViewKind.Combined && !update.Implicit)
        {
            if (update.Subs.Count == 1)
            {
                var sub = ctx.Sub();
                CompareSchemas(sub, original, update.Subs[0]);
                if (sub.IsCompatible)
                {
                    ctx.AddAll(sub);
                    return;
                }
            }
            else if (update.Criterion != "allOf")
            {
                foreach (var branch in update.Subs)
                {
                    var sub = ctx.Sub();
                    CompareSchemas(sub, original, branch);
                    if (sub.IsCompatible)
                    {
                        ctx.AddAll(sub);
                        ctx.Add(SumTypeExtended);
                        return;
                    }
                }
            }
        }
        else if (original.Kind == ViewKind.Combined && !original.Implicit && update.Kind != ViewKind.Combined && original.Subs.Count == 1)
        {
            var sub = ctx.Sub();
            CompareSchemas(sub, original.Subs[0], update);
            if (sub.IsCompatible)
            {
                ctx.AddAll(sub);
                return;
            }
        }

        if (original.Implicit || update.Implicit)
        {
            if (!ctx.Enter(original.Node, update.Node))
            {
                return;
            }

            CompareMetadata(ctx, original, update);
            CompareParts(ctx, original.Implicit ? original.Subs : [original], update.Implicit ? update.Subs : [update]);
            ctx.Leave(original.Node, update.Node);
            return;
        }

        if (original.Kind != update.Kind)
        {
            if (original.Kind == ViewKind.False || update.Kind == ViewKind.Empty)
            {
                return;
            }

            ctx.Add(TypeChanged);
            return;
        }

        if (!ctx.Enter(original.Node, update.Node))
        {
            // Already comparing this pair further up: a recursive schema; the outer comparison covers it.
            return;
        }

        if (compareMetadata)
        {
            CompareMetadata(ctx, original, update);
        }

        switch (original.Kind)
        {
            case ViewKind.String:
                CompareString(ctx, original.Node, update.Node);
                break;
            case ViewKind.Number:
                CompareNumber(ctx, original, update);
                break;
            case ViewKind.Enum:
                CompareEnum(ctx, original.Node.Enum!.Value, update.Node.Enum!.Value);
                break;
            case ViewKind.Combined:
                CompareCombined(ctx, original, update);
                break;
            case ViewKind.Not:
                CompareNot(ctx, original.Node, update.Node);
                break;
            case ViewKind.Object:
                CompareObject(ctx, original.Node, update.Node);
                break;
            case ViewKind.Array:
                CompareArray(ctx, original.Node, update.Node);
                break;
        }

        ctx.Leave(original.Node, update.Node);
    }

    /// <summary>Pairs the parts of implicit all-ofs by kind; see the class remarks.</summary>
    private static void CompareParts(Context ctx, List<View> originals, List<View> updates)
    {
        var unmatched = new List<View>(updates);
        foreach (var part in originals)
        {
            var index = unmatched.FindIndex(u => u.Kind == part.Kind && u.Criterion == part.Criterion);
            if (index < 0)
            {
                ctx.Add(ProductTypeNarrowed);
                continue;
            }

            CompareSchemas(ctx, part, unmatched[index], compareMetadata: false);
            unmatched.RemoveAt(index);
        }

        foreach (var unused in unmatched)
        {
            ctx.Add(ProductTypeExtended);
        }
    }

    private static void CompareMetadata(Context ctx, View original, View update)
    {
        var o = original.Node.Raw;
        var u = update.Node.Raw;
        if (!SameMember(o, u, "$id"))
        {
            ctx.Add(IdChanged);
        }

        if (!SameMember(o, u, "title"))
        {
            ctx.Add(TitleChanged);
        }

        if (!SameMember(o, u, "description"))
        {
            ctx.Add(DescriptionChanged);
        }

        if (!SameMember(o, u, "default"))
        {
            ctx.Add(DefaultChanged);
        }
    }

    private static bool SameMember(JsonElement a, JsonElement b, string name)
    {
        JsonElement x = default, y = default;
        var hasA = a.ValueKind == JsonValueKind.Object && a.TryGetProperty(name, out x);
        var hasB = b.ValueKind == JsonValueKind.Object && b.TryGetProperty(name, out y);
        return hasA == hasB && (!hasA || JsonValues.Equal(x, y));
    }

    private static void CompareString(Context ctx, SchemaNode original, SchemaNode update)
    {
        CompareLimit(ctx, "maxLength", original.MaxLength, update.MaxLength, MaxLengthAdded, MaxLengthRemoved, MaxLengthIncreased, MaxLengthDecreased);
        CompareLimit(ctx, "minLength", original.MinLength, update.MinLength, MinLengthAdded, MinLengthRemoved, MinLengthIncreased, MinLengthDecreased);
        var o = original.Pattern?.ToString();
        var u = update.Pattern?.ToString();
        if (o != u)
        {
            ctx.Add("pattern", o is null ? PatternAdded : u is null ? PatternRemoved : PatternChanged);
        }
    }

    private static void CompareNumber(Context ctx, View original, View update)
    {
        var o = original.Node;
        var u = update.Node;
        CompareNumberLimit(ctx, "maximum", o.Maximum, u.Maximum, MaximumAdded, MaximumRemoved, MaximumIncreased, MaximumDecreased);
        CompareNumberLimit(ctx, "minimum", o.Minimum, u.Minimum, MinimumAdded, MinimumRemoved, MinimumIncreased, MinimumDecreased);
        CompareNumberLimit(ctx, "exclusiveMaximum", o.ExclusiveMaximum, u.ExclusiveMaximum, ExclusiveMaximumAdded, ExclusiveMaximumRemoved, ExclusiveMaximumIncreased, ExclusiveMaximumDecreased);
        CompareNumberLimit(ctx, "exclusiveMinimum", o.ExclusiveMinimum, u.ExclusiveMinimum, ExclusiveMinimumAdded, ExclusiveMinimumRemoved, ExclusiveMinimumIncreased, ExclusiveMinimumDecreased);
        if (o.MultipleOf is { } om && u.MultipleOf is { } um)
        {
            if (JsonValues.Compare(om, um) != 0)
            {
                ctx.Add("multipleOf", JsonValues.IsMultipleOf(um, om) ? MultipleOfExpanded : JsonValues.IsMultipleOf(om, um) ? MultipleOfReduced : MultipleOfChanged);
            }
        }
        else if (o.MultipleOf is not null || u.MultipleOf is not null)
        {
            ctx.Add("multipleOf", o.MultipleOf is null ? MultipleOfAdded : MultipleOfRemoved);
        }

        if (original.RequiresInteger != update.RequiresInteger)
        {
            // integer → number accepts every old value: widening.
            ctx.Add(original.RequiresInteger ? TypeExtended : TypeNarrowed);
        }
    }

    private static void CompareLimit(Context ctx, string keyword, long? original, long? update,
        JsonSchemaDifferenceType added, JsonSchemaDifferenceType removed, JsonSchemaDifferenceType increased, JsonSchemaDifferenceType decreased)
    {
        if (original == update)
        {
            return;
        }

        ctx.Add(keyword, original is null ? added : update is null ? removed : original < update ? increased : decreased);
    }

    private static void CompareNumberLimit(Context ctx, string keyword, JsonElement? original, JsonElement? update,
        JsonSchemaDifferenceType added, JsonSchemaDifferenceType removed, JsonSchemaDifferenceType increased, JsonSchemaDifferenceType decreased)
    {
        if (original is null && update is null)
        {
            return;
        }

        if (original is null || update is null)
        {
            ctx.Add(keyword, original is null ? added : removed);
            return;
        }

        var order = JsonValues.Compare(original.Value, update.Value);
        if (order != 0)
        {
            ctx.Add(keyword, order < 0 ? increased : decreased);
        }
    }

    private static void CompareEnum(Context ctx, JsonElement original, JsonElement update)
    {
        var o = original.EnumerateArray().ToList();
        var u = update.EnumerateArray().ToList();
        var updateHasAll = o.All(x => u.Any(y => JsonValues.Equal(x, y)));
        var originalHasAll = u.All(y => o.Any(x => JsonValues.Equal(x, y)));
        if (updateHasAll && originalHasAll)
        {
            return;
        }

        ctx.Add("enum", updateHasAll ? EnumArrayExtended : originalHasAll ? EnumArrayNarrowed : EnumArrayChanged);
    }

    private static void CompareNot(Context ctx, SchemaNode original, SchemaNode update)
    {
        if (JsonValues.Equal(original.Not!.Raw, update.Not!.Raw))
        {
            return;
        }

        // "not A" → "not B" accepts every old value exactly when B accepts no more than A: compare B against A.
        var sub = ctx.Sub();
        CompareSchemas(sub, View.Of(update.Not), View.Of(original.Not));
        ctx.Add("not", sub.IsCompatible ? NotTypeNarrowed : NotTypeExtended);
    }

    private static void CompareCombined(Context ctx, View original, View update)
    {
        JsonSchemaDifferenceType? criterionChange = null;
        if (original.Criterion != update.Criterion)
        {
            criterionChange = update.Criterion switch
            {
                "anyOf" => CombinedTypeExtended,
                "oneOf" when original.Subs.Count == 1 => CombinedTypeExtended,
                "allOf" when original.Subs.Count == 1 && update.Subs.Count == 1 => CombinedTypeExtended,
                _ => CombinedTypeChanged,
            };
            ctx.Add(criterionChange.Value);
            if (criterionChange == CombinedTypeChanged)
            {
                return;
            }
        }

        var originals = Distinct(original.Subs);
        var updates = Distinct(update.Subs);
        if (originals.Count < updates.Count)
        {
            ctx.Add(update.Criterion == "allOf" ? ProductTypeExtended : SumTypeExtended);
        }
        else if (originals.Count > updates.Count)
        {
            ctx.Add(update.Criterion == "allOf" ? ProductTypeNarrowed : SumTypeNarrowed);
        }

        var edges = new List<Context>?[originals.Count, updates.Count];
        for (var i = 0; i < originals.Count; i++)
        {
            ctx.Push(original.Criterion + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            for (var j = 0; j < updates.Count; j++)
            {
                var sub = ctx.Sub();
                CompareSchemas(sub, originals[i], updates[j]);
                if (sub.IsCompatible)
                {
                    edges[i, j] = [sub];
                }
            }

            ctx.Pop();
        }

        var match = MaximumMatching(edges, originals.Count, updates.Count);
        var size = 0;
        for (var j = 0; j < updates.Count; j++)
        {
            if (match[j] >= 0)
            {
                size++;
                ctx.AddAll(edges[match[j], j]![0]);
            }
        }

        if (size < Math.Min(originals.Count, updates.Count))
        {
            ctx.Add(CombinedTypeSubschemasChanged);
        }
    }

    private static List<View> Distinct(List<View> views)
    {
        var list = new List<View>();
        foreach (var view in views)
        {
            if (!list.Any(v => v.Criterion == view.Criterion && v.Kind == view.Kind && v.RequiresInteger == view.RequiresInteger && JsonValues.Equal(v.Node.Raw, view.Node.Raw)))
            {
                list.Add(view);
            }
        }

        return list;
    }

    /// <summary>Maximum bipartite matching (augmenting paths); returns, per right vertex, its left partner or -1.</summary>
    private static int[] MaximumMatching(List<Context>?[,] edges, int left, int right)
    {
        var match = Enumerable.Repeat(-1, right).ToArray();
        for (var i = 0; i < left; i++)
        {
            Augment(i, new bool[right]);
        }

        return match;

        bool Augment(int i, bool[] seen)
        {
            for (var j = 0; j < right; j++)
            {
                if (edges[i, j] is null || seen[j])
                {
                    continue;
                }

                seen[j] = true;
                if (match[j] < 0 || Augment(match[j], seen))
                {
                    match[j] = i;
                    return true;
                }
            }

            return false;
        }
    }

    private static void CompareObject(Context ctx, SchemaNode original, SchemaNode update)
    {
        var originalProperties = original.Properties ?? [];
        var updateProperties = update.Properties ?? [];

        ctx.Push("required");
        foreach (var (name, _) in originalProperties)
        {
            if (update.Property(name) is not { } updated)
            {
                continue;
            }

            var wasRequired = original.Required?.Contains(name) == true;
            var isRequired = update.Required?.Contains(name) == true;
            if (wasRequired && !isRequired)
            {
                ctx.Add(name, RequiredAttributeRemoved);
            }
            else if (!wasRequired && isRequired)
            {
                ctx.Add(name, HasDefault(updated) ? RequiredAttributeWithDefaultAdded : RequiredAttributeAdded);
            }
        }

        ctx.Pop();

        ctx.Push("properties");
        foreach (var name in originalProperties.Select(p => p.Key).Union(updateProperties.Select(p => p.Key)))
        {
            ctx.Push(JsonSchemaDocument.EscapePointer(name));
            var o = original.Property(name);
            var u = update.Property(name);
            if (u is null)
            {
                // Removal depends on the new schema's content model only: can the new reader still accept the value?
                if (IsOpen(update))
                {
                    ctx.Add(PropertyRemovedFromOpenContentModel);
                }
                else if (PartialSchema(update, name) is { } partial)
                {
                    var sub = ctx.Sub();
                    CompareSchemas(sub, View.Of(o!), View.Of(partial));
                    ctx.AddAll(sub);
                    ctx.Add(sub.IsCompatible ? PropertyRemovedIsCoveredByPartiallyOpenContentModel : PropertyRemovedNotCoveredByPartiallyOpenContentModel);
                }
                else
                {
                    ctx.Add(o!.BooleanValue == false ? PropertyWithFalseRemovedFromClosedContentModel : PropertyRemovedFromClosedContentModel);
                }
            }
            else if (o is null)
            {
                // Addition depends on the old schema's content model: an open writer may already have sent any value.
                var required = update.Required?.Contains(name) == true;
                if (IsOpen(original))
                {
                    ctx.Add(View.Of(u).Kind == ViewKind.Empty
                        ? PropertyWithEmptySchemaAddedToOpenContentModel
                        : required
                            ? (HasDefault(u) ? RequiredPropertyWithDefaultAddedToOpenContentModel : RequiredPropertyAddedToOpenContentModel)
                            : OptionalPropertyAddedToOpenContentModel);
                }
                else
                {
                    if (PartialSchema(original, name) is { } partial)
                    {
                        var sub = ctx.Sub();
                        CompareSchemas(sub, View.Of(partial), View.Of(u));
                        ctx.AddAll(sub);
                        ctx.Add(sub.IsCompatible ? PropertyAddedIsCoveredByPartiallyOpenContentModel : PropertyAddedNotCoveredByPartiallyOpenContentModel);
                    }

                    ctx.Add(required
                        ? (HasDefault(u) ? RequiredPropertyWithDefaultAddedToUnopenContentModel : RequiredPropertyAddedToUnopenContentModel)
                        : OptionalPropertyAddedToUnopenContentModel);
                }
            }
            else
            {
                CompareSchemas(ctx, View.Of(o), View.Of(u));
            }

            ctx.Pop();
        }

        ctx.Pop();

        ctx.Push("dependencies");
        CompareDependencies(ctx, original, update);
        ctx.Pop();

        ctx.Push("additionalProperties");
        var (originalPermits, originalSchema) = Additional(original.AdditionalProperties);
        var (updatePermits, updateSchema) = Additional(update.AdditionalProperties);
        if (originalPermits != updatePermits)
        {
            ctx.Add(updatePermits ? AdditionalPropertiesAdded : AdditionalPropertiesRemoved);
        }
        else if (originalSchema is null && updateSchema is not null)
        {
            ctx.Add(AdditionalPropertiesNarrowed);
        }
        else if (originalSchema is not null && updateSchema is null)
        {
            ctx.Add(AdditionalPropertiesExtended);
        }
        else if (originalSchema is not null)
        {
            CompareSchemas(ctx, View.Of(originalSchema), View.Of(updateSchema!));
        }

        ctx.Pop();

        CompareLimit(ctx, "maxProperties", original.MaxProperties, update.MaxProperties, MaxPropertiesAdded, MaxPropertiesRemoved, MaxPropertiesIncreased, MaxPropertiesDecreased);
        CompareLimit(ctx, "minProperties", original.MinProperties, update.MinProperties, MinPropertiesAdded, MinPropertiesRemoved, MinPropertiesIncreased, MinPropertiesDecreased);
    }

    private static void CompareDependencies(Context ctx, SchemaNode original, SchemaNode update)
    {
        var originalArrays = (original.DependencyArrays ?? []).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var updateArrays = (update.DependencyArrays ?? []).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var key in originalArrays.Keys.Union(updateArrays.Keys))
        {
            if (!updateArrays.TryGetValue(key, out var u))
            {
                ctx.Add(key, DependencyArrayRemoved);
            }
            else if (!originalArrays.TryGetValue(key, out var o))
            {
                ctx.Add(key, DependencyArrayAdded);
            }
            else if (!o.ToHashSet().SetEquals(u))
            {
                ctx.Add(key, u.ToHashSet().IsSupersetOf(o) ? DependencyArrayExtended : o.ToHashSet().IsSupersetOf(u) ? DependencyArrayNarrowed : DependencyArrayChanged);
            }
        }

        var originalSchemas = (original.DependencySchemas ?? []).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var updateSchemas = (update.DependencySchemas ?? []).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var key in originalSchemas.Keys.Union(updateSchemas.Keys))
        {
            if (!updateSchemas.TryGetValue(key, out var u))
            {
                ctx.Add(key, DependencySchemaRemoved);
            }
            else if (!originalSchemas.TryGetValue(key, out var o))
            {
                ctx.Add(key, DependencySchemaAdded);
            }
            else
            {
                ctx.Push(JsonSchemaDocument.EscapePointer(key));
                CompareSchemas(ctx, View.Of(o), View.Of(u));
                ctx.Pop();
            }
        }
    }

    private static bool HasDefault(SchemaNode node) => node.Raw.ValueKind == JsonValueKind.Object && node.Raw.TryGetProperty("default", out _);

    /// <summary>everit's view of additionalProperties/additionalItems: is anything extra allowed, and under which schema.</summary>
    private static (bool Permits, SchemaNode? Schema) Additional(SchemaNode? node) => node switch
    {
        null => (true, null),
        { BooleanValue: true } => (true, null),
        { BooleanValue: false } => (false, null),
        _ => (true, node),
    };

    private static bool IsOpen(SchemaNode node)
    {
        var (permits, schema) = Additional(node.AdditionalProperties);
        return permits && schema is null && (node.PatternProperties is null || node.PatternProperties.Count == 0);
    }

    private static SchemaNode? PartialSchema(SchemaNode node, string name)
    {
        foreach (var (pattern, schema) in node.PatternProperties ?? [])
        {
            if (pattern.IsMatch(name))
            {
                return schema;
            }
        }

        return Additional(node.AdditionalProperties).Schema;
    }

    private static void CompareArray(Context ctx, SchemaNode original, SchemaNode update)
    {
        ctx.Push("items");
        CompareSchemas(ctx, original.Items is null ? null : View.Of(original.Items), update.Items is null ? null : View.Of(update.Items));
        ctx.Pop();

        var originalItems = original.ItemsArray ?? [];
        var updateItems = update.ItemsArray ?? [];
        var (originalPermits, originalAdditional) = Additional(original.AdditionalItems);
        var (updatePermits, updateAdditional) = Additional(update.AdditionalItems);
        for (var i = 0; i < Math.Max(originalItems.Count, updateItems.Count); i++)
        {
            ctx.Push("items/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (i < originalItems.Count && i < updateItems.Count)
            {
                CompareSchemas(ctx, View.Of(originalItems[i]), View.Of(updateItems[i]));
            }
            else if (i < originalItems.Count)
            {
                if (updatePermits && updateAdditional is null)
                {
                    ctx.Add(ItemRemovedFromOpenContentModel);
                }
                else if (updateAdditional is not null)
                {
                    var sub = ctx.Sub();
                    CompareSchemas(sub, View.Of(originalItems[i]), View.Of(updateAdditional));
                    ctx.AddAll(sub);
                    ctx.Add(sub.IsCompatible ? ItemRemovedIsCoveredByPartiallyOpenContentModel : ItemRemovedNotCoveredByPartiallyOpenContentModel);
                }
                else
                {
                    ctx.Add(originalItems[i].BooleanValue == false ? ItemWithFalseRemovedFromClosedContentModel : ItemRemovedFromClosedContentModel);
                }
            }
            else if (originalPermits && originalAdditional is null)
            {
                ctx.Add(View.Of(updateItems[i]).Kind == ViewKind.Empty ? ItemWithEmptySchemaAddedToOpenContentModel : ItemAddedToOpenContentModel);
            }
            else if (originalAdditional is not null)
            {
                var sub = ctx.Sub();
                CompareSchemas(sub, View.Of(originalAdditional), View.Of(updateItems[i]));
                ctx.AddAll(sub);
                ctx.Add(sub.IsCompatible ? ItemAddedIsCoveredByPartiallyOpenContentModel : ItemAddedNotCoveredByPartiallyOpenContentModel);
            }
            else
            {
                ctx.Add(ItemAddedToClosedContentModel);
            }

            ctx.Pop();
        }

        ctx.Push("additionalItems");
        if (originalPermits != updatePermits)
        {
            ctx.Add(originalPermits ? AdditionalItemsRemoved : AdditionalItemsAdded);
        }
        else if (originalAdditional is null && updateAdditional is not null)
        {
            ctx.Add(AdditionalItemsNarrowed);
        }
        else if (originalAdditional is not null && updateAdditional is null)
        {
            ctx.Add(AdditionalItemsExtended);
        }
        else if (originalAdditional is not null)
        {
            CompareSchemas(ctx, View.Of(originalAdditional), View.Of(updateAdditional!));
        }

        ctx.Pop();

        CompareLimit(ctx, "maxItems", original.MaxItems, update.MaxItems, MaxItemsAdded, MaxItemsRemoved, MaxItemsIncreased, MaxItemsDecreased);
        CompareLimit(ctx, "minItems", original.MinItems, update.MinItems, MinItemsAdded, MinItemsRemoved, MinItemsIncreased, MinItemsDecreased);
        if (original.UniqueItems != update.UniqueItems)
        {
            ctx.Add("uniqueItems", original.UniqueItems ? UniqueItemsRemoved : UniqueItemsAdded);
        }
    }

    private enum ViewKind
    {
        Empty,
        False,
        String,
        Number,
        Boolean,
        Null,
        Object,
        Array,
        Enum,
        Const,
        Combined,
        Not,
        Conditional,
    }

    /// <summary>A schema as everit would model it; see the class remarks.</summary>
    private sealed class View
    {
        private View(ViewKind kind, SchemaNode node)
        {
            Kind = kind;
            Node = node;
        }

        public ViewKind Kind { get; }

        public SchemaNode Node { get; }

        public bool RequiresInteger { get; private init; }

        public string? Criterion { get; private init; }

        public bool Implicit { get; private init; }

        public List<View> Subs { get; private init; } = [];

        public static View Of(SchemaNode node)
        {
            // $ref chains are acyclic (the parser rejects cycles without progress), so this loop ends.
            while (node.Ref is not null)
            {
                node = node.Ref;
            }

            if (node.BooleanValue is bool value)
            {
                return new View(value ? ViewKind.Empty : ViewKind.False, node);
            }

            var parts = new List<View>();
            var typeParts = new List<View>();
            if (node.Types != JsonSchemaTypes.None)
            {
                var types = node.Types;
                if ((types & JsonSchemaTypes.Number) != 0)
                {
                    types &= ~JsonSchemaTypes.Integer;
                }

                foreach (var type in Enum.GetValues<JsonSchemaTypes>().Where(t => t != JsonSchemaTypes.None && (types & t) != 0))
                {
                    typeParts.Add(type switch
                    {
                        JsonSchemaTypes.Null => new View(ViewKind.Null, node),
                        JsonSchemaTypes.Boolean => new View(ViewKind.Boolean, node),
                        JsonSchemaTypes.Object => new View(ViewKind.Object, node),
                        JsonSchemaTypes.Array => new View(ViewKind.Array, node),
                        JsonSchemaTypes.String => new View(ViewKind.String, node),
                        JsonSchemaTypes.Integer => new View(ViewKind.Number, node) { RequiresInteger = true },
                        _ => new View(ViewKind.Number, node),
                    });
                }
            }
            else
            {
                // Without "type", everit infers the schema kind from the keywords present.
                if (node.MaxLength is not null || node.MinLength is not null || node.Pattern is not null)
                {
                    typeParts.Add(new View(ViewKind.String, node));
                }

                if (node.Maximum is not null || node.Minimum is not null || node.ExclusiveMaximum is not null || node.ExclusiveMinimum is not null || node.MultipleOf is not null)
                {
                    typeParts.Add(new View(ViewKind.Number, node));
                }

                if (node.Properties is not null || node.Required is not null || node.AdditionalProperties is not null || node.PatternProperties is not null
                    || node.DependencyArrays is not null || node.DependencySchemas is not null || node.MaxProperties is not null || node.MinProperties is not null
                    || node.PropertyNames is not null)
                {
                    typeParts.Add(new View(ViewKind.Object, node));
                }

                if (node.Items is not null || node.ItemsArray is not null || node.AdditionalItems is not null || node.MaxItems is not null
                    || node.MinItems is not null || node.UniqueItems || node.Contains is not null)
                {
                    typeParts.Add(new View(ViewKind.Array, node));
                }
            }

            if (typeParts.Count == 1)
            {
                parts.Add(typeParts[0]);
            }
            else if (typeParts.Count > 1)
            {
                parts.Add(new View(ViewKind.Combined, node) { Criterion = "anyOf", Subs = typeParts });
            }

            if (node.Enum is not null)
            {
                parts.Add(new View(ViewKind.Enum, node));
            }

            if (node.Const is not null)
            {
                parts.Add(new View(ViewKind.Const, node));
            }

            if (node.Not is not null)
            {
                parts.Add(new View(ViewKind.Not, node));
            }

            if (node.AllOf is not null)
            {
                parts.Add(new View(ViewKind.Combined, node) { Criterion = "allOf", Subs = [.. node.AllOf.Select(Of)] });
            }

            if (node.AnyOf is not null)
            {
                parts.Add(new View(ViewKind.Combined, node) { Criterion = "anyOf", Subs = [.. node.AnyOf.Select(Of)] });
            }

            if (node.OneOf is not null)
            {
                parts.Add(new View(ViewKind.Combined, node) { Criterion = "oneOf", Subs = [.. node.OneOf.Select(Of)] });
            }

            if (node.If is not null)
            {
                parts.Add(new View(ViewKind.Conditional, node));
            }

            return parts.Count switch
            {
                0 => new View(ViewKind.Empty, node),
                1 => parts[0],
                _ => new View(ViewKind.Combined, node) { Criterion = "allOf", Implicit = true, Subs = parts },
            };
        }
    }

    /// <summary>Differences found so far, the current path, and the schema pairs being compared (recursion guard).</summary>
    private sealed class Context
    {
        private readonly List<string> _path;
        private readonly HashSet<(SchemaNode, SchemaNode)> _active;

        public Context()
            : this([], new HashSet<(SchemaNode, SchemaNode)>())
        {
        }

        private Context(List<string> path, HashSet<(SchemaNode, SchemaNode)> active)
        {
            _path = path;
            _active = active;
        }

        public List<JsonSchemaDifference> Differences { get; } = [];

        public bool IsCompatible => Differences.All(d => d.IsCompatible);

        /// <summary>A context for a trial comparison whose differences are kept only if the caller decides so.</summary>
        public Context Sub() => new([.. _path], _active);

        public void Push(string segment) => _path.Add(segment);

        public void Pop() => _path.RemoveAt(_path.Count - 1);

        public void Add(JsonSchemaDifferenceType type) => Differences.Add(new JsonSchemaDifference(CurrentPath(), type));

        public void Add(string segment, JsonSchemaDifferenceType type)
        {
            Push(segment);
            Add(type);
            Pop();
        }

        public void AddAll(Context other) => Differences.AddRange(other.Differences);

        public bool Enter(SchemaNode original, SchemaNode update) => _active.Add((original, update));

        public void Leave(SchemaNode original, SchemaNode update) => _active.Remove((original, update));

        private string CurrentPath() => _path.Count == 0 ? "#" : "#/" + string.Join('/', _path);
    }
}
