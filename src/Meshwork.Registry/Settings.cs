namespace Meshwork.Registry;

/// <summary>Compatibility levels (Confluent's seven).</summary>
public enum CompatibilityLevel
{
    /// <summary>No check.</summary>
    None,
    /// <summary>The new schema reads data written with the latest live version.</summary>
    Backward,
    /// <summary>The new schema reads data written with every live version.</summary>
    BackwardTransitive,
    /// <summary>The latest live version reads data written with the new schema.</summary>
    Forward,
    /// <summary>Every live version reads data written with the new schema.</summary>
    ForwardTransitive,
    /// <summary>Backward and forward against the latest live version.</summary>
    Full,
    /// <summary>Backward and forward against every live version.</summary>
    FullTransitive,
}

/// <summary>Registry modes.</summary>
public enum RegistryMode
{
    /// <summary>Normal operation.</summary>
    ReadWrite,
    /// <summary>Registrations, deletes and setting changes are refused.</summary>
    ReadOnly,
    /// <summary>Deprecated global read-only that also overrides subject modes.</summary>
    ReadOnlyOverride,
    /// <summary>Registrations carry explicit ids and versions; compatibility is not checked.</summary>
    Import,
}

/// <summary>Text forms of <see cref="CompatibilityLevel"/> and <see cref="RegistryMode"/> as they appear on the wire.</summary>
public static class RegistrySettings
{
    /// <summary>The wire name, for example <c>BACKWARD_TRANSITIVE</c>.</summary>
    public static string ToWire(this CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.None => "NONE",
        CompatibilityLevel.Backward => "BACKWARD",
        CompatibilityLevel.BackwardTransitive => "BACKWARD_TRANSITIVE",
        CompatibilityLevel.Forward => "FORWARD",
        CompatibilityLevel.ForwardTransitive => "FORWARD_TRANSITIVE",
        CompatibilityLevel.Full => "FULL",
        CompatibilityLevel.FullTransitive => "FULL_TRANSITIVE",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>Parses a wire name (case-insensitive, as Confluent accepts).</summary>
    public static bool TryParseCompatibility(string? text, out CompatibilityLevel level)
    {
        foreach (var candidate in Enum.GetValues<CompatibilityLevel>())
        {
            if (string.Equals(candidate.ToWire(), text, StringComparison.OrdinalIgnoreCase))
            {
                level = candidate;
                return true;
            }
        }

        level = default;
        return false;
    }

    /// <summary>The wire name, for example <c>READWRITE</c>.</summary>
    public static string ToWire(this RegistryMode mode) => mode switch
    {
        RegistryMode.ReadWrite => "READWRITE",
        RegistryMode.ReadOnly => "READONLY",
        RegistryMode.ReadOnlyOverride => "READONLY_OVERRIDE",
        RegistryMode.Import => "IMPORT",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>Parses a wire name (case-insensitive).</summary>
    public static bool TryParseMode(string? text, out RegistryMode mode)
    {
        foreach (var candidate in Enum.GetValues<RegistryMode>())
        {
            if (string.Equals(candidate.ToWire(), text, StringComparison.OrdinalIgnoreCase))
            {
                mode = candidate;
                return true;
            }
        }

        mode = default;
        return false;
    }

    /// <summary>Whether a level compares against every live version rather than the latest only.</summary>
    public static bool IsTransitive(this CompatibilityLevel level) =>
        level is CompatibilityLevel.BackwardTransitive or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.FullTransitive;

    /// <summary>The direction a level checks; null for NONE.</summary>
    public static Formats.CompatibilityDirection? Direction(this CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.Backward or CompatibilityLevel.BackwardTransitive => Formats.CompatibilityDirection.Backward,
        CompatibilityLevel.Forward or CompatibilityLevel.ForwardTransitive => Formats.CompatibilityDirection.Forward,
        CompatibilityLevel.Full or CompatibilityLevel.FullTransitive => Formats.CompatibilityDirection.Full,
        _ => null,
    };
}
