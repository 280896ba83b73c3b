using Meshwork.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Meshwork.Server.Http;

/// <summary><c>POST /api/v1/query</c>: SQL over the lake's product tables as the caller.</summary>
public static class QueryApi
{
    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/query", async (QueryBody body, HttpContext http, QueryEngine engine, CancellationToken ct) =>
        {
            if (body.TimeoutMs is <= 0)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid query", detail: $"timeoutMs must be positive, not {body.TimeoutMs}.");
            }

            try
            {
                var request = new QueryRequest(body.Sql ?? "", body.Limit, body.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, body.Snapshots);
                var result = await engine.ExecuteAsync(ApiAccess.PrincipalOf(http), request, ct).ConfigureAwait(false);
                return Results.Json(new QueryResponse(result.Columns, result.Rows, result.Truncated, result.Tables, (long)result.Elapsed.TotalMilliseconds));
            }
            catch (QueryException e)
            {
                var (status, title) = e.Error switch
                {
                    QueryError.UnknownTable => (StatusCodes.Status404NotFound, "Unknown table"),
                    QueryError.Forbidden => (StatusCodes.Status403Forbidden, "Forbidden"),
                    QueryError.Timeout => (StatusCodes.Status408RequestTimeout, "Query timed out"),
                    QueryError.ReadOnly => (StatusCodes.Status400BadRequest, "Queries may only read"),
                    QueryError.Sql => (StatusCodes.Status400BadRequest, "SQL error"),
                    _ => (StatusCodes.Status400BadRequest, "Invalid query"),
                };
                return Results.Problem(statusCode: status, title: title, detail: e.Message, extensions: new Dictionary<string, object?> { ["error"] = e.Error.ToString() });
            }
        }).Produces<QueryResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
          .WithSummary("Run one read-only SQL statement (SQLite dialect) over product tables domain.product and domain.product_history.");
        return routes;
    }
}

/// <summary>Body of <c>POST /api/v1/query</c>.</summary>
/// <param name="Sql">One SELECT statement.</param>
/// <param name="Limit">Rows at most (default 1,000; at most 100,000).</param>
/// <param name="TimeoutMs">How long it may run (default 30 s; at most 5 minutes).</param>
/// <param name="Snapshots">Table → snapshot id to read instead of the latest.</param>
public sealed record QueryBody(string? Sql, int? Limit = null, long? TimeoutMs = null, IReadOnlyDictionary<string, long>? Snapshots = null);

/// <summary>The answer: columns, rows (arrays in column order), whether rows were cut at the limit, the tables and snapshots read.</summary>
public sealed record QueryResponse(IReadOnlyList<QueryColumn> Columns, IReadOnlyList<object?[]> Rows, bool Truncated, IReadOnlyList<TableRead> Tables, long ElapsedMs);
