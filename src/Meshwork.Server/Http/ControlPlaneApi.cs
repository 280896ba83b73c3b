using Meshwork.Catalog;
using Meshwork.Governance.Diagnostics;
using Meshwork.Governance.Planning;
using Meshwork.Security;
using Meshwork.Server.ControlPlane;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using GovernanceFiles = Meshwork.Governance.Descriptors.MeshFiles;

namespace Meshwork.Server.Http;

/// <summary>The mesh as code over HTTP: plan, apply, history; and discovery: domains, products, search, lineage, findings.</summary>
public static class ControlPlaneApi
{
    /// <summary>The resource every plan and apply is authorized against.</summary>
    public const string MeshResourceName = "mesh";

    private const int DefaultPage = 50;

    /// <summary>Maps the routes under <c>/api/v1</c>.</summary>
    public static IEndpointRouteBuilder MapControlPlaneApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/plan", async (PlanRequest body, HttpContext http, MeshControlPlane plane, ApiAccess access, CancellationToken ct) =>
        {
            if (access.Deny(http, Operation.Describe, ResourceType.Cluster, MeshResourceName) is { } denied)
            {
                return denied;
            }

            if (Files(body) is not { } files)
            {
                return NoFiles();
            }

            return Results.Json(PlanResponse.Of(await plane.PlanAsync(files, body.AllowDestroy, ct).ConfigureAwait(false)));
        }).Produces<PlanResponse>().ProducesProblem(StatusCodes.Status400BadRequest).WithSummary("Diff a mesh definition against the live mesh, with every policy violation.");

        routes.MapPost("/api/v1/apply", async (PlanRequest body, HttpContext http, MeshControlPlane plane, ApiAccess access, CancellationToken ct) =>
        {
            if (access.Deny(http, Operation.Alter, ResourceType.Cluster, MeshResourceName) is { } denied)
            {
                return denied;
            }

            if (Files(body) is not { } files)
            {
                return NoFiles();
            }

            var result = await plane.ApplyAsync(files, body.AllowDestroy, ApiAccess.PrincipalOf(http).Name, body.Source ?? "api", ct).ConfigureAwait(false);
            var response = ApplyResponse.Of(result);
            if (!result.Applied)
            {
                return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Policy violations",
                    detail: $"{result.Plan.Errors.Count()} violation(s) block the apply; nothing was changed.",
                    extensions: new Dictionary<string, object?> { ["plan"] = response });
            }

            return Results.Json(response);
        }).Produces<ApplyResponse>().ProducesProblem(StatusCodes.Status422UnprocessableEntity).WithSummary("Make the live mesh match a definition, in one transaction; refused when a policy is violated.");

        routes.MapGet("/api/v1/history", (int? limit, int? offset, HttpContext http, MeshCatalog catalog, ApiAccess access, CancellationToken ct) =>
            Paged(http, access, ResourceType.Cluster, MeshResourceName, limit ?? 20, offset, (l, o) => catalog.HistoryAsync(l, o, ct)))
            .Produces<Page<ApplyRecord>>().WithSummary("Recorded applies, newest first.");

        routes.MapGet("/api/v1/domains", (int? limit, int? offset, HttpContext http, MeshCatalog catalog, ApiAccess access, CancellationToken ct) =>
            Paged(http, access, ResourceType.Cluster, MeshResourceName, limit ?? DefaultPage, offset, (l, o) => catalog.DomainsAsync(l, o, ct)))
            .Produces<Page<DomainSummary>>().WithSummary("Domains with their owners, region and product counts.");

        routes.MapGet("/api/v1/products", (string? domain, int? limit, int? offset, HttpContext http, MeshCatalog catalog, ApiAccess access, CancellationToken ct) =>
            Paged(http, access, ResourceType.Cluster, MeshResourceName, limit ?? DefaultPage, offset, (l, o) => catalog.ProductsAsync(domain, l, o, ct)))
            .Produces<Page<ProductSummary>>().WithSummary("Data products, optionally of one domain.");

        routes.MapGet("/api/v1/products/{name}", async (string name, HttpContext http, MeshCatalog catalog, ApiAccess access, CancellationToken ct) =>
        {
            if (access.Deny(http, Operation.Describe, ResourceType.Product, name) is { } denied)
            {
                return denied;
            }

            return await catalog.ProductAsync(name, ct).ConfigureAwait(false) is { } detail ? Results.Json(detail) : UnknownProduct(name);
        }).Produces<ProductDetail>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Everything about one product: schema, fields and labels, SLA, contracts, consumers, lineage.");

        routes.MapGet("/api/v1/lineage/{name}", async (string name, int? depth, HttpContext http, MeshCatalog catalog, ApiAccess access, CancellationToken ct) =>
        {
            if (access.Deny(http, Operation.Describe, ResourceType.Product, name) is { } denied)
            {
                return denied;
            }

            return await catalog.LineageAsync(name, depth ?? 16, ct).ConfigureAwait(false) is { } lineage ? Results.Json(lineage) : UnknownProduct(name);
        }).Produces<Lineage>().ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Upstream and downstream lineage trees of a product.");

        routes.MapGet("/api/v1/search", (string? q, int? limit, int? offset, HttpContext http, MeshCatalog catalog, ApiAccess access, CancellationToken ct) =>
        {
            if (q is null || !MeshCatalog.IsSearchable(q))
            {
                return Task.FromResult(BadParameter("q", $"'{q}' has no word to search for; pass letters or digits: GET /api/v1/search?q=customer."));
            }

            return Paged(http, access, ResourceType.Cluster, MeshResourceName, limit ?? 20, offset, (l, o) => catalog.SearchAsync(q, l, o, ct));
        }).Produces<Page<SearchHit>>().ProducesProblem(StatusCodes.Status400BadRequest).WithSummary("Full-text search over domains and products; name matches first.");

        routes.MapGet("/api/v1/findings", async (string? product, HttpContext http, MeshCatalog catalog, ApiAccess access, CancellationToken ct) =>
        {
            if (access.Deny(http, Operation.Describe, product is null ? ResourceType.Cluster : ResourceType.Product, product ?? MeshResourceName) is { } denied)
            {
                return denied;
            }

            return Results.Json(await catalog.FindingsAsync(product, ct).ConfigureAwait(false));
        }).Produces<IReadOnlyList<FindingInfo>>().WithSummary("PII the value detectors saw in fields that do not declare it.");

        return routes;
    }

    private static async Task<IResult> Paged<T>(HttpContext http, ApiAccess access, ResourceType type, string resource, int limit, int? offset, Func<int, int, Task<Page<T>>> query)
    {
        if (access.Deny(http, Operation.Describe, type, resource) is { } denied)
        {
            return denied;
        }

        if (limit is < 1 or > MeshCatalog.MaxPageSize)
        {
            return BadParameter("limit", $"limit must be from 1 to {MeshCatalog.MaxPageSize}, not {limit}.");
        }

        if (offset is < 0)
        {
            return BadParameter("offset", $"offset must be 0 or more, not {offset}.");
        }

        return Results.Json(await query(limit, offset ?? 0).ConfigureAwait(false));
    }

    private static GovernanceFiles? Files(PlanRequest body)
    {
        if (body.Files is not { Count: > 0 } files)
        {
            return null;
        }

        try
        {
            return new GovernanceFiles(files, body.Source ?? "request");
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static IResult NoFiles() => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No mesh definition",
        detail: "The body must be {\"files\": {\"<relative path>\": \"<text>\", ...}} with policies.yaml and one folder per domain; paths must stay inside the mesh (no '..', no leading '/').");

    private static IResult BadParameter(string name, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: $"Invalid parameter '{name}'", detail: detail);

    private static IResult UnknownProduct(string name) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown product",
        detail: $"No product '{name}' in the catalog. Products are named <domain>.<id>; list them with GET /api/v1/products or `mesh products`.");
}

/// <summary>Body of <c>POST /api/v1/plan</c> and <c>/apply</c>.</summary>
/// <param name="Files">The mesh definition: relative path → text (descriptors and schemas).</param>
/// <param name="AllowDestroy">Permit deleting products that still have consumers.</param>
/// <param name="Source">Where the files came from, recorded in the history (a directory name).</param>
public sealed record PlanRequest(IReadOnlyDictionary<string, string>? Files, bool AllowDestroy = false, string? Source = null);

/// <summary>A plan as JSON: <c>changes</c> (empty when nothing would change) and <c>violations</c>.</summary>
public sealed record PlanResponse(bool Blocked, string Summary, IReadOnlyList<ChangeView> Changes, IReadOnlyList<ViolationView> Violations)
{
    /// <summary>Converts a plan.</summary>
    public static PlanResponse Of(MeshPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new PlanResponse(plan.IsBlocked, plan.Summary,
            plan.Changes.Select(c => new ChangeView(c.Action.ToString().ToLowerInvariant(), c.Resource.ToString().ToLowerInvariant(), c.Name,
                c.Fields.Select(f => new FieldChangeView(f.Key, f.Before, f.After)).ToList(), c.Location?.File, c.Location?.Line)).ToList(),
            plan.Violations.Select(ViolationView.Of).ToList());
    }
}

/// <summary>The outcome of an apply.</summary>
public sealed record ApplyResponse(bool Applied, long? HistoryId, bool Blocked, string Summary, IReadOnlyList<ChangeView> Changes, IReadOnlyList<ViolationView> Violations)
{
    /// <summary>Converts an apply result.</summary>
    public static ApplyResponse Of(ApplyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var plan = PlanResponse.Of(result.Plan);
        return new ApplyResponse(result.Applied, result.HistoryId, plan.Blocked, plan.Summary, plan.Changes, plan.Violations);
    }
}

/// <summary>One planned change.</summary>
public sealed record ChangeView(string Action, string Resource, string Name, IReadOnlyList<FieldChangeView> Fields, string? File, int? Line);

/// <summary>One key of a change.</summary>
public sealed record FieldChangeView(string Key, string? Before, string? After);

/// <summary>One violation: where, which rule, what, how to fix.</summary>
public sealed record ViolationView(string Rule, string Severity, string File, int Line, int Column, string Message, string Fix)
{
    /// <summary>Converts a diagnostic.</summary>
    public static ViolationView Of(Diagnostic d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new ViolationView(d.RuleId, d.Severity.ToString().ToLowerInvariant(), d.Location.File, d.Location.Line, d.Location.Column, d.Message, d.Fix);
    }

    /// <summary><c>file:line:col: error rule: message</c>, as compilers print it.</summary>
    public override string ToString() => $"{(Line == 0 ? File : Column == 0 ? $"{File}:{Line}" : $"{File}:{Line}:{Column}")}: {Severity} {Rule}: {Message}";
}
