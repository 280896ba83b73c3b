namespace Meshwork.Catalog;

/// <summary>One page of a listing: the items, the total across pages, and the offset of the next page (null on the last).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Offset, int Limit, int? NextOffset)
{
    /// <summary>Builds a page from the items at <paramref name="offset"/> and the total.</summary>
    public static Page<T> Of(IReadOnlyList<T> items, int total, int offset, int limit) =>
        new(items, total, offset, limit, offset + items.Count < total ? offset + items.Count : null);
}

/// <summary>A domain in a listing.</summary>
public sealed record DomainSummary(string Name, string? Title, string? Description, string? Region, IReadOnlyList<string> Owners, IReadOnlyList<string> Approvers, int Products);

/// <summary>A product in a listing.</summary>
public sealed record ProductSummary(
    string FullName, string Name, string Domain, string? Owner, string? Classification, string Status, int Version, string Topic,
    IReadOnlyList<string> Tags, string? Description, int Fields, bool HasPii);

/// <summary>A field of a product's schema with its effective classification labels.</summary>
public sealed record FieldInfo(string Name, string Type, string? Doc, bool Required, int? KeyPosition, IReadOnlyList<string> Labels);

/// <summary>A data contract: what one consumer may see of a product.</summary>
public sealed record ContractInfo(string Name, string Product, string Consumer, string? Purpose, IReadOnlyList<string> Fields, IReadOnlyList<string> ExcludedFields, IReadOnlyList<string> PermittedLabels);

/// <summary>A read grant on a product.</summary>
public sealed record GrantInfo(string Name, string Consumer, string Product, string Topic, IReadOnlyList<string> Fields, string GrantedBy, DateTimeOffset GrantedAt);

/// <summary>Service levels and quality targets as declared.</summary>
public sealed record ServiceLevels(double? Availability, string? Latency, string? Freshness, double? Completeness, double? Accuracy, double? Timeliness);

/// <summary>Where a product may live.</summary>
public sealed record Residency(string? Region, IReadOnlyList<string> StorageLocations, string? PiiHandling);

/// <summary>Everything the catalog knows about one product (<c>mesh describe</c>).</summary>
public sealed record ProductDetail(
    ProductSummary Product,
    string? Subject,
    string? SchemaFormat,
    string? Schema,
    IReadOnlyList<string> KeyFields,
    bool StateEvents,
    Residency Residency,
    ServiceLevels ServiceLevels,
    IReadOnlyList<FieldInfo> Fields,
    IReadOnlyList<ContractInfo> Contracts,
    IReadOnlyList<GrantInfo> Consumers,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyList<FindingInfo> Findings,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One search result: a domain or a product, with the text that matched.</summary>
public sealed record SearchHit(string Kind, string Ref, string Name, string Snippet, bool NameMatch, double Score);

/// <summary>A node of a lineage tree: a product and the products it is built from (upstream) or feeds (downstream).</summary>
public sealed record LineageNode(string Product, string Name, string Domain, bool Known, IReadOnlyList<LineageNode> Children);

/// <summary>The lineage of one product in both directions.</summary>
public sealed record Lineage(string Product, LineageNode Upstream, LineageNode Downstream);

/// <summary>One recorded apply (<c>mesh history</c>).</summary>
public sealed record ApplyRecord(long Id, string AppliedBy, DateTimeOffset AppliedAt, string Source, string Summary, IReadOnlyList<AppliedChange> Changes);

/// <summary>One change of a recorded apply.</summary>
public sealed record AppliedChange(string Action, string Resource, string Name, IReadOnlyList<AppliedField> Fields);

/// <summary>One key of an applied change.</summary>
public sealed record AppliedField(string Key, string? Before, string? After);

/// <summary>Undeclared PII the value detectors saw in a product's events.</summary>
public sealed record FindingInfo(string Product, string Field, string Kind, string Label, long Occurrences, string Sample, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);
