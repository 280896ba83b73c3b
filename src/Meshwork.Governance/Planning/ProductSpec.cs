using System.Globalization;
using Meshwork.Governance.Descriptors;

namespace Meshwork.Governance.Planning;

/// <summary>
/// Flattens descriptors to ordered <c>path → value</c> maps (<c>sla.availability → 99.9</c>). The
/// plan diffs these maps, so a change names exactly the keys that changed; the catalog stores
/// them to know what is live.
/// </summary>
public static class ProductSpec
{
    /// <summary>The flattened product descriptor (file locations excluded; absent values omitted).</summary>
    public static IReadOnlyDictionary<string, string> Flatten(ProductDescriptor d)
    {
        var spec = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Put(spec, "id", d.Id);
        Put(spec, "name", d.Name);
        Put(spec, "domain", d.Domain.ToLowerInvariant());
        Put(spec, "owner", d.Owner);
        Put(spec, "description", d.Description);
        Put(spec, "classification", d.Classification);
        PutList(spec, "tags", d.Tags);
        Put(spec, "status", d.Status.ToString().ToLowerInvariant());
        Put(spec, "sunset", d.Sunset?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Put(spec, "version", d.Version.ToString(CultureInfo.InvariantCulture));
        Put(spec, "schema", d.Schema);
        PutList(spec, "keyFields", d.KeyFields);
        Put(spec, "stateEvents", d.StateEvents ? "true" : "false");
        Put(spec, "partitions", d.Partitions.ToString(CultureInfo.InvariantCulture));
        PutList(spec, "inputs", d.Inputs);
        Put(spec, "dataResidency.region", d.DataResidency.Region);
        PutList(spec, "dataResidency.storageLocations", d.DataResidency.StorageLocations);
        Put(spec, "dataResidency.piiHandling", d.DataResidency.PiiHandling);
        for (var i = 0; i < d.Interfaces.Count; i++)
        {
            var x = d.Interfaces[i];
            var p = $"interfaces[{i}]";
            Put(spec, $"{p}.type", x.Type);
            Put(spec, $"{p}.endpoint", x.Endpoint);
            Put(spec, $"{p}.authentication", x.Authentication);
            PutList(spec, $"{p}.scopes", x.Scopes);
            Put(spec, $"{p}.accessLevel", x.AccessLevel);
            Put(spec, $"{p}.rateLimit", x.RateLimit?.ToString(CultureInfo.InvariantCulture));
        }

        if (d.Sla is { } sla)
        {
            Put(spec, "sla.availability", Number(sla.Availability));
            Put(spec, "sla.latency", sla.Latency);
            Put(spec, "sla.freshness", sla.Freshness);
        }

        if (d.QualityMetrics is { } q)
        {
            Put(spec, "qualityMetrics.completeness", Number(q.Completeness));
            Put(spec, "qualityMetrics.accuracy", Number(q.Accuracy));
            Put(spec, "qualityMetrics.timeliness", Number(q.Timeliness));
        }

        for (var i = 0; i < d.DataContracts.Count; i++)
        {
            var c = d.DataContracts[i];
            var p = $"dataContracts[{i}]";
            Put(spec, $"{p}.consumer", c.Consumer);
            Put(spec, $"{p}.purpose", c.Purpose);
            PutList(spec, $"{p}.fields", c.Fields);
            PutList(spec, $"{p}.excludedFields", c.ExcludedFields);
            PutList(spec, $"{p}.permittedLabels", c.PermittedLabels);
        }

        return spec;
    }

    /// <summary>The flattened domain descriptor.</summary>
    public static IReadOnlyDictionary<string, string> Flatten(DomainDescriptor d)
    {
        var spec = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Put(spec, "name", d.Name);
        Put(spec, "title", d.Title);
        Put(spec, "description", d.Description);
        PutList(spec, "owners", d.Owners);
        Put(spec, "region", d.Region);
        PutList(spec, "approvers", d.Approvers);
        return spec;
    }

    /// <summary>Topic config key binding a topic to its value subject (the broker's <c>ValueSchemaValidationConfig.MeshworkKey</c>).</summary>
    public const string ValidationConfig = "meshwork.value.schema.validation";

    /// <summary>
    /// What a product's topic must be: its partition count, compacted for state events (latest
    /// value per key) and deleted by retention otherwise, and bound to its value subject with full
    /// payload validation when the product has a schema.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Topic(DataProduct product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["partitions"] = product.Descriptor.Partitions.ToString(CultureInfo.InvariantCulture),
            ["cleanup.policy"] = product.Descriptor.StateEvents ? "compact" : "delete",
            [ValidationConfig] = product.Schema is null ? "none" : "full",
        };
    }

    /// <summary>The flattened governance policies.</summary>
    public static IReadOnlyDictionary<string, string> Flatten(GovernancePolicies p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var spec = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Put(spec, "dataResidency.enforced", p.DataResidency.Enforced ? "true" : "false");
        PutList(spec, "dataResidency.allowedRegions", p.DataResidency.AllowedRegions);
        Put(spec, "dataClassification.autoClassify", p.DataClassification.AutoClassify ? "true" : "false");
        for (var i = 0; i < p.DataClassification.Rules.Count; i++)
        {
            Put(spec, $"dataClassification.rules[{i}].pattern", p.DataClassification.Rules[i].Pattern);
            Put(spec, $"dataClassification.rules[{i}].classification", p.DataClassification.Rules[i].Classification);
        }

        Put(spec, "dataCatalog.requireDescription", p.DataCatalog.RequireDescription ? "true" : "false");
        Put(spec, "dataCatalog.requireOwner", p.DataCatalog.RequireOwner ? "true" : "false");
        Put(spec, "dataCatalog.requireSensitivityLabel", p.DataCatalog.RequireSensitivityLabel ? "true" : "false");
        Put(spec, "accessControl.requireApproval", p.AccessControl.RequireApproval ? "true" : "false");
        PutList(spec, "accessControl.approvers", p.AccessControl.Approvers);
        return spec;
    }

    internal static string List(IEnumerable<string> items) => "[" + string.Join(", ", items) + "]";

    private static string? Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);

    private static void Put(SortedDictionary<string, string> spec, string key, string? value)
    {
        if (value is not null)
        {
            spec[key] = value;
        }
    }

    private static void PutList(SortedDictionary<string, string> spec, string key, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            spec[key] = List(values);
        }
    }
}
