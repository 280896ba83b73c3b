namespace Meshwork.Governance.Descriptors;

/// <summary>Lifecycle state of a data product.</summary>
public enum ProductStatus
{
    /// <summary>Being designed; topics exist but the catalog hides it from discovery by default.</summary>
    Draft,

    /// <summary>Discoverable and consumable.</summary>
    Published,

    /// <summary>Still served until <see cref="ProductDescriptor.Sunset"/>; no new access grants.</summary>
    Deprecated,
}

/// <summary>Where the product's data may be stored and how PII in it is protected (sovereignty seed <c>dataResidency</c>).</summary>
/// <param name="Region">The residency area or region (<c>EU</c>).</param>
/// <param name="StorageLocations">Concrete regions holding the data (<c>westeurope</c>).</param>
/// <param name="PiiHandling">How PII is protected (<c>Encrypted-CMK</c>); required when the product has PII fields.</param>
public sealed record ResidencySpec(string? Region, IReadOnlyList<string> StorageLocations, string? PiiHandling)
{
    /// <summary>No residency declared.</summary>
    public static ResidencySpec None { get; } = new(null, [], null);
}

/// <summary>One way of consuming the product (sovereignty seed <c>interfaces</c>).</summary>
public sealed record InterfaceSpec(string Type, string? Endpoint, string? Authentication, IReadOnlyList<string> Scopes, string? AccessLevel, int? RateLimit);

/// <summary>Service level objectives (sovereignty seed <c>sla</c>).</summary>
/// <param name="Availability">Percent, e.g. 99.9.</param>
/// <param name="Latency">Free text such as <c>&lt; 100ms</c>.</param>
/// <param name="Freshness">Free text such as <c>&lt; 1 hour</c>.</param>
public sealed record SlaSpec(double? Availability, string? Latency, string? Freshness);

/// <summary>Quality targets in percent (sovereignty seed <c>qualityMetrics</c>).</summary>
public sealed record QualitySpec(double? Completeness, double? Accuracy, double? Timeliness);

/// <summary>
/// What one consumer may see of the product (sovereignty seed <c>dataContracts</c>).
/// </summary>
/// <param name="Consumer">A domain (<c>sales</c>, or the seed's <c>Sales Domain</c>) or a product (<c>analytics.revenue</c>).</param>
/// <param name="Purpose">Why the consumer needs the data; recorded with every grant.</param>
/// <param name="Fields">The fields the consumer may read (an allow list).</param>
/// <param name="ExcludedFields">Fields that must never reach the consumer, even if added to <paramref name="Fields"/> later.</param>
/// <param name="PermittedLabels">PII labels this contract explicitly allows to flow (e.g. <c>PII.Contact</c> for a mailing service); any other PII field in <paramref name="Fields"/> is a violation.</param>
public sealed record DataContractSpec(string Consumer, string? Purpose, IReadOnlyList<string> Fields, IReadOnlyList<string> ExcludedFields, IReadOnlyList<string> PermittedLabels);

/// <summary>
/// A data product descriptor (<c>product.yaml</c>): a strict superset of the sovereignty seed's
/// <c>dataProduct:</c> block plus the FedRAMP seed's metadata, schema, access, quality and lineage.
/// </summary>
public sealed record ProductDescriptor
{
    /// <summary>Lowercase slug used in topic and table names (<c>orders</c> → <c>sales.orders.v1</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Display name (<c>Sales Analytics</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Owning domain; must match the folder's <c>domain.yaml</c> name (case-insensitive).</summary>
    public required string Domain { get; init; }

    /// <summary>Owning team (e-mail or group).</summary>
    public string? Owner { get; init; }

    /// <summary>What the product contains and how to use it.</summary>
    public string? Description { get; init; }

    /// <summary>Sensitivity label: Public, Internal, Confidential or Restricted.</summary>
    public string? Classification { get; init; }

    /// <summary>Free-form discovery tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Lifecycle state.</summary>
    public ProductStatus Status { get; init; } = ProductStatus.Draft;

    /// <summary>When a deprecated product stops being served.</summary>
    public DateOnly? Sunset { get; init; }

    /// <summary>Major schema version; part of the topic name. Breaking schema changes need a new major.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Path of the schema file relative to the descriptor (<c>.avsc</c> Avro or <c>.json</c> JSON Schema).</summary>
    public string? Schema { get; init; }

    /// <summary>Fields forming the record key.</summary>
    public IReadOnlyList<string> KeyFields { get; init; } = [];

    /// <summary>True when records are full entity state: the topic is compacted and keyed by <see cref="KeyFields"/>.</summary>
    public bool StateEvents { get; init; }

    /// <summary>Partitions of the product's topic (default 1: one ordered stream). Increasing it re-partitions keys.</summary>
    public int Partitions { get; init; } = 1;

    /// <summary>Lineage: the products this one is built from (<c>domain.product</c>).</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>Residency and PII handling.</summary>
    public ResidencySpec DataResidency { get; init; } = ResidencySpec.None;

    /// <summary>Consumption interfaces.</summary>
    public IReadOnlyList<InterfaceSpec> Interfaces { get; init; } = [];

    /// <summary>Service level objectives.</summary>
    public SlaSpec? Sla { get; init; }

    /// <summary>Quality targets.</summary>
    public QualitySpec? QualityMetrics { get; init; }

    /// <summary>Per-consumer contracts.</summary>
    public IReadOnlyList<DataContractSpec> DataContracts { get; init; } = [];

    /// <summary>Where each key was written.</summary>
    public required SourceMap Source { get; init; }

    /// <summary><c>domain.id</c>, lowercase: the product's identity across the mesh.</summary>
    public string FullName => $"{Domain.ToLowerInvariant()}.{Id}";
}
