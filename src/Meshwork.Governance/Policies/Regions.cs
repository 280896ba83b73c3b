namespace Meshwork.Governance.Policies;

/// <summary>
/// The one table of residency regions and the areas that contain them. An area contains its
/// regions and nested areas (<c>US</c> ⊃ <c>US-GOV</c> ⊃ <c>us-gov-west-1</c>); a region contains only itself.
/// Names are matched case-insensitively.
/// </summary>
public static class Regions
{
    // child → parent. Azure and AWS names side by side because the seeds use both clouds.
    private static readonly Dictionary<string, string?> Parents = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EU"] = null,
        ["westeurope"] = "EU",
        ["northeurope"] = "EU",
        ["francecentral"] = "EU",
        ["germanywestcentral"] = "EU",
        ["swedencentral"] = "EU",
        ["eu-west-1"] = "EU",
        ["eu-central-1"] = "EU",
        ["eu-north-1"] = "EU",
        ["US"] = null,
        ["us-east-1"] = "US",
        ["us-west-2"] = "US",
        ["eastus"] = "US",
        ["westus2"] = "US",
        ["US-GOV"] = "US",
        ["us-gov-west-1"] = "US-GOV",
        ["us-gov-east-1"] = "US-GOV",
        ["usgovvirginia"] = "US-GOV",
        ["usgovarizona"] = "US-GOV",
    };

    /// <summary>Every known region and area name.</summary>
    public static IReadOnlyCollection<string> Known => Parents.Keys;

    /// <summary>True when <paramref name="name"/> is a known region or area.</summary>
    public static bool IsKnown(string name) => Parents.ContainsKey(name);

    /// <summary>
    /// True when <paramref name="inner"/> lies within <paramref name="outer"/>: the same name, or
    /// <paramref name="outer"/> is an area containing it. Unknown names are contained only in themselves.
    /// </summary>
    public static bool Contains(string outer, string inner)
    {
        for (string? current = inner; current is not null; current = Parents.GetValueOrDefault(current))
        {
            if (string.Equals(current, outer, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="region"/> lies within any of <paramref name="allowed"/>.</summary>
    public static bool ContainedInAny(IEnumerable<string> allowed, string region) => allowed.Any(a => Contains(a, region));
}
