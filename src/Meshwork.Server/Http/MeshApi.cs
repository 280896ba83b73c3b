using System.Runtime.InteropServices;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Meshwork.Server.Http;

/// <summary>The HTTP API's routes. Probes live at the root; everything else under <c>/api/v1</c>.</summary>
public static class MeshApi
{
    private static readonly TimeSpan ReadinessProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Maps every route of the HTTP API.</summary>
    public static IEndpointRouteBuilder MapMeshApi(this IEndpointRouteBuilder routes)
    {
        // Liveness: the process answers. Kubernetes restarts the pod when this fails.
        routes.MapGet("/healthz", () => Results.Json(new HealthResponse("ok")));

        // Readiness: started, not stopping, and the metadata store answers. Load balancers route on this.
        routes.MapGet("/readyz", async (MeshStatus status, CancellationToken cancellationToken) =>
        {
            if (!status.IsReady)
            {
                return Results.Json(new HealthResponse("starting or stopping"), statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(ReadinessProbeTimeout);
                await using var connection = await status.Store.OpenConnectionAsync(timeout.Token).ConfigureAwait(false);
                await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token)).ConfigureAwait(false);
                return Results.Json(new HealthResponse("ready"));
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return Results.Json(new HealthResponse($"metadata store unavailable: {e.Message}"), statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });

        routes.MapGet("/api/v1/version", (MeshStatus status) => Results.Json(new VersionResponse(
            "meshwork",
            MeshStatus.Version,
            status.InstanceId,
            RuntimeInformation.FrameworkDescription,
            status.Store.Provider.ToString().ToLowerInvariant())));

        return routes;
    }
}

/// <summary>Body of <c>/healthz</c> and <c>/readyz</c>.</summary>
public sealed record HealthResponse(string Status);

/// <summary>Body of <c>/api/v1/version</c>.</summary>
public sealed record VersionResponse(string Name, string Version, string InstanceId, string Runtime, string MetadataStore);
