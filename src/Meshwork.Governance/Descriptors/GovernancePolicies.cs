namespace Meshwork.Governance.Descriptors;

/// <summary>Residency policy: where data may be stored at all.</summary>
public sealed record ResidencyPolicy(bool Enforced, IReadOnlyList<string> AllowedRegions);

/// <summary>A classification rule: a case-insensitive regular expression over field names and docs, and the label it assigns.</summary>
public sealed record ClassificationRule(string Pattern, string Classification);

/// <summary>Classification policy.</summary>
/// <param name="AutoClassify">True: matching fields get the rule's label automatically. False: producers must declare the label on the field themselves.</param>
/// <param name="Rules">Pattern rules.</param>
public sealed record ClassificationPolicy(bool AutoClassify, IReadOnlyList<ClassificationRule> Rules);

/// <summary>What every catalog entry must carry.</summary>
public sealed record CatalogPolicy(bool RequireDescription, bool RequireOwner, bool RequireSensitivityLabel);

/// <summary>Access policy: whether access needs approval and who approves by default.</summary>
public sealed record AccessControlPolicy(bool RequireApproval, IReadOnlyList<string> Approvers);

/// <summary>The federated governance policies (<c>policies.yaml</c>, the sovereignty seed's <c>governancePolicies:</c>).</summary>
public sealed record GovernancePolicies
{
    /// <summary>Residency.</summary>
    public ResidencyPolicy DataResidency { get; init; } = new(false, []);

    /// <summary>Classification.</summary>
    public ClassificationPolicy DataClassification { get; init; } = new(false, []);

    /// <summary>Catalog requirements.</summary>
    public CatalogPolicy DataCatalog { get; init; } = new(false, false, false);

    /// <summary>Access control.</summary>
    public AccessControlPolicy AccessControl { get; init; } = new(false, []);

    /// <summary>Where each key was written; null for <see cref="None"/>.</summary>
    public SourceMap? Source { get; init; }

    /// <summary>No policy at all: used when a mesh has no <c>policies.yaml</c> (which is itself reported as a warning).</summary>
    public static GovernancePolicies None { get; } = new();
}
