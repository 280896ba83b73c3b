using Meshwork.Processing;
using Meshwork.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Meshwork.Server.Http;

/// <summary>The materializer over HTTP: how far each product's lake tables are behind its topic.</summary>
public static class ProcessingApi
{
    /// <summary>Maps the routes under <c>/api/v1</c>; <paramref name="materializer"/> is null when <c>processing.enabled</c> is false.</summary>
    public static IEndpointRouteBuilder MapProcessingApi(this IEndpointRouteBuilder routes, Materializer? materializer)
    {
        routes.MapGet("/api/v1/materializations", (HttpContext http, ApiAccess access) =>
        {
            if (access.Deny(http, Operation.Describe, ResourceType.Cluster, ControlPlaneApi.MeshResourceName) is { } denied)
            {
                return denied;
            }

            return materializer is null ? Disabled() : Results.Json(materializer.Status());
        }).Produces<IReadOnlyList<MaterializationStatus>>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Every materialized product: its tables' snapshots, committed and end offsets, lag and state.");

        routes.MapGet("/api/v1/products/{name}/materialization", (string name, HttpContext http, ApiAccess access) =>
        {
            if (access.Deny(http, Operation.Describe, ResourceType.Product, name) is { } denied)
            {
                return denied;
            }

            if (materializer is null)
            {
                return Disabled();
            }

            return materializer.Status(name) is { } status
                ? Results.Json(status)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not materialized",
                    detail: $"Product '{name}' is not being materialized: it does not exist, is a draft, or has no schema. List products with GET /api/v1/products.");
        }).Produces<MaterializationStatus>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("How far a product's current-state and history tables are: snapshots, committed and end offsets, lag, state, last error.");

        return routes;
    }

    private static IResult Disabled() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Materialization is off",
        detail: "This mesh runs with processing.enabled=false; start it with --set processing.enabled=true to materialize products into the lake.");
}
