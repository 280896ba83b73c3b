using Meshwork.Governance.Diagnostics;

namespace Meshwork.Governance.Planning;

/// <summary>What a planned change does.</summary>
public enum ChangeAction
{
    /// <summary>The resource does not exist yet.</summary>
    Create,

    /// <summary>The resource exists and some of its keys change.</summary>
    Update,

    /// <summary>The resource exists and is no longer declared.</summary>
    Delete,
}

/// <summary>The kinds of resource an apply manages.</summary>
public enum MeshResource
{
    /// <summary>The governance policies (<c>policies.yaml</c>); a change relabels every product.</summary>
    Policies,

    /// <summary>A domain in the catalog.</summary>
    Domain,

    /// <summary>A data product in the catalog.</summary>
    Product,

    /// <summary>A product's topic on the bus.</summary>
    Topic,

    /// <summary>A product's value subject in the schema registry (an update registers a new schema version).</summary>
    Subject,

    /// <summary>A data contract between a product and a consumer.</summary>
    Contract,

    /// <summary>A read grant derived from a contract.</summary>
    Grant,
}

/// <summary>One key of a resource that changes: its value before and after (null when absent).</summary>
public sealed record FieldChange(string Key, string? Before, string? After);

/// <summary>One change the apply would make.</summary>
/// <param name="Action">Create, update or delete.</param>
/// <param name="Resource">What kind of resource.</param>
/// <param name="Name">The resource's name (<c>sales.orders</c>, <c>sales.orders.v1</c>, <c>sales.orders.v1-value</c>...).</param>
/// <param name="Fields">The keys that change; for a create every key, for a delete none.</param>
/// <param name="Location">The descriptor that declares it; null for a delete.</param>
public sealed record PlannedChange(ChangeAction Action, MeshResource Resource, string Name, IReadOnlyList<FieldChange> Fields, SourceLocation? Location)
{
    /// <summary><c>+ product sales.orders</c>, <c>~ subject sales.orders.v1-value</c>, <c>- topic ...</c>.</summary>
    public override string ToString() =>
        $"{Action switch { ChangeAction.Create => "+", ChangeAction.Update => "~", _ => "-" }} {Resource.ToString().ToLowerInvariant()} {Name}";
}

/// <summary>
/// The difference between a mesh definition and the live mesh, and every problem that blocks
/// making it so. An apply with any error violation changes nothing.
/// </summary>
/// <param name="Changes">The changes, in the order an apply performs them (creates parents first, deletes children first).</param>
/// <param name="Violations">Load problems, governance violations and plan rules (breaking changes, destroys), errors and warnings.</param>
public sealed record MeshPlan(IReadOnlyList<PlannedChange> Changes, IReadOnlyList<Diagnostic> Violations)
{
    /// <summary>True when some violation is an error: the apply would refuse.</summary>
    public bool IsBlocked => Violations.Any(v => v.Severity == DiagnosticSeverity.Error);

    /// <summary>The error violations.</summary>
    public IEnumerable<Diagnostic> Errors => Violations.Where(v => v.Severity == DiagnosticSeverity.Error);

    /// <summary>Counts per action: <c>3 to create, 1 to update, 0 to delete</c>.</summary>
    public string Summary =>
        $"{Changes.Count(c => c.Action == ChangeAction.Create)} to create, {Changes.Count(c => c.Action == ChangeAction.Update)} to update, {Changes.Count(c => c.Action == ChangeAction.Delete)} to delete";
}
