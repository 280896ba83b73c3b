using Meshwork.Broker.Storage;

namespace Meshwork.Broker;

/// <summary>How strictly a topic checks record values against the schema registry.</summary>
public enum ValueSchemaValidation
{
    /// <summary>No check.</summary>
    None,

    /// <summary>The value must carry the Confluent wire format (magic 0 + schema id) with an id registered under <c>TOPIC-value</c>.</summary>
    Id,

    /// <summary>As <see cref="Id"/>, and the payload must also decode with that schema.</summary>
    Full,
}

/// <summary>
/// Checks record values against registered schemas. The broker calls it; the host implements it over
/// the schema registry, so the broker does not depend on the registry.
/// </summary>
public interface IValueSchemaValidator
{
    /// <summary>Null when <paramref name="value"/> is acceptable for <paramref name="topic"/>; otherwise why not.</summary>
    string? Validate(string topic, ValueSchemaValidation mode, ReadOnlySpan<byte> value);
}

/// <summary>Reads a topic's validation mode from its configs.</summary>
public static class ValueSchemaValidationConfig
{
    /// <summary>Confluent Server's switch: <c>true</c> checks the schema id.</summary>
    public const string ConfluentKey = "confluent.value.schema.validation";

    /// <summary>Meshwork's setting: <c>id</c>, <c>full</c> or <c>none</c>.</summary>
    public const string MeshworkKey = "meshwork.value.schema.validation";

    /// <summary>The mode a topic's configs ask for; Meshwork's key wins over Confluent's.</summary>
    public static ValueSchemaValidation ModeOf(TopicConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Overrides.TryGetValue(MeshworkKey, out var mode))
        {
            return mode.Trim().ToLowerInvariant() switch
            {
                "full" => ValueSchemaValidation.Full,
                "id" => ValueSchemaValidation.Id,
                _ => ValueSchemaValidation.None,
            };
        }

        return config.Overrides.TryGetValue(ConfluentKey, out var enabled) && string.Equals(enabled.Trim(), "true", StringComparison.OrdinalIgnoreCase)
            ? ValueSchemaValidation.Id
            : ValueSchemaValidation.None;
    }

    /// <summary>
    /// Why <paramref name="value"/> is not valid for <paramref name="key"/>, or null when it is (or the key is not one
    /// of the validation keys). A misspelt mode must be refused when the topic is configured: read as "none" it would
    /// silently let every record through.
    /// </summary>
    public static string? Problem(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return key switch
        {
            ConfluentKey when !bool.TryParse(value.Trim(), out _) => "expected true or false",
            MeshworkKey when value.Trim().ToLowerInvariant() is not ("id" or "full" or "none") => "expected id, full or none",
            _ => null,
        };
    }
}
