using System.Globalization;
using System.Text.RegularExpressions;
using Meshwork.Governance.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Meshwork.Governance.Descriptors;

/// <summary>Parses the three descriptor kinds from YAML text, collecting every problem as a diagnostic.</summary>
public static partial class DescriptorParser
{
    /// <summary>The sensitivity labels <c>classification:</c> accepts, least to most sensitive.</summary>
    public static IReadOnlyList<string> SensitivityLabels { get; } = ["Public", "Internal", "Confidential", "Restricted"];

    /// <summary>The most partitions a product's topic may ask for.</summary>
    public const int MaxPartitions = 1000;

    private static readonly string[] DomainKeys = ["name", "title", "description", "owners", "region", "approvers"];
    private static readonly string[] ProductKeys =
    [
        "id", "name", "domain", "owner", "description", "classification", "tags", "status", "sunset", "version", "schema",
        "keyFields", "stateEvents", "partitions", "inputs", "dataResidency", "interfaces", "sla", "qualityMetrics", "dataContracts",
    ];

    private static readonly string[] ResidencyKeys = ["region", "storageLocations", "piiHandling"];
    private static readonly string[] InterfaceKeys = ["type", "endpoint", "authentication", "scopes", "accessLevel", "rateLimit"];
    private static readonly string[] SlaKeys = ["availability", "latency", "freshness"];
    private static readonly string[] QualityKeys = ["completeness", "accuracy", "timeliness"];
    private static readonly string[] ContractKeys = ["consumer", "purpose", "fields", "excludedFields", "permittedLabels"];
    private static readonly string[] PolicyKeys = ["dataResidency", "dataClassification", "dataCatalog", "accessControl"];

    /// <summary>Parses a <c>domain.yaml</c> (root key <c>domain:</c>); null when it is unusable.</summary>
    public static DomainDescriptor? ParseDomain(string yaml, string file, List<Diagnostic> diagnostics)
    {
        var reader = new YamlDescriptorReader(file, diagnostics);
        var body = Root(reader, yaml, "domain");
        var map = reader.Mapping(body, "domain", DomainKeys, ["name"]);
        if (map is null)
        {
            return null;
        }

        var source = new SourceMap(file);
        map.Record(source);
        var name = map.String("name");
        if (name is null)
        {
            return null;
        }

        if (!SlugPattern().IsMatch(name))
        {
            reader.Invalid(map["name"]!, "domain.name", $"'{name}' is not a valid domain name: it becomes the first part of topic names.",
                "Use lowercase letters, digits and '-', starting with a letter (e.g. 'project-management'); put the display name in 'title'.");
        }

        return new DomainDescriptor
        {
            Name = name,
            Title = map.String("title"),
            Description = map.String("description")?.Trim(),
            Owners = map.Strings("owners"),
            Region = map.String("region"),
            Approvers = map.Strings("approvers"),
            Source = source,
        };
    }

    /// <summary>Parses a <c>product.yaml</c> (root key <c>dataProduct:</c>); null when it is unusable.</summary>
    public static ProductDescriptor? ParseProduct(string yaml, string file, List<Diagnostic> diagnostics)
    {
        var reader = new YamlDescriptorReader(file, diagnostics);
        var body = Root(reader, yaml, "dataProduct");
        var map = reader.Mapping(body, "dataProduct", ProductKeys, ["id", "name", "domain"]);
        if (map is null)
        {
            return null;
        }

        var source = new SourceMap(file);
        map.Record(source);
        var id = map.String("id");
        var name = map.String("name");
        var domain = map.String("domain");
        if (id is null || name is null || domain is null)
        {
            return null;
        }

        if (!SlugPattern().IsMatch(id))
        {
            reader.Invalid(map["id"]!, "dataProduct.id", $"'{id}' is not a valid product id: it becomes part of topic and table names.",
                "Use lowercase letters, digits and '-', starting with a letter (e.g. 'orders').");
        }

        var classification = map.String("classification");
        if (classification is not null && !SensitivityLabels.Contains(classification))
        {
            var suggestion = YamlDescriptorReader.Suggest(classification, SensitivityLabels);
            reader.Invalid(map["classification"]!, "dataProduct.classification", $"'{classification}' is not a sensitivity label." + (suggestion is null ? "" : $" Did you mean '{suggestion}'?"),
                $"Use one of {string.Join(", ", SensitivityLabels)}.");
        }

        var status = ProductStatus.Draft;
        if (map.String("status") is { } statusText)
        {
            if (!Enum.TryParse(statusText, ignoreCase: true, out status) || !Enum.IsDefined(status))
            {
                reader.Invalid(map["status"]!, "dataProduct.status", $"'{statusText}' is not a status.", "Use draft, published or deprecated.");
                status = ProductStatus.Draft;
            }
        }

        DateOnly? sunset = null;
        if (map.String("sunset") is { } sunsetText)
        {
            if (DateOnly.TryParseExact(sunsetText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                sunset = date;
            }
            else
            {
                reader.Invalid(map["sunset"]!, "dataProduct.sunset", $"'{sunsetText}' is not a date.", "Write the date as YYYY-MM-DD.");
            }
        }

        var version = map.Int("version") ?? 1;
        if (version < 1)
        {
            reader.Invalid(map["version"]!, "dataProduct.version", "the major version must be 1 or more.", "Set 'version: 1' (or the next major).");
        }

        var partitions = map.Int("partitions") ?? 1;
        if (partitions is < 1 or > MaxPartitions)
        {
            reader.Invalid(map["partitions"]!, "dataProduct.partitions", $"{partitions} partitions is out of range.", $"Use 1 to {MaxPartitions}.");
            partitions = 1;
        }

        return new ProductDescriptor
        {
            Id = id,
            Name = name,
            Domain = domain,
            Owner = map.String("owner"),
            Description = map.String("description")?.Trim(),
            Classification = classification,
            Tags = map.Strings("tags"),
            Status = status,
            Sunset = sunset,
            Version = version,
            Schema = map.String("schema"),
            KeyFields = map.Strings("keyFields"),
            StateEvents = map.Bool("stateEvents") ?? false,
            Partitions = partitions,
            Inputs = map.Strings("inputs"),
            DataResidency = ParseResidency(reader, map, source),
            Interfaces = map.Items("interfaces").Select((node, i) => ParseInterface(reader, node, $"dataProduct.interfaces[{i}]", source)).OfType<InterfaceSpec>().ToList(),
            Sla = reader.Mapping(map["sla"], "dataProduct.sla", SlaKeys) is { } sla ? Recorded(sla, source, new SlaSpec(sla.Number("availability"), sla.String("latency"), sla.String("freshness"))) : null,
            QualityMetrics = reader.Mapping(map["qualityMetrics"], "dataProduct.qualityMetrics", QualityKeys) is { } q
                ? Recorded(q, source, new QualitySpec(q.Number("completeness"), q.Number("accuracy"), q.Number("timeliness")))
                : null,
            DataContracts = map.Items("dataContracts").Select((node, i) => ParseContract(reader, node, $"dataProduct.dataContracts[{i}]", source)).OfType<DataContractSpec>().ToList(),
            Source = source,
        };
    }

    /// <summary>Parses a <c>policies.yaml</c> (root key <c>governancePolicies:</c>); null when it is unusable.</summary>
    public static GovernancePolicies? ParsePolicies(string yaml, string file, List<Diagnostic> diagnostics)
    {
        var reader = new YamlDescriptorReader(file, diagnostics);
        var body = Root(reader, yaml, "governancePolicies");
        var map = reader.Mapping(body, "governancePolicies", PolicyKeys);
        if (map is null)
        {
            return null;
        }

        var source = new SourceMap(file);
        map.Record(source);
        var policies = new GovernancePolicies { Source = source };
        if (reader.Mapping(map["dataResidency"], "governancePolicies.dataResidency", ["enforced", "allowedRegions"]) is { } residency)
        {
            residency.Record(source);
            policies = policies with { DataResidency = new ResidencyPolicy(residency.Bool("enforced") ?? false, residency.Strings("allowedRegions")) };
        }

        if (reader.Mapping(map["dataClassification"], "governancePolicies.dataClassification", ["autoClassify", "rules"]) is { } classification)
        {
            classification.Record(source);
            var rules = new List<ClassificationRule>();
            var items = classification.Items("rules");
            for (var i = 0; i < items.Count; i++)
            {
                var path = $"governancePolicies.dataClassification.rules[{i}]";
                if (reader.Mapping(items[i], path, ["pattern", "classification"], ["pattern", "classification"]) is not { } rule)
                {
                    continue;
                }

                rule.Record(source);
                if (rule.String("pattern") is { } pattern && rule.String("classification") is { } label)
                {
                    try
                    {
                        _ = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                        rules.Add(new ClassificationRule(pattern, label));
                    }
                    catch (ArgumentException e)
                    {
                        reader.Report(Diagnostic.Error(RuleIds.ClassificationInvalidPattern, reader.Location(rule["pattern"]!),
                            $"'{path}.pattern' is not a valid regular expression: {e.Message}", "Fix the expression (.NET syntax, matched case-insensitively)."));
                    }
                }
            }

            policies = policies with { DataClassification = new ClassificationPolicy(classification.Bool("autoClassify") ?? false, rules) };
        }

        if (reader.Mapping(map["dataCatalog"], "governancePolicies.dataCatalog", ["requireDescription", "requireOwner", "requireSensitivityLabel"]) is { } catalog)
        {
            catalog.Record(source);
            policies = policies with
            {
                DataCatalog = new CatalogPolicy(catalog.Bool("requireDescription") ?? false, catalog.Bool("requireOwner") ?? false, catalog.Bool("requireSensitivityLabel") ?? false),
            };
        }

        if (reader.Mapping(map["accessControl"], "governancePolicies.accessControl", ["requireApproval", "approvers"]) is { } access)
        {
            access.Record(source);
            policies = policies with { AccessControl = new AccessControlPolicy(access.Bool("requireApproval") ?? false, access.Strings("approvers")) };
        }

        return policies;
    }

    private static YamlNode? Root(YamlDescriptorReader reader, string yaml, string rootKey)
    {
        var root = reader.ParseRoot(yaml);
        var top = reader.Mapping(root, "", [rootKey], [rootKey]);
        return top?[rootKey];
    }

    private static ResidencySpec ParseResidency(YamlDescriptorReader reader, MappingView product, SourceMap source)
    {
        if (reader.Mapping(product["dataResidency"], "dataProduct.dataResidency", ResidencyKeys) is not { } map)
        {
            return ResidencySpec.None;
        }

        map.Record(source);
        return new ResidencySpec(map.String("region"), map.Strings("storageLocations"), map.String("piiHandling"));
    }

    private static InterfaceSpec? ParseInterface(YamlDescriptorReader reader, YamlNode node, string path, SourceMap source)
    {
        if (reader.Mapping(node, path, InterfaceKeys, ["type"]) is not { } map || map.String("type") is not { } type)
        {
            return null;
        }

        map.Record(source);
        return new InterfaceSpec(type, map.String("endpoint"), map.String("authentication"), map.Strings("scopes"), map.String("accessLevel"), map.Int("rateLimit"));
    }

    private static DataContractSpec? ParseContract(YamlDescriptorReader reader, YamlNode node, string path, SourceMap source)
    {
        if (reader.Mapping(node, path, ContractKeys, ["consumer", "fields"]) is not { } map || map.String("consumer") is not { } consumer)
        {
            return null;
        }

        map.Record(source);
        return new DataContractSpec(consumer, map.String("purpose"), map.Strings("fields"), map.Strings("excludedFields"), map.Strings("permittedLabels"));
    }

    private static T Recorded<T>(MappingView map, SourceMap source, T value)
    {
        map.Record(source);
        return value;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();
}
