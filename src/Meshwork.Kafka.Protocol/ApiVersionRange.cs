namespace Meshwork.Kafka.Protocol;

/// <summary>The versions of one API that the broker advertises, and where flexible (KIP-482) encoding starts.</summary>
/// <param name="ApiKey">The API.</param>
/// <param name="MinVersion">Lowest advertised version, inclusive.</param>
/// <param name="MaxVersion">Highest advertised version, inclusive.</param>
/// <param name="FirstFlexibleVersion">First version using compact encodings and tagged fields, or <see cref="ApiVersionRange.NeverFlexible"/>.</param>
public readonly record struct ApiVersionRange(ApiKey ApiKey, short MinVersion, short MaxVersion, short FirstFlexibleVersion)
{
    /// <summary>Marks an API that has no flexible versions.</summary>
    public const short NeverFlexible = short.MaxValue;

    /// <summary>True when <paramref name="version"/> is within the advertised range.</summary>
    public bool Supports(short version) => version >= MinVersion && version <= MaxVersion;

    /// <summary>True when <paramref name="version"/> uses compact encodings and tagged fields.</summary>
    public bool IsFlexible(short version) => version >= FirstFlexibleVersion;
}
