using Meshwork.Governance.Classification;
using Meshwork.Governance.Contracts;
using Meshwork.Governance.Descriptors;
using Meshwork.Governance.Diagnostics;

namespace Meshwork.Governance.Policies;

/// <summary>
/// The federated governance checks: every rule of <c>policies.yaml</c> applied to every domain and
/// product, plus the contract and lineage rules that hold regardless of policy. Pure: reads the
/// loaded mesh, returns violations; the caller decides whether they block.
/// </summary>
public static class GovernanceChecker
{
    private const string ContractsPath = "dataProduct.dataContracts";

    /// <summary>All violations in <paramref name="mesh"/>, ordered by file, line and rule.</summary>
    public static IReadOnlyList<Diagnostic> Check(MeshDefinition mesh)
    {
        var policies = mesh.Policies;
        var classifier = new FieldClassifier(policies.DataClassification);
        var violations = new List<Diagnostic>();
        foreach (var domain in mesh.Domains)
        {
            CheckDomain(policies, domain, violations);
        }

        foreach (var product in mesh.Products)
        {
            CheckCatalog(policies.DataCatalog, product, violations);
            CheckResidency(policies.DataResidency, product, violations);
            var labels = product.Schema is null ? [] : classifier.Classify(product.Schema);
            CheckClassification(policies.DataClassification, product, labels, violations);
            CheckContracts(mesh, product, labels, violations);
            CheckInputsHaveContracts(mesh, product, violations);
        }

        return violations
            .OrderBy(v => v.Location.File, StringComparer.Ordinal).ThenBy(v => v.Location.Line).ThenBy(v => v.RuleId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The effective labels of every field of <paramref name="product"/> under the mesh's policy.</summary>
    public static IReadOnlyList<FieldLabels> FieldLabelsOf(MeshDefinition mesh, DataProduct product) =>
        product.Schema is null ? [] : new FieldClassifier(mesh.Policies.DataClassification).Classify(product.Schema);

    private static void CheckDomain(GovernancePolicies policies, DomainDescriptor domain, List<Diagnostic> violations)
    {
        if (policies.DataCatalog.RequireOwner && domain.Owners.Count == 0)
        {
            violations.Add(Diagnostic.Error(RuleIds.CatalogRequireOwner, domain.Source.Get("domain.owners"),
                $"domain '{domain.Name}' has no owners; the policy requires an owner.", "Add 'owners: [team@example.org]' under 'domain:'."));
        }

        if (domain.Region is { } region && !Regions.IsKnown(region))
        {
            violations.Add(UnknownRegion(domain.Source.Get("domain.region"), "domain.region", region));
        }

        if (policies.DataResidency.Enforced && domain.Region is null)
        {
            violations.Add(Diagnostic.Error(RuleIds.ResidencyDomainRegion, domain.Source.Get("domain"),
                $"domain '{domain.Name}' declares no region; residency is enforced.", "Add 'region: EU' (or the area/region the domain's data must stay in)."));
        }

        if (policies.AccessControl.RequireApproval && domain.Approvers.Count == 0 && policies.AccessControl.Approvers.Count == 0)
        {
            violations.Add(Diagnostic.Error(RuleIds.AccessApproversRequired, domain.Source.Get("domain"),
                $"access requires approval, but neither domain '{domain.Name}' nor policies.yaml names an approver.",
                "Add 'approvers: [data-steward@example.org]' to the domain or to governancePolicies.accessControl."));
        }
    }

    private static void CheckCatalog(CatalogPolicy catalog, DataProduct product, List<Diagnostic> violations)
    {
        var d = product.Descriptor;
        if (catalog.RequireDescription && string.IsNullOrWhiteSpace(d.Description))
        {
            violations.Add(Diagnostic.Error(RuleIds.CatalogRequireDescription, d.Source.Get("dataProduct.description"),
                $"product '{product.FullName}' has no description; the catalog policy requires one.", "Add 'description: ...' saying what the product contains and how to use it."));
        }

        if (catalog.RequireOwner && string.IsNullOrWhiteSpace(d.Owner))
        {
            violations.Add(Diagnostic.Error(RuleIds.CatalogRequireOwner, d.Source.Get("dataProduct.owner"),
                $"product '{product.FullName}' has no owner; the catalog policy requires one.", "Add 'owner: team@example.org'."));
        }

        if (catalog.RequireSensitivityLabel && d.Classification is null)
        {
            violations.Add(Diagnostic.Error(RuleIds.CatalogRequireSensitivityLabel, d.Source.Get("dataProduct.classification"),
                $"product '{product.FullName}' has no sensitivity label; the catalog policy requires one.",
                $"Add 'classification: <{string.Join("|", DescriptorParser.SensitivityLabels)}>'."));
        }
    }

    private static void CheckResidency(ResidencyPolicy policy, DataProduct product, List<Diagnostic> violations)
    {
        var d = product.Descriptor;
        var residency = d.DataResidency;
        var places = new List<(string Region, string Path)>();
        if (residency.Region is { } region)
        {
            places.Add((region, "dataProduct.dataResidency.region"));
        }

        for (var i = 0; i < residency.StorageLocations.Count; i++)
        {
            places.Add((residency.StorageLocations[i], $"dataProduct.dataResidency.storageLocations[{i}]"));
        }

        if (policy.Enforced && places.Count == 0)
        {
            violations.Add(Diagnostic.Error(RuleIds.ResidencyAllowedRegions, d.Source.Get("dataProduct.dataResidency"),
                $"product '{product.FullName}' declares no residency; residency is enforced.",
                $"Add 'dataResidency: {{ region: {product.Domain.Region ?? "EU"}, storageLocations: [...] }}'."));
        }

        foreach (var (place, path) in places)
        {
            var location = d.Source.Get(path);
            if (!Regions.IsKnown(place))
            {
                violations.Add(UnknownRegion(location, path, place));
                continue;
            }

            var isArea = path.EndsWith(".region", StringComparison.Ordinal);

            // An area ('EU') is allowed when some allowed region lies in it; a storage location must itself be allowed.
            var allowed = isArea
                ? policy.AllowedRegions.Any(a => Regions.Contains(place, a) || Regions.Contains(a, place))
                : Regions.ContainedInAny(policy.AllowedRegions, place);
            if (policy.Enforced && !allowed)
            {
                violations.Add(Diagnostic.Error(RuleIds.ResidencyAllowedRegions, location,
                    $"'{place}' is not an allowed region (allowed: {string.Join(", ", policy.AllowedRegions)}).",
                    "Store the product in an allowed region, or have the governance team extend governancePolicies.dataResidency.allowedRegions."));
            }

            if (product.Domain.Region is { } domainRegion && Regions.IsKnown(domainRegion) && !Regions.Contains(domainRegion, place))
            {
                violations.Add(Diagnostic.Error(RuleIds.ResidencyDomainRegion, location,
                    $"'{place}' is outside domain '{product.Domain.Name}''s region '{domainRegion}'.",
                    $"Use a region inside '{domainRegion}' (e.g. {string.Join(", ", Regions.Known.Where(r => !r.Equals(domainRegion, StringComparison.OrdinalIgnoreCase) && Regions.Contains(domainRegion, r)).Take(3))})."));
            }
        }
    }

    private static void CheckClassification(ClassificationPolicy policy, DataProduct product, IReadOnlyList<FieldLabels> labels, List<Diagnostic> violations)
    {
        var d = product.Descriptor;
        var schemaLocation = product.SchemaFile is null ? d.Source.Get("dataProduct.schema") : SourceLocation.OfFile(product.SchemaFile);
        if (!policy.AutoClassify)
        {
            foreach (var field in labels)
            {
                foreach (var label in field.Inferred.Where(l => !Labels.AnyCovers(field.Declared, l)))
                {
                    violations.Add(Diagnostic.Error(RuleIds.ClassificationLabelRequired, schemaLocation,
                        $"field '{field.Field}' of '{product.FullName}' matches the policy rule for '{label}' but does not declare it (auto-classification is off).",
                        $"Add \"classification\": \"{label}\" to field '{field.Field}' in {product.SchemaFile}."));
                }
            }
        }

        var pii = labels.Where(l => l.IsPii).ToList();
        if (pii.Count == 0)
        {
            return;
        }

        var names = string.Join(", ", pii.Select(p => $"{p.Field} ({string.Join("/", p.Effective.Where(Labels.IsPii))})"));
        if (string.IsNullOrWhiteSpace(d.DataResidency.PiiHandling))
        {
            violations.Add(Diagnostic.Error(RuleIds.ClassificationPiiHandling, d.Source.Get("dataProduct.dataResidency.piiHandling"),
                $"product '{product.FullName}' has PII fields [{names}] but declares no PII handling.",
                "Add 'piiHandling: Encrypted-CMK' (or how PII is protected) under 'dataResidency:'."));
        }

        if (d.Classification is "Public" or "Internal")
        {
            violations.Add(Diagnostic.Error(RuleIds.ClassificationSensitivityTooLow, d.Source.Get("dataProduct.classification"),
                $"product '{product.FullName}' is labelled {d.Classification} but has PII fields [{names}].",
                "Label it Confidential or Restricted, or remove the PII fields."));
        }
    }

    private static void CheckContracts(MeshDefinition mesh, DataProduct product, IReadOnlyList<FieldLabels> labels, List<Diagnostic> violations)
    {
        var d = product.Descriptor;
        for (var c = 0; c < d.DataContracts.Count; c++)
        {
            var contract = d.DataContracts[c];
            var path = $"{ContractsPath}[{c}]";
            if (ContractConsumers.Resolve(mesh, contract.Consumer) is null)
            {
                violations.Add(Diagnostic.Error(RuleIds.ContractUnknownConsumer, d.Source.Get($"{path}.consumer"),
                    $"contract consumer '{contract.Consumer}' is neither a domain nor a product of this mesh.",
                    $"Name a domain ({string.Join(", ", mesh.Domains.Select(x => x.Name))}) or a product as '<domain>.<id>'."));
            }

            for (var i = 0; i < contract.Fields.Count; i++)
            {
                var field = contract.Fields[i];
                var location = d.Source.Get($"{path}.fields[{i}]");
                if (contract.ExcludedFields.Contains(field, StringComparer.Ordinal))
                {
                    violations.Add(Diagnostic.Error(RuleIds.ContractExcludedFieldExposed, location,
                        $"contract with '{contract.Consumer}' exposes '{field}', which the same contract excludes.",
                        $"Remove '{field}' from 'fields' (excluded fields never reach the consumer)."));
                    continue;
                }

                if (product.Schema is null)
                {
                    continue;
                }

                if (product.Schema.Field(field) is null)
                {
                    var suggestion = YamlDescriptorReader.Suggest(field, product.Schema.Fields.Select(f => f.Name));
                    violations.Add(Diagnostic.Error(RuleIds.ContractUnknownField, location,
                        $"contract with '{contract.Consumer}' names field '{field}', which is not in {product.SchemaFile}." + (suggestion is null ? "" : $" Did you mean '{suggestion}'?"),
                        "Name fields of the product's schema."));
                    continue;
                }

                var fieldLabels = labels.First(l => l.Field == field);
                var unpermitted = fieldLabels.Effective.Where(Labels.IsPii).Where(l => !Labels.AnyCovers(contract.PermittedLabels, l)).ToList();
                if (unpermitted.Count > 0)
                {
                    violations.Add(Diagnostic.Error(RuleIds.ContractPiiFieldExposed, location,
                        $"contract with '{contract.Consumer}' exposes PII field '{field}' ({string.Join(", ", unpermitted)}) without permitting that label.",
                        $"Remove '{field}' from 'fields', or (with steward approval) add 'permittedLabels: [{unpermitted[0]}]' to this contract."));
                }
            }

            if (product.Schema is not null)
            {
                for (var i = 0; i < contract.ExcludedFields.Count; i++)
                {
                    if (product.Schema.Field(contract.ExcludedFields[i]) is null)
                    {
                        violations.Add(Diagnostic.Warning(RuleIds.ContractUnknownField, d.Source.Get($"{path}.excludedFields[{i}]"),
                            $"excluded field '{contract.ExcludedFields[i]}' is not in {product.SchemaFile}; the exclusion has no effect today.",
                            "Check the spelling; keep it only if the field is planned."));
                    }
                }
            }
        }
    }

    private static void CheckInputsHaveContracts(MeshDefinition mesh, DataProduct product, List<Diagnostic> violations)
    {
        var inputs = product.Descriptor.Inputs;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (mesh.Product(inputs[i]) is not { } input || input.Domain.Name == product.Domain.Name)
            {
                continue;
            }

            var covered = input.Descriptor.DataContracts.Any(c => ContractConsumers.Resolve(mesh, c.Consumer) is { } consumer && ContractConsumers.Covers(consumer, product));
            if (!covered)
            {
                violations.Add(Diagnostic.Error(RuleIds.InputWithoutContract, product.Descriptor.Source.Get($"dataProduct.inputs[{i}]"),
                    $"'{product.FullName}' reads '{input.FullName}' from another domain without a data contract.",
                    $"Ask the owner of '{input.FullName}' ({input.Descriptor.Owner ?? "its domain"}) to add a dataContracts entry with 'consumer: {product.FullName}' or '{product.Domain.Name}'."));
            }
        }
    }

    private static Diagnostic UnknownRegion(SourceLocation location, string path, string region)
    {
        var suggestion = YamlDescriptorReader.Suggest(region, Regions.Known);
        return Diagnostic.Error(RuleIds.ResidencyUnknownRegion, location, $"'{path}': unknown region '{region}'." + (suggestion is null ? "" : $" Did you mean '{suggestion}'?"),
            $"Use a known region or area: {string.Join(", ", Regions.Known)}.");
    }
}
