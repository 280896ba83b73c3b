using Meshwork.Governance.Diagnostics;
using Meshwork.Governance.Schemas;

namespace Meshwork.Governance.Descriptors;

/// <summary>A loaded data product: its descriptor, its domain, and its parsed schema (null when missing or invalid).</summary>
/// <param name="Descriptor">The parsed <c>product.yaml</c>.</param>
/// <param name="Domain">The owning domain.</param>
/// <param name="Schema">The parsed schema, or null (a diagnostic says why).</param>
/// <param name="SchemaFile">The schema file path relative to the mesh root, or null.</param>
public sealed record DataProduct(ProductDescriptor Descriptor, DomainDescriptor Domain, ProductSchema? Schema, string? SchemaFile)
{
    /// <summary><c>domain.id</c>.</summary>
    public string FullName => $"{Domain.Name}.{Descriptor.Id}";

    /// <summary>The product's topic, <c>domain.id.vN</c>.</summary>
    public string Topic => MeshNames.Topic(Domain.Name, Descriptor.Id, Descriptor.Version);

    /// <summary>The value subject of <see cref="Topic"/>.</summary>
    public string Subject => MeshNames.ValueSubject(Topic);

    /// <summary>The descriptor file.</summary>
    public string File => Descriptor.Source.File;
}

/// <summary>
/// The desired mesh as written in a directory tree of descriptors:
/// <code>
/// policies.yaml
/// &lt;domain&gt;/domain.yaml
/// &lt;domain&gt;/products/&lt;id&gt;/product.yaml   (+ its schema file, path given by 'schema:')
/// </code>
/// Top-level directories without <c>domain.yaml</c> and without <c>products/</c> are not domains and are skipped.
/// Paths in diagnostics are relative to the mesh root.
/// </summary>
public sealed class MeshDefinition
{
    /// <summary>Descriptor file names.</summary>
    public const string PoliciesFile = "policies.yaml";

    /// <summary>The domain descriptor in each domain directory.</summary>
    public const string DomainFile = "domain.yaml";

    /// <summary>The product descriptor in each product directory.</summary>
    public const string ProductFile = "product.yaml";

    /// <summary>The directory under a domain holding one directory per product.</summary>
    public const string ProductsDirectory = "products";

    private MeshDefinition(string root, GovernancePolicies policies, IReadOnlyList<DomainDescriptor> domains, IReadOnlyList<DataProduct> products, IReadOnlyList<Diagnostic> diagnostics)
    {
        Root = root;
        Policies = policies;
        Domains = domains;
        Products = products;
        Diagnostics = diagnostics;
    }

    /// <summary>Where the definition came from: the mesh root directory, or a description of uploaded files.</summary>
    public string Root { get; }

    /// <summary>The governance policies (<see cref="GovernancePolicies.None"/> when there is no <c>policies.yaml</c>).</summary>
    public GovernancePolicies Policies { get; }

    /// <summary>Domains, ordered by name.</summary>
    public IReadOnlyList<DomainDescriptor> Domains { get; }

    /// <summary>Products, ordered by full name.</summary>
    public IReadOnlyList<DataProduct> Products { get; }

    /// <summary>Load problems (syntax, unknown keys, types, duplicates, lineage, schemas). Governance checks are separate: <see cref="Policies.GovernanceChecker"/>.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>True when any load diagnostic is an error.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>The product with this full name (<c>domain.id</c>), or null.</summary>
    public DataProduct? Product(string fullName) => Products.FirstOrDefault(p => string.Equals(p.FullName, fullName, StringComparison.OrdinalIgnoreCase));

    /// <summary>The domain with this name, or null.</summary>
    public DomainDescriptor? Domain(string name) => Domains.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Loads a mesh directory with the default schema readers.</summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    public static MeshDefinition Load(string directory) => Load(MeshFiles.FromDirectory(directory), SchemaReaders.Default);

    /// <summary>Loads a mesh from its files with the default schema readers.</summary>
    public static MeshDefinition Load(MeshFiles files) => Load(files, SchemaReaders.Default);

    /// <summary>Loads a mesh from its files. Never throws for bad content: every problem is a diagnostic.</summary>
    public static MeshDefinition Load(MeshFiles files, SchemaReaders readers)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(readers);
        var diagnostics = new List<Diagnostic>();
        var policies = LoadPolicies(files, diagnostics);
        var domains = new List<DomainDescriptor>();
        var products = new List<DataProduct>();
        foreach (var domainDirectory in files.Directories(""))
        {
            var domainPath = $"{domainDirectory}/{DomainFile}";
            var productsPath = $"{domainDirectory}/{ProductsDirectory}";
            if (!files.Exists(domainPath))
            {
                if (files.DirectoryExists(productsPath))
                {
                    diagnostics.Add(Diagnostic.Error(RuleIds.MissingDomain, SourceLocation.OfFile(domainDirectory),
                        $"'{domainDirectory}' holds products but no {DomainFile}.", $"Add {DomainFile} with 'domain: {{ name: ..., owners: [...], region: ... }}'."));
                }

                continue;
            }

            var domain = DescriptorParser.ParseDomain(files.Read(domainPath)!, domainPath, diagnostics);
            if (domain is null)
            {
                continue;
            }

            if (domains.FirstOrDefault(d => d.Name == domain.Name) is { } existing)
            {
                diagnostics.Add(Diagnostic.Error(RuleIds.DuplicateDomain, domain.Source.Get("domain.name"),
                    $"domain '{domain.Name}' is already defined in {existing.Source.File}.", "Give each domain a unique name, or merge the two folders."));
                continue;
            }

            domains.Add(domain);
            foreach (var productDirectory in files.Directories(productsPath))
            {
                LoadProduct(files, domain, productDirectory, readers, products, diagnostics);
            }
        }

        CheckLineage(products, diagnostics);
        return new MeshDefinition(files.Origin, policies, domains.OrderBy(d => d.Name, StringComparer.Ordinal).ToList(),
            products.OrderBy(p => p.FullName, StringComparer.Ordinal).ToList(), diagnostics);
    }

    private static GovernancePolicies LoadPolicies(MeshFiles files, List<Diagnostic> diagnostics)
    {
        if (files.Read(PoliciesFile) is not { } text)
        {
            diagnostics.Add(Diagnostic.Warning(RuleIds.NoPolicies, SourceLocation.OfFile(PoliciesFile), "the mesh has no policies.yaml: no residency, catalog, classification or access policy is enforced.",
                "Add policies.yaml with 'governancePolicies:' at the mesh root (see docs/descriptors.md)."));
            return GovernancePolicies.None;
        }

        return DescriptorParser.ParsePolicies(text, PoliciesFile, diagnostics) ?? GovernancePolicies.None;
    }

    private static void LoadProduct(MeshFiles files, DomainDescriptor domain, string productDirectory, SchemaReaders readers, List<DataProduct> products, List<Diagnostic> diagnostics)
    {
        var path = $"{productDirectory}/{ProductFile}";
        if (files.Read(path) is not { } text)
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.MissingKey, SourceLocation.OfFile(productDirectory),
                $"product folder '{productDirectory}' has no {ProductFile}.", $"Add {ProductFile}, or remove the folder."));
            return;
        }

        var descriptor = DescriptorParser.ParseProduct(text, path, diagnostics);
        if (descriptor is null)
        {
            return;
        }

        if (!string.Equals(descriptor.Domain, domain.Name, StringComparison.OrdinalIgnoreCase))
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.DomainMismatch, descriptor.Source.Get("dataProduct.domain"),
                $"product '{descriptor.Id}' says 'domain: {descriptor.Domain}' but lives in the folder of domain '{domain.Name}'.",
                $"Set 'domain: {domain.Name}', or move the product folder to its domain."));
        }

        var folder = productDirectory[(productDirectory.LastIndexOf('/') + 1)..];
        if (folder != descriptor.Id)
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.InvalidValue, descriptor.Source.Get("dataProduct.id"),
                $"product id '{descriptor.Id}' differs from its folder name '{folder}'.", $"Rename the folder to '{descriptor.Id}' or set 'id: {folder}'."));
        }

        var fullName = $"{domain.Name}.{descriptor.Id}";
        if (products.FirstOrDefault(p => p.FullName == fullName) is { } existing)
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.DuplicateProduct, descriptor.Source.Get("dataProduct.id"),
                $"product '{fullName}' is already defined in {existing.File}.", "Give each product in a domain a unique id."));
            return;
        }

        var (schema, schemaFile) = LoadSchema(files, productDirectory, descriptor, readers, diagnostics);
        if (schema is not null)
        {
            foreach (var key in descriptor.KeyFields.Where(k => schema.Field(k) is null))
            {
                diagnostics.Add(Diagnostic.Error(RuleIds.SchemaUnknownKeyField, descriptor.Source.Get("dataProduct.keyFields"),
                    $"key field '{key}' is not a field of {schemaFile}.", $"Use one of: {string.Join(", ", schema.Fields.Select(f => f.Name))}."));
            }
        }

        if (descriptor.StateEvents && descriptor.KeyFields.Count == 0)
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.StateEventsNeedKey, descriptor.Source.Get("dataProduct.stateEvents"),
                "state events are compacted by key, but 'keyFields' is empty.", "Add 'keyFields: [<entity id field>]'."));
        }

        if (descriptor.Status == ProductStatus.Deprecated && descriptor.Sunset is null)
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.DeprecatedNeedsSunset, descriptor.Source.Get("dataProduct.status"),
                "a deprecated product must say when it stops being served.", "Add 'sunset: YYYY-MM-DD'."));
        }

        products.Add(new DataProduct(descriptor, domain, schema, schemaFile));
    }

    private static (ProductSchema? Schema, string? File) LoadSchema(MeshFiles files, string productDirectory, ProductDescriptor descriptor, SchemaReaders readers, List<Diagnostic> diagnostics)
    {
        if (descriptor.Schema is null)
        {
            diagnostics.Add(Diagnostic.Warning(RuleIds.SchemaMissingFile, descriptor.Source.Get("dataProduct"),
                $"product '{descriptor.Id}' has no schema: no subject is registered and no field-level governance applies.",
                "Add 'schema: <file>.avsc' next to product.yaml."));
            return (null, null);
        }

        var location = descriptor.Source.Get("dataProduct.schema");
        var path = MeshFiles.Combine(productDirectory, descriptor.Schema);
        if (path is null || files.Read(path) is not { } text)
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.SchemaMissingFile, location, $"schema file '{path ?? descriptor.Schema}' does not exist in the mesh.",
                "Fix the 'schema:' path (relative to product.yaml) or add the file."));
            return (null, path);
        }

        if (readers.For(path) is not { } reader)
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.SchemaInvalid, location, $"no schema reader handles '{path}' (supported: {readers.Describe()}).",
                "Use an .avsc Avro schema or a .json JSON Schema."));
            return (null, path);
        }

        try
        {
            return (reader.Read(text), path);
        }
        catch (SchemaReadException e)
        {
            diagnostics.Add(Diagnostic.Error(RuleIds.SchemaInvalid, SourceLocation.OfFile(path), $"invalid {reader.Format} schema at {e.Path}: {e.Reason}",
                "Fix the schema at that path."));
            return (null, path);
        }
    }

    private static void CheckLineage(List<DataProduct> products, List<Diagnostic> diagnostics)
    {
        var byName = products.ToDictionary(p => p.FullName, StringComparer.OrdinalIgnoreCase);
        foreach (var product in products)
        {
            var inputs = product.Descriptor.Inputs;
            for (var i = 0; i < inputs.Count; i++)
            {
                if (!byName.ContainsKey(inputs[i]))
                {
                    var suggestion = Descriptors.YamlDescriptorReader.Suggest(inputs[i], byName.Keys);
                    diagnostics.Add(Diagnostic.Error(RuleIds.UnknownInput, product.Descriptor.Source.Get($"dataProduct.inputs[{i}]"),
                        $"input '{inputs[i]}' is not a product of this mesh." + (suggestion is null ? "" : $" Did you mean '{suggestion}'?"),
                        "Inputs name products as '<domain>.<product id>'."));
                }
            }
        }

        // Three-colour depth-first search; each cycle is reported once, at the product where it closes.
        var state = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var stack = new List<string>();
        foreach (var product in products.OrderBy(p => p.FullName, StringComparer.Ordinal))
        {
            Visit(product);
        }

        void Visit(DataProduct product)
        {
            state[product.FullName] = 1;
            stack.Add(product.FullName);
            var inputs = product.Descriptor.Inputs;
            for (var i = 0; i < inputs.Count; i++)
            {
                if (!byName.TryGetValue(inputs[i], out var input))
                {
                    continue;
                }

                switch (state.GetValueOrDefault(input.FullName))
                {
                    case 0:
                        Visit(input);
                        break;
                    case 1:
                        var cycle = stack.Skip(stack.FindIndex(n => string.Equals(n, input.FullName, StringComparison.OrdinalIgnoreCase))).Append(input.FullName);
                        diagnostics.Add(Diagnostic.Error(RuleIds.LineageCycle, product.Descriptor.Source.Get($"dataProduct.inputs[{i}]"),
                            $"lineage cycle: {string.Join(" -> ", cycle)}.", "A product cannot be built from itself; remove one of these inputs."));
                        break;
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[product.FullName] = 2;
        }
    }
}
