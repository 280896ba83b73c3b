namespace Meshwork.Formats.JsonSchema;

/// <summary>
/// The kinds of change between two JSON schemas, one for one with Confluent's
/// <c>io.confluent.kafka.schemaregistry.json.diff.Difference.Type</c> (draft-07 subset: no unevaluated*, minContains
/// or maxContains, which draft-07 does not have). <see cref="JsonSchemaDifference.ConfluentName"/> gives Confluent's
/// spelling (for example <c>TYPE_NARROWED</c>).
/// </summary>
public enum JsonSchemaDifferenceType
{
    IdChanged, DescriptionChanged, TitleChanged, DefaultChanged,
    SchemaAdded, SchemaRemoved, TypeExtended, TypeNarrowed, TypeChanged,

    MaxLengthAdded, MaxLengthRemoved, MaxLengthIncreased, MaxLengthDecreased,
    MinLengthAdded, MinLengthRemoved, MinLengthIncreased, MinLengthDecreased,
    PatternAdded, PatternRemoved, PatternChanged,

    MaximumAdded, MaximumRemoved, MaximumIncreased, MaximumDecreased,
    MinimumAdded, MinimumRemoved, MinimumIncreased, MinimumDecreased,
    ExclusiveMaximumAdded, ExclusiveMaximumRemoved, ExclusiveMaximumIncreased, ExclusiveMaximumDecreased,
    ExclusiveMinimumAdded, ExclusiveMinimumRemoved, ExclusiveMinimumIncreased, ExclusiveMinimumDecreased,
    MultipleOfAdded, MultipleOfRemoved, MultipleOfExpanded, MultipleOfReduced, MultipleOfChanged,

    RequiredAttributeAdded, RequiredAttributeWithDefaultAdded, RequiredAttributeRemoved,
    MaxPropertiesAdded, MaxPropertiesRemoved, MaxPropertiesIncreased, MaxPropertiesDecreased,
    MinPropertiesAdded, MinPropertiesRemoved, MinPropertiesIncreased, MinPropertiesDecreased,
    AdditionalPropertiesAdded, AdditionalPropertiesRemoved, AdditionalPropertiesExtended, AdditionalPropertiesNarrowed,
    DependencyArrayAdded, DependencyArrayRemoved, DependencyArrayExtended, DependencyArrayNarrowed, DependencyArrayChanged,
    DependencySchemaAdded, DependencySchemaRemoved,
    RequiredPropertyAddedToOpenContentModel,
    RequiredPropertyWithDefaultAddedToOpenContentModel,
    OptionalPropertyAddedToOpenContentModel,
    PropertyWithEmptySchemaAddedToOpenContentModel,
    RequiredPropertyAddedToUnopenContentModel,
    RequiredPropertyWithDefaultAddedToUnopenContentModel,
    OptionalPropertyAddedToUnopenContentModel,
    PropertyRemovedFromOpenContentModel,
    PropertyWithFalseRemovedFromClosedContentModel,
    PropertyRemovedFromClosedContentModel,
    PropertyRemovedIsCoveredByPartiallyOpenContentModel,
    PropertyRemovedNotCoveredByPartiallyOpenContentModel,
    PropertyAddedIsCoveredByPartiallyOpenContentModel,
    PropertyAddedNotCoveredByPartiallyOpenContentModel,

    MaxItemsAdded, MaxItemsRemoved, MaxItemsIncreased, MaxItemsDecreased,
    MinItemsAdded, MinItemsRemoved, MinItemsIncreased, MinItemsDecreased,
    UniqueItemsAdded, UniqueItemsRemoved,
    AdditionalItemsAdded, AdditionalItemsRemoved, AdditionalItemsExtended, AdditionalItemsNarrowed,
    ItemAddedToOpenContentModel,
    ItemWithEmptySchemaAddedToOpenContentModel,
    ItemAddedToClosedContentModel,
    ItemRemovedFromOpenContentModel,
    ItemWithFalseRemovedFromClosedContentModel,
    ItemRemovedFromClosedContentModel,
    ItemRemovedIsCoveredByPartiallyOpenContentModel,
    ItemRemovedNotCoveredByPartiallyOpenContentModel,
    ItemAddedIsCoveredByPartiallyOpenContentModel,
    ItemAddedNotCoveredByPartiallyOpenContentModel,

    EnumArrayExtended, EnumArrayNarrowed, EnumArrayChanged,

    CombinedTypeExtended, CombinedTypeChanged,
    ProductTypeExtended, ProductTypeNarrowed, SumTypeExtended, SumTypeNarrowed, CombinedTypeSubschemasChanged,
    NotTypeExtended, NotTypeNarrowed,
}

/// <summary>One change found by <see cref="JsonSchemaCompatibility"/>.</summary>
/// <param name="Path">Where the change is, as Confluent reports it: <c>#/properties/name/maxLength</c>.</param>
/// <param name="Type">What changed.</param>
public sealed record JsonSchemaDifference(string Path, JsonSchemaDifferenceType Type)
{
    /// <summary>Confluent's name of <see cref="Type"/> (for example <c>PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL</c>).</summary>
    public string ConfluentName => ToConfluentName(Type);

    /// <summary>True when Confluent's STRICT policy accepts this change for BACKWARD compatibility.</summary>
    public bool IsCompatible => JsonSchemaCompatibility.CompatibleChanges.Contains(Type);

    /// <inheritdoc />
    public override string ToString() => $"{ConfluentName} at {Path}";

    /// <summary>Converts a member name to Confluent's UPPER_SNAKE spelling.</summary>
    public static string ToConfluentName(JsonSchemaDifferenceType type)
    {
        var name = type.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(name[i]));
        }

        return builder.ToString();
    }
}
