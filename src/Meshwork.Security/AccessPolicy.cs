namespace Meshwork.Security;

/// <summary>The kind of thing being accessed.</summary>
public enum ResourceType
{
    /// <summary>The mesh as a whole (create topics, alter cluster settings).</summary>
    Cluster,

    /// <summary>A Kafka topic (a data product's stream).</summary>
    Topic,

    /// <summary>A consumer group.</summary>
    Group,

    /// <summary>An idempotent or transactional producer id.</summary>
    ProducerId,

    /// <summary>A schema registry subject.</summary>
    Subject,

    /// <summary>A data product in the catalog.</summary>
    Product,
}

/// <summary>What the caller wants to do (Kafka's ACL operations, which the other surfaces map onto).</summary>
public enum Operation
{
    /// <summary>Read records, fetch offsets, join a group.</summary>
    Read,

    /// <summary>Produce records.</summary>
    Write,

    /// <summary>Create a topic, subject or product.</summary>
    Create,

    /// <summary>Delete a topic, group, records or subject.</summary>
    Delete,

    /// <summary>Change configuration.</summary>
    Alter,

    /// <summary>See metadata and configuration.</summary>
    Describe,

    /// <summary>Broker-to-broker and administrative cluster actions, and idempotent writes.</summary>
    ClusterAction,

    /// <summary>Idempotent produce (Kafka's IdempotentWrite).</summary>
    IdempotentWrite,
}

/// <summary>One authorization question: may <paramref name="Principal"/> do <paramref name="Operation"/> on the resource?</summary>
public sealed record AccessRequest(Principal Principal, Operation Operation, ResourceType ResourceType, string ResourceName);

/// <summary>The answer, with the reason recorded in the audit log.</summary>
public sealed record AccessDecision(bool Allowed, string Reason)
{
    /// <summary>An allow with its reason.</summary>
    public static AccessDecision Allow(string reason) => new(true, reason);

    /// <summary>A deny with its reason.</summary>
    public static AccessDecision Deny(string reason) => new(false, reason);
}

/// <summary>
/// The policy decision point. Every authorization question from every surface goes through this
/// one interface, so that enforcement (grants, contracts, residency) is one implementation swap.
/// </summary>
public interface IAccessPolicy
{
    /// <summary>Decides one request. Must be fast and must not throw for an unknown resource (deny instead).</summary>
    AccessDecision Decide(AccessRequest request);
}

/// <summary>
/// Allows everything. The embedded default until governance enforcement lands; it still records
/// that a decision was made so the call sites are already in place.
/// </summary>
public sealed class AllowAllPolicy : IAccessPolicy
{
    /// <summary>The shared instance.</summary>
    public static AllowAllPolicy Instance { get; } = new();

    /// <inheritdoc/>
    public AccessDecision Decide(AccessRequest request) => AccessDecision.Allow("allow-all policy (development default)");
}
