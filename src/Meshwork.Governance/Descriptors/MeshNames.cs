namespace Meshwork.Governance.Descriptors;

/// <summary>The naming conventions for what a product becomes on the bus and in the registry.</summary>
public static class MeshNames
{
    /// <summary><c>&lt;domain&gt;.&lt;product&gt;.v&lt;major&gt;</c>, lowercase, dot-separated.</summary>
    public static string Topic(string domain, string product, int major) => $"{domain.ToLowerInvariant()}.{product.ToLowerInvariant()}.v{major}";

    /// <summary>Confluent TopicNameStrategy: <c>&lt;topic&gt;-value</c>.</summary>
    public static string ValueSubject(string topic) => topic + "-value";

    /// <summary>A contract's name: <c>&lt;product&gt;-&gt;&lt;consumer&gt;</c>.</summary>
    public static string Contract(string productFullName, string consumer) => $"{productFullName}->{consumer}";

    /// <summary>
    /// A grant's name: <c>&lt;consumer&gt;:read:&lt;product&gt;</c>. Grants name the product, not a topic, so that a
    /// new major version moves the grant instead of revoking it.
    /// </summary>
    public static string Grant(string consumer, string productFullName) => $"{consumer}:read:{productFullName}";
}
