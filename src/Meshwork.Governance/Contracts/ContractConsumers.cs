using Meshwork.Governance.Descriptors;

namespace Meshwork.Governance.Contracts;

/// <summary>
/// Resolves a contract's <c>consumer</c> to a domain or product of the mesh. Accepts a domain
/// name (<c>sales</c>), the sovereignty seed's form (<c>Sales Domain</c>: case-insensitive, trailing
/// " Domain" dropped, spaces become '-') or a product full name (<c>analytics.revenue</c>).
/// </summary>
public static class ContractConsumers
{
    /// <summary>The canonical consumer id (a domain name or product full name), or null when it names nothing in the mesh.</summary>
    public static string? Resolve(MeshDefinition mesh, string consumer)
    {
        if (mesh.Product(consumer) is { } product)
        {
            return product.FullName;
        }

        var name = consumer.Trim();
        if (name.EndsWith(" Domain", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^" Domain".Length];
        }

        name = name.Trim().Replace(' ', '-');
        return mesh.Domain(name)?.Name;
    }

    /// <summary>True when <paramref name="resolvedConsumer"/> is <paramref name="product"/> itself or its domain.</summary>
    public static bool Covers(string resolvedConsumer, DataProduct product) =>
        string.Equals(resolvedConsumer, product.FullName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(resolvedConsumer, product.Domain.Name, StringComparison.OrdinalIgnoreCase);
}
