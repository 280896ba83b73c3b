namespace Meshwork.Governance.Descriptors;

/// <summary>A domain: the team that owns a set of data products, and where its data may live (<c>domain.yaml</c>).</summary>
public sealed record DomainDescriptor
{
    /// <summary>Lowercase identifier used in topic names (<c>sales</c>, <c>project-management</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Display name (<c>Customer 360</c>); defaults to nothing, the catalog then shows <see cref="Name"/>.</summary>
    public string? Title { get; init; }

    /// <summary>What the domain covers.</summary>
    public string? Description { get; init; }

    /// <summary>Owning teams or people (e-mail addresses or group names).</summary>
    public IReadOnlyList<string> Owners { get; init; } = [];

    /// <summary>Residency boundary of the domain: a region (<c>westeurope</c>) or an area (<c>EU</c>, <c>US-GOV</c>).</summary>
    public string? Region { get; init; }

    /// <summary>Who approves access requests to this domain's products.</summary>
    public IReadOnlyList<string> Approvers { get; init; } = [];

    /// <summary>Where each key was written.</summary>
    public required SourceMap Source { get; init; }
}
