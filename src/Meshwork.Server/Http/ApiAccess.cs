using Meshwork.Security;
using Microsoft.AspNetCore.Http;

namespace Meshwork.Server.Http;

/// <summary>
/// Who an HTTP caller is, and the one authorization call each API request makes. Until token
/// authentication lands, a caller of the embedded mesh is its local administrator.
/// </summary>
public sealed class ApiAccess(IAccessPolicy policy)
{
    /// <summary>The caller's principal.</summary>
    public static Principal PrincipalOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Principal.LocalAdmin;
    }

    /// <summary>Null when allowed; otherwise the 403 problem to return.</summary>
    public IResult? Deny(HttpContext context, Operation operation, ResourceType type, string name)
    {
        var decision = policy.Decide(new AccessRequest(PrincipalOf(context), operation, type, name));
        return decision.Allowed
            ? null
            : Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: $"{operation} on {type} '{name}' is not allowed: {decision.Reason}");
    }
}
