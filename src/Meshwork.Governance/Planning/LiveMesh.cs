using Meshwork.Governance.Contracts;
using Meshwork.Governance.Descriptors;

namespace Meshwork.Governance.Planning;

/// <summary>A domain as recorded by the catalog at the last apply.</summary>
/// <param name="Name">Domain name.</param>
/// <param name="Spec">The flattened descriptor (<see cref="ProductSpec.Flatten(DomainDescriptor)"/>).</param>
public sealed record LiveDomain(string Name, IReadOnlyDictionary<string, string> Spec);

/// <summary>A product as recorded by the catalog at the last apply.</summary>
/// <param name="FullName"><c>domain.id</c>.</param>
/// <param name="Spec">The flattened descriptor (<see cref="ProductSpec.Flatten(ProductDescriptor)"/>).</param>
public sealed record LiveProduct(string FullName, IReadOnlyDictionary<string, string> Spec);

/// <summary>A topic on the bus.</summary>
/// <param name="Name">Topic name.</param>
/// <param name="Spec">What the mesh manages of it: <c>partitions</c>, <c>cleanup.policy</c>, <c>meshwork.value.schema.validation</c> (see <see cref="ProductSpec.Topic"/>).</param>
public sealed record LiveTopic(string Name, IReadOnlyDictionary<string, string> Spec)
{
    /// <summary>Consumer groups with committed offsets on the topic: deleting it would break them.</summary>
    public IReadOnlyList<string> ConsumerGroups { get; init; } = [];
}

/// <summary>A registry subject and its latest schema.</summary>
/// <param name="Name">Subject name.</param>
/// <param name="Version">Latest version number.</param>
/// <param name="SchemaType">AVRO or JSON.</param>
/// <param name="Schema">Latest schema text.</param>
public sealed record LiveSubject(string Name, int Version, string SchemaType, string Schema);

/// <summary>An active data contract between a product and a consumer.</summary>
/// <param name="Name"><see cref="MeshNames.Contract"/>.</param>
/// <param name="Product">Producer product full name.</param>
/// <param name="Consumer">Resolved consumer (domain or product full name).</param>
/// <param name="Spec">Purpose, fields, excluded fields, permitted labels.</param>
public sealed record LiveContract(string Name, string Product, string Consumer, IReadOnlyDictionary<string, string> Spec);

/// <summary>A read grant derived from a contract (or an approved access request).</summary>
/// <param name="Name"><see cref="MeshNames.Grant"/>.</param>
/// <param name="Consumer">Who may read.</param>
/// <param name="Product">The product they may read (full name).</param>
/// <param name="Topic">The product's current topic.</param>
/// <param name="Fields">The projected fields they see.</param>
public sealed record LiveGrant(string Name, string Consumer, string Product, string Topic, IReadOnlyList<string> Fields);

/// <summary>
/// A snapshot of what exists: the catalog's domains and products (with spec hashes), the bus's
/// topics, the registry's subjects, and the active contracts and grants. The server builds one
/// from its stores before planning; tests build them directly or with <see cref="FromDefinition"/>.
/// </summary>
public sealed record LiveMesh
{
    /// <summary>The governance policies in force (flattened), or null when none were ever applied.</summary>
    public IReadOnlyDictionary<string, string>? Policies { get; init; }

    /// <summary>Domains.</summary>
    public IReadOnlyList<LiveDomain> Domains { get; init; } = [];

    /// <summary>Products.</summary>
    public IReadOnlyList<LiveProduct> Products { get; init; } = [];

    /// <summary>Topics (only the ones the mesh manages: <c>_mesh.*</c> and foreign topics are the caller's to leave out).</summary>
    public IReadOnlyList<LiveTopic> Topics { get; init; } = [];

    /// <summary>Subjects.</summary>
    public IReadOnlyList<LiveSubject> Subjects { get; init; } = [];

    /// <summary>Contracts.</summary>
    public IReadOnlyList<LiveContract> Contracts { get; init; } = [];

    /// <summary>Grants.</summary>
    public IReadOnlyList<LiveGrant> Grants { get; init; } = [];

    /// <summary>An empty mesh: the first plan creates everything.</summary>
    public static LiveMesh Empty { get; } = new();

    /// <summary>
    /// The state a successful apply of <paramref name="mesh"/> leaves behind. The server records
    /// this after an apply; planning the same definition against it yields no changes.
    /// </summary>
    public static LiveMesh FromDefinition(MeshDefinition mesh)
    {
        var products = new List<LiveProduct>();
        var topics = new List<LiveTopic>();
        var subjects = new List<LiveSubject>();
        var contracts = new List<LiveContract>();
        var grants = new List<LiveGrant>();
        foreach (var product in mesh.Products)
        {
            products.Add(new LiveProduct(product.FullName, ProductSpec.Flatten(product.Descriptor)));
            topics.Add(new LiveTopic(product.Topic, ProductSpec.Topic(product)));
            if (product.Schema is not null)
            {
                subjects.Add(new LiveSubject(product.Subject, 1, product.Schema.Format, product.Schema.Text));
            }

            foreach (var contract in product.Descriptor.DataContracts)
            {
                var consumer = ContractConsumers.Resolve(mesh, contract.Consumer) ?? contract.Consumer;
                contracts.Add(new LiveContract(MeshNames.Contract(product.FullName, consumer), product.FullName, consumer, ContractSpec(contract)));
                var fields = contract.Fields.Where(f => !contract.ExcludedFields.Contains(f, StringComparer.Ordinal)).ToList();
                grants.Add(new LiveGrant(MeshNames.Grant(consumer, product.FullName), consumer, product.FullName, product.Topic, fields));
            }
        }

        return new LiveMesh
        {
            Policies = ProductSpec.Flatten(mesh.Policies),
            Domains = mesh.Domains.Select(d => new LiveDomain(d.Name, ProductSpec.Flatten(d))).ToList(),
            Products = products,
            Topics = topics,
            Subjects = subjects,
            Contracts = contracts,
            Grants = grants,
        };
    }

    /// <summary>The flattened contract terms a plan compares: purpose, fields, excluded fields, permitted labels.</summary>
    public static IReadOnlyDictionary<string, string> ContractSpec(DataContractSpec contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var spec = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (contract.Purpose is not null)
        {
            spec["purpose"] = contract.Purpose;
        }

        spec["fields"] = ProductSpec.List(contract.Fields);
        spec["excludedFields"] = ProductSpec.List(contract.ExcludedFields);
        spec["permittedLabels"] = ProductSpec.List(contract.PermittedLabels);
        return spec;
    }
}
