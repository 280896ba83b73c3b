using System.Globalization;
using Meshwork.Governance.Descriptors;
using Meshwork.Governance.Diagnostics;
using Meshwork.Governance.Policies;
using Meshwork.Governance.Schemas;

namespace Meshwork.Governance.Planning;

/// <summary>
/// Diffs a mesh definition against the live mesh (<c>mesh plan</c>). Pure: the server gathers the
/// live state, the planner says what would change and what forbids it.
/// </summary>
public static class MeshPlanner
{
    /// <summary>Plans <paramref name="desired"/> against <paramref name="live"/>.</summary>
    /// <param name="desired">The loaded definition (its load diagnostics become violations).</param>
    /// <param name="live">What exists now.</param>
    /// <param name="allowDestroy">Permit deleting products that still have consumers.</param>
    /// <param name="readers">Schema readers for comparing live schemas (defaults to <see cref="SchemaReaders.Default"/>).</param>
    public static MeshPlan Plan(MeshDefinition desired, LiveMesh live, bool allowDestroy = false, SchemaReaders? readers = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(live);
        readers ??= SchemaReaders.Default;
        var violations = new List<Diagnostic>(desired.Diagnostics);
        violations.AddRange(GovernanceChecker.Check(desired));
        var target = LiveMesh.FromDefinition(desired);
        var changes = new List<PlannedChange>();

        // Creates and updates in dependency order: policies → domain → product → topic → subject → contract → grant.
        if (target.Policies is { } policies && Fields(live.Policies, policies) is { Count: > 0 } policyFields)
        {
            changes.Add(new PlannedChange(live.Policies is null ? ChangeAction.Create : ChangeAction.Update, MeshResource.Policies, "governancePolicies", policyFields,
                desired.Policies.Source?.Get("governancePolicies") ?? SourceLocation.OfFile(MeshDefinition.PoliciesFile)));
        }

        Diff(changes, MeshResource.Domain, target.Domains, live.Domains, d => d.Name, d => d.Spec, name => desired.Domain(name)?.Source.Get("domain"));
        Diff(changes, MeshResource.Product, target.Products, live.Products, p => p.FullName, p => p.Spec, name => desired.Product(name)?.Descriptor.Source.Get("dataProduct"));
        PlanTopics(changes, violations, desired, target, live);
        PlanSubjects(changes, violations, desired, live, readers);
        PlanSubjectDeletes(changes, desired, live);
        Diff(changes, MeshResource.Contract, target.Contracts, live.Contracts, c => c.Name, ContractSpecOf, name => ContractLocation(desired, name));
        Diff(changes, MeshResource.Grant, target.Grants, live.Grants, g => g.Name, g => new Dictionary<string, string> { ["consumer"] = g.Consumer, ["product"] = g.Product, ["topic"] = g.Topic, ["fields"] = ProductSpec.List(g.Fields) },
            _ => null);

        CheckDestroys(violations, desired, live, allowDestroy);

        // Deletes run children first, so an apply never leaves a grant pointing at a deleted topic.
        var ordered = changes.Where(c => c.Action != ChangeAction.Delete)
            .Concat(changes.Where(c => c.Action == ChangeAction.Delete).OrderByDescending(c => c.Resource))
            .ToList();
        return new MeshPlan(ordered, violations
            .OrderBy(v => v.Severity == DiagnosticSeverity.Error ? 0 : 1)
            .ThenBy(v => v.Location.File, StringComparer.Ordinal).ThenBy(v => v.Location.Line).ThenBy(v => v.RuleId, StringComparer.Ordinal)
            .ToList());
    }

    private static void Diff<T>(List<PlannedChange> changes, MeshResource resource, IReadOnlyList<T> target, IReadOnlyList<T> live,
        Func<T, string> name, Func<T, IReadOnlyDictionary<string, string>> spec, Func<string, SourceLocation?> location)
    {
        var liveByName = live.ToDictionary(name, StringComparer.Ordinal);
        foreach (var item in target.OrderBy(name, StringComparer.Ordinal))
        {
            var key = name(item);
            if (!liveByName.TryGetValue(key, out var existing))
            {
                changes.Add(new PlannedChange(ChangeAction.Create, resource, key, Fields(null, spec(item)), location(key)));
                continue;
            }

            var fields = Fields(spec(existing), spec(item));
            if (fields.Count > 0)
            {
                changes.Add(new PlannedChange(ChangeAction.Update, resource, key, fields, location(key)));
            }
        }

        var targetNames = target.Select(name).ToHashSet(StringComparer.Ordinal);
        foreach (var item in live.Where(l => !targetNames.Contains(name(l))).OrderBy(name, StringComparer.Ordinal))
        {
            changes.Add(new PlannedChange(ChangeAction.Delete, resource, name(item), [], null));
        }
    }

    /// <summary>The keys whose values differ; with <paramref name="before"/> null, every key of <paramref name="after"/>.</summary>
    private static List<FieldChange> Fields(IReadOnlyDictionary<string, string>? before, IReadOnlyDictionary<string, string> after)
    {
        var result = new List<FieldChange>();
        var keys = after.Keys.Concat(before?.Keys ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var old = before?.GetValueOrDefault(key);
            var now = after.GetValueOrDefault(key);
            if (!string.Equals(old, now, StringComparison.Ordinal))
            {
                result.Add(new FieldChange(key, old, now));
            }
        }

        return result;
    }

    /// <summary>
    /// A product's topic is created with it and never deleted by a version bump: consumers of
    /// <c>v1</c> keep reading while they migrate to <c>v2</c>. Only a deleted product deletes its topics.
    /// </summary>
    private static void PlanTopics(List<PlannedChange> changes, List<Diagnostic> violations, MeshDefinition desired, LiveMesh target, LiveMesh live)
    {
        var liveTopics = live.Topics.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var topic in target.Topics)
        {
            // Every target topic is some desired product's.
            var source = desired.Products.First(p => p.Topic == topic.Name).Descriptor.Source;
            var location = source.Get("dataProduct");
            if (!liveTopics.TryGetValue(topic.Name, out var existing))
            {
                changes.Add(new PlannedChange(ChangeAction.Create, MeshResource.Topic, topic.Name, Fields(null, topic.Spec), location));
            }
            else if (Fields(existing.Spec, topic.Spec) is { Count: > 0 } fields)
            {
                changes.Add(new PlannedChange(ChangeAction.Update, MeshResource.Topic, topic.Name, fields, location));
                if (fields.FirstOrDefault(f => f.Key == "partitions") is { } partitions
                    && int.Parse(partitions.Before ?? "0", CultureInfo.InvariantCulture) > int.Parse(partitions.After ?? "0", CultureInfo.InvariantCulture))
                {
                    violations.Add(Diagnostic.Error(RuleIds.TopicPartitionsDecrease, source.Get("dataProduct.partitions"),
                        $"topic {topic.Name} has {partitions.Before} partitions; Kafka topics cannot shrink to {partitions.After}.",
                        $"Keep 'partitions: {partitions.Before}' (or more), or publish a new major version with fewer partitions."));
                }
            }
        }

        foreach (var product in DeletedProducts(desired, live))
        {
            foreach (var topic in live.Topics.Where(t => IsTopicOf(t.Name, product.FullName)).OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                changes.Add(new PlannedChange(ChangeAction.Delete, MeshResource.Topic, topic.Name, [], null));
            }
        }
    }

    private static void PlanSubjects(List<PlannedChange> changes, List<Diagnostic> violations, MeshDefinition desired, LiveMesh live, SchemaReaders readers)
    {
        var liveSubjects = live.Subjects.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var product in desired.Products.Where(p => p.Schema is not null))
        {
            var schema = product.Schema!;
            var location = product.Descriptor.Source.Get("dataProduct.schema");
            var fields = new List<FieldChange> { new("schemaType", null, schema.Format), new("schema", null, product.SchemaFile) };
            if (!liveSubjects.TryGetValue(product.Subject, out var existing))
            {
                changes.Add(new PlannedChange(ChangeAction.Create, MeshResource.Subject, product.Subject, fields, location));
                continue;
            }

            var reader = readers.ForFormat(existing.SchemaType);
            ProductSchema? previous;
            try
            {
                previous = reader?.Read(existing.Schema);
            }
            catch (SchemaReadException)
            {
                previous = null;
            }

            if (previous is not null && previous.Format == schema.Format && previous.Canonical == schema.Canonical)
            {
                continue;
            }

            changes.Add(new PlannedChange(ChangeAction.Update, MeshResource.Subject, product.Subject,
                [new FieldChange("version", existing.Version.ToString(CultureInfo.InvariantCulture), "next"), new FieldChange("schema", null, product.SchemaFile)], location));
            var problems = previous is null || previous.Format != schema.Format || reader is null
                ? [$"the schema type changes from {existing.SchemaType} to {schema.Format}"]
                : reader.BackwardIncompatibilities(previous, schema);
            if (problems.Count > 0)
            {
                violations.Add(Diagnostic.Error(RuleIds.BreakingChangeNeedsMajor, location,
                    $"the schema of '{product.FullName}' changes incompatibly for consumers of {product.Topic} (version {existing.Version}): {string.Join("; ", problems)}.",
                    $"Keep the change backward compatible (add optional fields with defaults), or publish it as a new major: set 'version: {product.Descriptor.Version + 1}' (topic {MeshNames.Topic(product.Domain.Name, product.Descriptor.Id, product.Descriptor.Version + 1)})."));
            }
        }
    }

    /// <summary>A deleted product's subjects are soft-deleted (schema ids stay resolvable for data already written).</summary>
    private static void PlanSubjectDeletes(List<PlannedChange> changes, MeshDefinition desired, LiveMesh live)
    {
        foreach (var product in DeletedProducts(desired, live))
        {
            foreach (var subject in live.Subjects.Where(s => s.Name.EndsWith("-value", StringComparison.Ordinal) && IsTopicOf(s.Name[..^"-value".Length], product.FullName))
                .OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                changes.Add(new PlannedChange(ChangeAction.Delete, MeshResource.Subject, subject.Name, [], null));
            }
        }
    }

    private static void CheckDestroys(List<Diagnostic> violations, MeshDefinition desired, LiveMesh live, bool allowDestroy)
    {
        foreach (var product in DeletedProducts(desired, live))
        {
            var topics = live.Topics.Where(t => IsTopicOf(t.Name, product.FullName)).ToList();
            var consumers = live.Grants.Where(g => g.Product == product.FullName).Select(g => g.Consumer)
                .Concat(topics.SelectMany(t => t.ConsumerGroups).Select(g => $"consumer group {g}"))
                .Concat(desired.Products.Where(p => p.Descriptor.Inputs.Contains(product.FullName, StringComparer.OrdinalIgnoreCase)).Select(p => p.FullName))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (consumers.Count == 0)
            {
                continue;
            }

            var severity = allowDestroy ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error;
            // The descriptor is gone; point at where it used to be.
            var dot = product.FullName.IndexOf('.', StringComparison.Ordinal);
            var file = $"{product.FullName[..dot]}/{MeshDefinition.ProductsDirectory}/{product.FullName[(dot + 1)..]}/{MeshDefinition.ProductFile}";
            violations.Add(new Diagnostic(RuleIds.DestroyWithConsumers, severity, SourceLocation.OfFile(file),
                $"product '{product.FullName}' is no longer declared, but {string.Join(", ", consumers)} still consume{(consumers.Count == 1 ? "s" : "")} it; deleting it deletes {string.Join(", ", topics.Select(t => t.Name))} and its data.",
                allowDestroy ? "Deleting anyway (--allow-destroy)." : "Restore its product.yaml, or migrate its consumers first, or pass --allow-destroy."));
        }
    }

    private static IEnumerable<LiveProduct> DeletedProducts(MeshDefinition desired, LiveMesh live) =>
        live.Products.Where(p => desired.Product(p.FullName) is null).OrderBy(p => p.FullName, StringComparer.Ordinal);

    /// <summary>True for <c>domain.product.vN</c> topics of <paramref name="productFullName"/>.</summary>
    private static bool IsTopicOf(string topic, string productFullName) =>
        topic.StartsWith(productFullName + ".v", StringComparison.Ordinal) && int.TryParse(topic.AsSpan(productFullName.Length + 2), out _);

    private static IReadOnlyDictionary<string, string> ContractSpecOf(LiveContract contract)
    {
        var spec = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["product"] = contract.Product, ["consumer"] = contract.Consumer };
        foreach (var (key, value) in contract.Spec)
        {
            spec[key] = value;
        }

        return spec;
    }

    private static SourceLocation? ContractLocation(MeshDefinition desired, string contractName)
    {
        var arrow = contractName.IndexOf("->", StringComparison.Ordinal);
        return arrow < 0 ? null : desired.Product(contractName[..arrow])?.Descriptor.Source.Get("dataProduct.dataContracts");
    }
}
