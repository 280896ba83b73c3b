using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meshwork.Governance.Classification;
using Meshwork.Governance.Descriptors;
using Meshwork.Governance.Diagnostics;
using Meshwork.Governance.Policies;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Meshwork.Governance.Contracts;

/// <summary>The files an ODCS import produces: a product descriptor and its Avro schema, plus what was noticed on the way.</summary>
/// <param name="ProductYaml">The <c>product.yaml</c> text, or null when the contract was unusable.</param>
/// <param name="SchemaFileName">The schema file name the descriptor points at (<c>&lt;id&gt;.avsc</c>).</param>
/// <param name="SchemaJson">The Avro schema text, or null.</param>
/// <param name="Diagnostics">Errors (nothing usable) and warnings (keys that have no place in a Meshwork product).</param>
public sealed record OdcsImport(string? ProductYaml, string SchemaFileName, string? SchemaJson, IReadOnlyList<Diagnostic> Diagnostics);

/// <summary>
/// Import and export of Open Data Contract Standard v3 documents (bitol-io/open-data-contract-standard),
/// so that contracts written with the tools teams already use become products, and products become
/// contracts those tools read. The product's first-class keys map to ODCS fundamentals, schema, team,
/// roles and slaProperties; Meshwork-only keys (residency, state events, inputs, per-consumer
/// contracts) travel in <c>customProperties</c> named <c>meshwork.*</c>, so a round trip loses nothing.
/// </summary>
public static class OdcsContract
{
    /// <summary>The ODCS release written by <see cref="Export"/>.</summary>
    public const string ApiVersion = "v3.0.2";

    private const string Prefix = "meshwork.";
    private static readonly string[] KnownTopKeys =
    [
        "apiVersion", "kind", "id", "name", "version", "status", "domain", "dataProduct", "tenant", "description", "tags", "schema",
        "team", "roles", "slaProperties", "customProperties", "contractCreatedTs",
    ];

    /// <summary>Writes <paramref name="product"/> as an ODCS v3 contract (YAML).</summary>
    public static string Export(MeshDefinition mesh, DataProduct product)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(product);
        var d = product.Descriptor;
        var labels = GovernanceChecker.FieldLabelsOf(mesh, product).ToDictionary(l => l.Field, l => l.Effective, StringComparer.Ordinal);
        var doc = new Dictionary<string, object?>
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = "DataContract",
            ["id"] = product.FullName,
            ["name"] = d.Name,
            ["version"] = $"{d.Version}.0.0",
            ["status"] = d.Status switch { ProductStatus.Published => "active", ProductStatus.Deprecated => "deprecated", _ => "draft" },
            ["domain"] = product.Domain.Name,
            ["dataProduct"] = d.Id,
        };
        if (d.Description is not null)
        {
            doc["description"] = new Dictionary<string, object?> { ["purpose"] = d.Description.Trim() };
        }

        if (d.Tags.Count > 0)
        {
            doc["tags"] = d.Tags.ToList();
        }

        if (product.Schema is { } schema)
        {
            doc["schema"] = new List<object>
            {
                new Dictionary<string, object?>
                {
                    ["name"] = d.Id,
                    ["physicalName"] = product.Topic,
                    ["physicalType"] = "topic",
                    ["logicalType"] = "object",
                    ["description"] = d.Description?.Trim(),
                    ["properties"] = schema.Fields.Select(f => Property(f, d.KeyFields, labels.GetValueOrDefault(f.Name) ?? [])).ToList(),
                },
            };
        }

        if (d.Owner is not null)
        {
            doc["team"] = new List<object> { new Dictionary<string, object?> { ["username"] = d.Owner, ["role"] = "owner" } };
        }

        if (d.DataContracts.Count > 0)
        {
            var approvers = product.Domain.Approvers.Concat(mesh.Policies.AccessControl.Approvers).Distinct(StringComparer.Ordinal).ToList();
            doc["roles"] = d.DataContracts.Select(c => (object)new Dictionary<string, object?>
            {
                ["role"] = c.Consumer,
                ["access"] = "read",
                ["description"] = c.Purpose,
                ["firstLevelApprovers"] = approvers.Count == 0 ? null : string.Join(", ", approvers),
            }).ToList();
        }

        var sla = new List<object>();
        if (d.Sla?.Availability is { } availability)
        {
            sla.Add(new Dictionary<string, object?> { ["property"] = "availability", ["value"] = availability, ["unit"] = "percent" });
        }

        if (d.Sla?.Latency is { } latency)
        {
            sla.Add(new Dictionary<string, object?> { ["property"] = "latency", ["value"] = latency });
        }

        if (d.Sla?.Freshness is { } freshness)
        {
            sla.Add(new Dictionary<string, object?> { ["property"] = "frequency", ["value"] = freshness });
        }

        if (sla.Count > 0)
        {
            doc["slaProperties"] = sla;
        }

        var custom = new List<object>();
        void Custom(string name, object? value)
        {
            if (value is not null)
            {
                custom.Add(new Dictionary<string, object?> { ["property"] = Prefix + name, ["value"] = value });
            }
        }

        Custom("classification", d.Classification);
        Custom("stateEvents", d.StateEvents ? true : null);
        Custom("partitions", d.Partitions == 1 ? null : d.Partitions);
        Custom("inputs", d.Inputs.Count == 0 ? null : d.Inputs.ToList());
        Custom("sunset", d.Sunset?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Custom("dataResidency", d.DataResidency == ResidencySpec.None ? null : Compact(new Dictionary<string, object?>
        {
            ["region"] = d.DataResidency.Region,
            ["storageLocations"] = d.DataResidency.StorageLocations.Count == 0 ? null : d.DataResidency.StorageLocations.ToList(),
            ["piiHandling"] = d.DataResidency.PiiHandling,
        }));
        Custom("qualityMetrics", d.QualityMetrics is not { } q ? null : Compact(new Dictionary<string, object?>
        {
            ["completeness"] = q.Completeness,
            ["accuracy"] = q.Accuracy,
            ["timeliness"] = q.Timeliness,
        }));
        Custom("interfaces", d.Interfaces.Count == 0 ? null : d.Interfaces.Select(i => Compact(new Dictionary<string, object?>
        {
            ["type"] = i.Type,
            ["endpoint"] = i.Endpoint,
            ["authentication"] = i.Authentication,
            ["scopes"] = i.Scopes.Count == 0 ? null : i.Scopes.ToList(),
            ["accessLevel"] = i.AccessLevel,
            ["rateLimit"] = i.RateLimit,
        })).ToList());
        Custom("dataContracts", d.DataContracts.Count == 0 ? null : d.DataContracts.Select(c => Compact(new Dictionary<string, object?>
        {
            ["consumer"] = c.Consumer,
            ["purpose"] = c.Purpose,
            ["fields"] = c.Fields.ToList(),
            ["excludedFields"] = c.ExcludedFields.Count == 0 ? null : c.ExcludedFields.ToList(),
            ["permittedLabels"] = c.PermittedLabels.Count == 0 ? null : c.PermittedLabels.ToList(),
        })).ToList());
        Custom("schemaFormat", product.Schema?.Format);
        Custom("schema", product.Schema?.Text);
        if (custom.Count > 0)
        {
            doc["customProperties"] = custom;
        }

        return new SerializerBuilder().DisableAliases().Build().Serialize(Compact(doc));
    }

    /// <summary>
    /// Turns an ODCS v3 contract into a <c>product.yaml</c> and an Avro schema. The schema is the one
    /// Meshwork exported (<c>meshwork.schema</c>) when present, otherwise built from the first schema
    /// object's properties. <paramref name="file"/> names the contract in diagnostics.
    /// </summary>
    public static OdcsImport Import(string yaml, string file)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var diagnostics = new List<Diagnostic>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException)
        {
            var at = e is YamlDotNet.Core.YamlException y ? new SourceLocation(file, (int)y.Start.Line, (int)y.Start.Column) : SourceLocation.OfFile(file);
            diagnostics.Add(Diagnostic.Error(RuleIds.YamlSyntax, at, $"malformed YAML: {e.InnerException?.Message ?? e.Message}", "Fix the YAML syntax at this position."));
            return new OdcsImport(null, "schema.avsc", null, diagnostics);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.OdcsInvalid, SourceLocation.OfFile(file), "an ODCS contract is a YAML mapping with 'apiVersion', 'kind: DataContract' and 'id'.",
                "Pass an ODCS v3 data contract."));
            return new OdcsImport(null, "schema.avsc", null, diagnostics);
        }

        var top = Map(root);
        string? Text(YamlMappingNode node, string key) => Map(node).GetValueOrDefault(key) is YamlScalarNode s ? s.Value : null;
        SourceLocation At(YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);

        if (Text(root, "kind") is not "DataContract")
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.OdcsInvalid, top.TryGetValue("kind", out var k) ? At(k) : At(root), "'kind' must be DataContract.", "Set 'kind: DataContract'."));
        }

        if (Text(root, "apiVersion") is not { } apiVersion || !apiVersion.StartsWith("v3.", StringComparison.Ordinal))
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.OdcsInvalid, top.TryGetValue("apiVersion", out var a) ? At(a) : At(root),
                $"apiVersion '{Text(root, "apiVersion")}' is not ODCS v3.", "Import ODCS v3.x contracts (apiVersion: v3.0.2 or later)."));
        }

        foreach (var (key, node) in top.Where(e => !KnownTopKeys.Contains(e.Key)))
        {
            diagnostics.Add(Diagnostic.Warning(RuleIds.OdcsIgnoredKey, At(node), $"'{key}' has no place in a Meshwork product and is not imported.", "Keep it in the contract repository if you need it."));
        }

        var custom = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (top.GetValueOrDefault("customProperties") is YamlSequenceNode customs)
        {
            foreach (var item in customs.OfType<YamlMappingNode>())
            {
                if (Text(item, "property") is { } name && name.StartsWith(Prefix, StringComparison.Ordinal) && Map(item).GetValueOrDefault("value") is { } value)
                {
                    custom[name[Prefix.Length..]] = ToJson(value);
                }
            }
        }

        var id = Text(root, "dataProduct") ?? Text(root, "name") ?? Text(root, "id");
        var domain = Text(root, "domain");
        if (id is null || domain is null)
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.OdcsInvalid, At(root), "the contract names no product ('dataProduct', 'name' or 'id') or no 'domain'.",
                "Add 'domain:' and 'dataProduct:' (they become the product's domain and id)."));
            return new OdcsImport(null, "schema.avsc", null, diagnostics);
        }

        id = Slug(id);
        domain = Slug(domain);
        var schemaObject = top.GetValueOrDefault("schema") is YamlSequenceNode objects ? objects.OfType<YamlMappingNode>().FirstOrDefault() : null;
        if (top.GetValueOrDefault("schema") is YamlSequenceNode { Children.Count: > 1 } many)
        {
            diagnostics.Add(Diagnostic.Warning(RuleIds.OdcsIgnoredKey, At(many.Children[1]), "only the first schema object becomes the product's schema.", "Split the other objects into their own contracts."));
        }

        var keyFields = new List<(int Position, string Name)>();
        string? schemaJson = (string?)custom.GetValueOrDefault("schema");
        if (schemaJson is null && schemaObject is not null)
        {
            schemaJson = AvroFromOdcs(schemaObject, id, keyFields, diagnostics, At);
        }
        else if (schemaObject is not null)
        {
            CollectKeys(schemaObject, keyFields);
        }

        var schemaFile = id + ((string?)custom.GetValueOrDefault("schemaFormat") == "JSON" ? ".json" : ".avsc");
        var product = new Dictionary<string, object?>
        {
            ["id"] = id,
            ["name"] = Text(root, "name") ?? id,
            ["domain"] = domain,
            ["owner"] = Owner(top),
            ["description"] = top.GetValueOrDefault("description") is YamlMappingNode description ? Text(description, "purpose") : null,
            ["classification"] = (string?)custom.GetValueOrDefault("classification"),
            ["tags"] = top.GetValueOrDefault("tags") is YamlSequenceNode tags ? tags.OfType<YamlScalarNode>().Select(t => t.Value).ToList() : null,
            ["status"] = Text(root, "status") switch { "active" => "published", "deprecated" or "retired" => "deprecated", _ => "draft" },
            ["sunset"] = (string?)custom.GetValueOrDefault("sunset"),
            ["version"] = Major(Text(root, "version")),
            ["schema"] = schemaJson is null ? null : schemaFile,
            ["keyFields"] = keyFields.Count == 0 ? null : keyFields.OrderBy(k => k.Position).Select(k => k.Name).ToList(),
            ["stateEvents"] = custom.GetValueOrDefault("stateEvents") is JsonValue state && state.GetValue<bool>() ? true : null,
            ["partitions"] = custom.GetValueOrDefault("partitions") is JsonValue partitions ? partitions.GetValue<int>() : null,
            ["inputs"] = Plain(custom.GetValueOrDefault("inputs")),
            ["dataResidency"] = Plain(custom.GetValueOrDefault("dataResidency")),
            ["interfaces"] = Plain(custom.GetValueOrDefault("interfaces")),
            ["sla"] = Sla(top, Text),
            ["qualityMetrics"] = Plain(custom.GetValueOrDefault("qualityMetrics")),
            ["dataContracts"] = Plain(custom.GetValueOrDefault("dataContracts")) ?? ContractsFromRoles(top, Text),
        };
        var text = "# Imported from an ODCS v3 data contract (mesh contract import).\n"
            + new SerializerBuilder().DisableAliases().Build().Serialize(new Dictionary<string, object?> { ["dataProduct"] = Compact(product) });
        return new OdcsImport(text, schemaFile, schemaJson, diagnostics);
    }

    private static Dictionary<string, object?> Property(Schemas.SchemaField field, IReadOnlyList<string> keyFields, IReadOnlyList<string> labels)
    {
        var key = keyFields.ToList().IndexOf(field.Name);
        return Compact(new Dictionary<string, object?>
        {
            ["name"] = field.Name,
            ["logicalType"] = LogicalType(field.Type),
            ["physicalType"] = field.Type,
            ["required"] = field.Required,
            ["primaryKey"] = key >= 0 ? true : null,
            ["primaryKeyPosition"] = key >= 0 ? key + 1 : null,
            ["description"] = field.Doc,
            ["classification"] = labels.FirstOrDefault(Labels.IsPii) ?? labels.FirstOrDefault(),
            ["tags"] = labels.Count > 1 ? labels.ToList() : null,
        });
    }

    /// <summary>ODCS logical types from our short type descriptions (<c>long/timestamp-millis</c>, <c>["null","string"]</c>).</summary>
    private static string LogicalType(string type)
    {
        var t = type.Trim('[', ']').Split(',').Select(x => x.Trim('"')).FirstOrDefault(x => x != "null") ?? "string";
        return t switch
        {
            _ when t.EndsWith("/date", StringComparison.Ordinal) => "date",
            _ when t.Contains("/timestamp", StringComparison.Ordinal) || t.Contains("/local-timestamp", StringComparison.Ordinal) || t.EndsWith("/date-time", StringComparison.Ordinal) => "timestamp",
            _ when t.EndsWith("/decimal", StringComparison.Ordinal) => "number",
            "int" or "long" or "integer" => "integer",
            "float" or "double" or "number" => "number",
            "boolean" => "boolean",
            _ when t.StartsWith("array", StringComparison.Ordinal) => "array",
            _ when t.StartsWith("map", StringComparison.Ordinal) || t == "object" => "object",
            _ => "string",
        };
    }

    private static string AvroFromOdcs(YamlMappingNode schemaObject, string id, List<(int Position, string Name)> keyFields, List<Diagnostic> diagnostics, Func<YamlNode, SourceLocation> at)
    {
        var fields = new JsonArray();
        var properties = Map(schemaObject).GetValueOrDefault("properties") as YamlSequenceNode;
        foreach (var property in properties?.OfType<YamlMappingNode>() ?? [])
        {
            var p = Map(property);
            if (p.GetValueOrDefault("name") is not YamlScalarNode { Value: { } name })
            {
                diagnostics.Add(Diagnostic.Warning(RuleIds.OdcsIgnoredKey, at(property), "a schema property without 'name' is skipped.", "Name every property."));
                continue;
            }

            var logical = (p.GetValueOrDefault("logicalType") as YamlScalarNode)?.Value ?? "string";
            JsonNode type = logical switch
            {
                "integer" => "long",
                "number" => "double",
                "boolean" => "boolean",
                "date" => new JsonObject { ["type"] = "int", ["logicalType"] = "date" },
                "timestamp" => new JsonObject { ["type"] = "long", ["logicalType"] = "timestamp-millis" },
                "array" => new JsonObject { ["type"] = "array", ["items"] = "string" },
                "object" => new JsonObject { ["type"] = "map", ["values"] = "string" },
                _ => "string",
            };
            var required = (p.GetValueOrDefault("required") as YamlScalarNode)?.Value is "true" || (p.GetValueOrDefault("primaryKey") as YamlScalarNode)?.Value is "true";
            var field = new JsonObject { ["name"] = name, ["type"] = required ? type : new JsonArray("null", type) };
            if (!required)
            {
                field["default"] = null;
            }

            if ((p.GetValueOrDefault("description") as YamlScalarNode)?.Value is { } doc)
            {
                field["doc"] = doc;
            }

            if ((p.GetValueOrDefault("classification") as YamlScalarNode)?.Value is { } label && label.Contains('.', StringComparison.Ordinal))
            {
                field["classification"] = label;
            }

            fields.Add(field);
        }

        CollectKeys(schemaObject, keyFields);
        var record = new JsonObject
        {
            ["type"] = "record",
            ["name"] = string.Concat(id.Split('-').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..])),
            ["fields"] = fields,
        };
        return record.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static void CollectKeys(YamlMappingNode schemaObject, List<(int Position, string Name)> keyFields)
    {
        if (Map(schemaObject).GetValueOrDefault("properties") is not YamlSequenceNode properties)
        {
            return;
        }

        foreach (var p in properties.OfType<YamlMappingNode>().Select(Map))
        {
            if ((p.GetValueOrDefault("primaryKey") as YamlScalarNode)?.Value is "true" && p.GetValueOrDefault("name") is YamlScalarNode { Value: { } name })
            {
                var position = int.TryParse((p.GetValueOrDefault("primaryKeyPosition") as YamlScalarNode)?.Value, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue;
                keyFields.Add((position, name));
            }
        }
    }

    private static string? Owner(Dictionary<string, YamlNode> top) => top.GetValueOrDefault("team") switch
    {
        // v3.0.x: a list of members; v3.1: { name, members: [...] }.
        YamlSequenceNode members => Members(members),
        YamlMappingNode team => Map(team).GetValueOrDefault("members") is YamlSequenceNode m ? Members(m) : null,
        _ => null,
    };

    private static string? Members(YamlSequenceNode members)
    {
        var list = members.OfType<YamlMappingNode>().Select(Map).ToList();
        var owner = list.FirstOrDefault(m => (m.GetValueOrDefault("role") as YamlScalarNode)?.Value is "owner" or "Owner") ?? list.FirstOrDefault();
        return owner?.GetValueOrDefault("username") is YamlScalarNode { Value: { } user } ? user : null;
    }

    private static Dictionary<string, object?>? Sla(Dictionary<string, YamlNode> top, Func<YamlMappingNode, string, string?> text)
    {
        if (top.GetValueOrDefault("slaProperties") is not YamlSequenceNode properties)
        {
            return null;
        }

        var sla = new Dictionary<string, object?>();
        foreach (var p in properties.OfType<YamlMappingNode>())
        {
            var value = text(p, "value");
            switch (text(p, "property"))
            {
                case "availability" when double.TryParse(value, CultureInfo.InvariantCulture, out var a):
                    sla["availability"] = a;
                    break;
                case "latency":
                    sla["latency"] = text(p, "unit") is { } unit ? $"{value} {unit}" : value;
                    break;
                case "frequency" or "freshness":
                    sla["freshness"] = text(p, "unit") is { } u ? $"{value} {u}" : value;
                    break;
            }
        }

        return sla.Count == 0 ? null : sla;
    }

    private static List<object>? ContractsFromRoles(Dictionary<string, YamlNode> top, Func<YamlMappingNode, string, string?> text)
    {
        // Roles name who may read, not which fields: imported as contracts over no fields, for the owner to complete.
        if (top.GetValueOrDefault("roles") is not YamlSequenceNode roles)
        {
            return null;
        }

        var contracts = roles.OfType<YamlMappingNode>()
            .Where(r => text(r, "role") is not null)
            .Select(r => (object)Compact(new Dictionary<string, object?> { ["consumer"] = text(r, "role"), ["purpose"] = text(r, "description"), ["fields"] = new List<string>() }))
            .ToList();
        return contracts.Count == 0 ? null : contracts;
    }

    private static int Major(string? version) =>
        version is not null && int.TryParse(version.TrimStart('v').Split('.')[0], CultureInfo.InvariantCulture, out var major) && major > 0 ? major : 1;

    private static string Slug(string name)
    {
        var slug = new string(name.Trim().ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
        while (slug.Contains("--", StringComparison.Ordinal))
        {
            slug = slug.Replace("--", "-", StringComparison.Ordinal);
        }

        return slug.Trim('-');
    }

    private static Dictionary<string, YamlNode> Map(YamlMappingNode node) =>
        node.Children.Where(c => c.Key is YamlScalarNode { Value: not null }).ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => c.Value, StringComparer.Ordinal);

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlScalarNode { Value: null or "~" or "null" } s when s.Style == YamlDotNet.Core.ScalarStyle.Plain => null,
        YamlScalarNode s when s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is "true" or "false" => JsonValue.Create(s.Value == "true"),
        YamlScalarNode s when s.Style == YamlDotNet.Core.ScalarStyle.Plain && long.TryParse(s.Value, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        YamlScalarNode s when s.Style == YamlDotNet.Core.ScalarStyle.Plain && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        YamlScalarNode s => JsonValue.Create(s.Value),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlMappingNode map => new JsonObject(map.Children.Where(c => c.Key is YamlScalarNode { Value: not null })
            .Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        _ => null,
    };

    /// <summary>JSON back to plain objects the YAML serializer writes naturally.</summary>
    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonArray array => array.Select(Plain).ToList(),
        JsonObject obj => obj.ToDictionary(p => p.Key, p => Plain(p.Value)),
        JsonValue value when value.TryGetValue<bool>(out var b) => b,
        JsonValue value when value.TryGetValue<long>(out var l) => l,
        JsonValue value when value.TryGetValue<double>(out var d) => d,
        JsonValue value => value.ToString(),
        _ => null,
    };

    /// <summary>Drops null entries so the written YAML has no empty keys.</summary>
    private static Dictionary<string, object?> Compact(Dictionary<string, object?> map) =>
        map.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value);
}
