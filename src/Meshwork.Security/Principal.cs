namespace Meshwork.Security;

/// <summary>What kind of caller a principal is.</summary>
public enum PrincipalKind
{
    /// <summary>A person.</summary>
    User,

    /// <summary>A workload: a producer, processor or consumer application.</summary>
    Service,

    /// <summary>No credentials were presented; only listeners configured to allow it produce this.</summary>
    Anonymous,
}

/// <summary>
/// Who is asking. Every request — Kafka, HTTP, CLI — resolves to one before anything else happens,
/// and every authorization question is asked about one.
/// </summary>
/// <param name="Name">Stable identifier: user name, service name, or <c>ANONYMOUS</c>.</param>
/// <param name="Kind">User, service or anonymous.</param>
/// <param name="Attributes">Roles, domain, region, clearance... as the identity provider asserted them.</param>
public sealed record Principal(string Name, PrincipalKind Kind, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>The principal of a caller that presented no credentials.</summary>
    public static Principal Anonymous { get; } = new("ANONYMOUS", PrincipalKind.Anonymous, new Dictionary<string, string>());

    /// <summary>The local administrator: the operator of an embedded mesh on their own machine.</summary>
    public static Principal LocalAdmin { get; } = new("local-admin", PrincipalKind.User, new Dictionary<string, string> { ["role"] = "admin" });

    /// <summary>A user authenticated by name (SASL, token).</summary>
    public static Principal User(string name) => new(name, PrincipalKind.User, new Dictionary<string, string>());

    /// <summary>Kafka's textual form, <c>User:name</c>, used in logs and ACL-style listings.</summary>
    public override string ToString() => $"{(Kind == PrincipalKind.Service ? "Service" : "User")}:{Name}";
}
