using System.Text.Json;
using System.Text.Json.Nodes;
using Meshwork.Lake.Metadata;
using Meshwork.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshwork.Lake.Rest;

/// <summary>
/// The Iceberg REST catalog API (apache/iceberg <c>open-api/rest-catalog-open-api.yaml</c>) over a <see cref="LakeCatalog"/>:
/// config, namespaces, tables and commits, so engines such as Spark, Trino and PyIceberg can find and change lake
/// tables. Every request makes one authorization call (tables as <see cref="ResourceType.Product"/> named
/// <c>namespace.table</c>); errors are the spec's <c>{"error": {"message", "type", "code"}}</c>.
/// </summary>
public static partial class RestCatalogEndpoints
{
    /// <summary>The resource name of catalog-wide requests.</summary>
    public const string CatalogResource = "lake";

    private const int CommitAttempts = 4;
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Maps the catalog under <c>/v1</c> of <paramref name="routes"/> (mount it in a group such as <c>/iceberg</c>).</summary>
    public static IEndpointRouteBuilder MapIcebergCatalog(this IEndpointRouteBuilder routes, LakeCatalog catalog, IAccessPolicy policy, Func<HttpContext, Principal>? principal = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(policy);
        var logger = routes.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger(typeof(RestCatalogEndpoints).FullName!) ?? NullLogger.Instance;
        var api = new Api(catalog, policy, principal ?? (_ => Principal.LocalAdmin), logger);
        api.Map(routes, "GET", "/v1/config", Operation.Describe, Global, _ => Task.FromResult<object?>(new JsonObject
        {
            ["defaults"] = new JsonObject(),
            ["overrides"] = new JsonObject(),
            ["endpoints"] = new JsonArray(
                "GET /v1/{prefix}/namespaces", "POST /v1/{prefix}/namespaces", "GET /v1/{prefix}/namespaces/{namespace}", "HEAD /v1/{prefix}/namespaces/{namespace}",
                "DELETE /v1/{prefix}/namespaces/{namespace}", "POST /v1/{prefix}/namespaces/{namespace}/properties", "GET /v1/{prefix}/namespaces/{namespace}/tables",
                "POST /v1/{prefix}/namespaces/{namespace}/tables", "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}", "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
                "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}", "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
                "POST /v1/{prefix}/namespaces/{namespace}/register", "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics"),
        }));
        api.Map(routes, "GET", "/v1/namespaces", Operation.Describe, Global, api.ListNamespacesAsync);
        api.Map(routes, "POST", "/v1/namespaces", Operation.Create, Global, api.CreateNamespaceAsync);
        api.Map(routes, "GET", "/v1/namespaces/{namespace}", Operation.Describe, ByNamespace, api.LoadNamespaceAsync);
        api.Map(routes, "HEAD", "/v1/namespaces/{namespace}", Operation.Describe, ByNamespace, api.NamespaceExistsAsync);
        api.Map(routes, "DELETE", "/v1/namespaces/{namespace}", Operation.Delete, ByNamespace, api.DropNamespaceAsync);
        api.Map(routes, "POST", "/v1/namespaces/{namespace}/properties", Operation.Alter, ByNamespace, api.UpdateNamespaceAsync);
        api.Map(routes, "GET", "/v1/namespaces/{namespace}/tables", Operation.Describe, ByNamespace, api.ListTablesAsync);
        api.Map(routes, "POST", "/v1/namespaces/{namespace}/tables", Operation.Create, ByNamespace, api.CreateTableAsync);
        api.Map(routes, "POST", "/v1/namespaces/{namespace}/register", Operation.Create, ByNamespace, api.RegisterTableAsync);
        api.Map(routes, "GET", "/v1/namespaces/{namespace}/tables/{table}", Operation.Read, ByTable, api.LoadTableAsync);
        api.Map(routes, "HEAD", "/v1/namespaces/{namespace}/tables/{table}", Operation.Describe, ByTable, api.TableExistsAsync);
        api.Map(routes, "POST", "/v1/namespaces/{namespace}/tables/{table}", Operation.Write, ByTable, api.CommitAsync);
        api.Map(routes, "DELETE", "/v1/namespaces/{namespace}/tables/{table}", Operation.Delete, ByTable, api.DropTableAsync);
        api.Map(routes, "POST", "/v1/namespaces/{namespace}/tables/{table}/metrics", Operation.Describe, ByTable, _ => Task.FromResult<object?>(NoContent.Instance));
        return routes;
    }

    private static (ResourceType, string) Global(HttpContext http) => (ResourceType.Product, CatalogResource);

    private static (ResourceType, string) ByNamespace(HttpContext http) => (ResourceType.Product, string.Join('.', NamespaceOf(http)));

    private static (ResourceType, string) ByTable(HttpContext http) => (ResourceType.Product, TableOf(http).ToString());

    private static IReadOnlyList<string> NamespaceOf(HttpContext http)
    {
        var raw = http.GetRouteValue("namespace") as string ?? "";
        return Uri.UnescapeDataString(raw).Split('\u001f');
    }

    private static TableIdentifier TableOf(HttpContext http) =>
        new(NamespaceOf(http), Uri.UnescapeDataString(http.GetRouteValue("table") as string ?? ""));

    /// <summary>An error the API reports with an HTTP status and an Iceberg exception type.</summary>
    private sealed class RestException(int status, string type, string message) : Exception(message)
    {
        public int Status { get; } = status;

        public string Type { get; } = type;
    }

    private sealed class NoContent
    {
        public static NoContent Instance { get; } = new();
    }

    private sealed partial class Api(LakeCatalog catalog, IAccessPolicy policy, Func<HttpContext, Principal> principal, ILogger logger)
    {
        public void Map(IEndpointRouteBuilder routes, string method, string pattern, Operation operation,
            Func<HttpContext, (ResourceType, string)> resource, Func<HttpContext, Task<object?>> handler) =>
            routes.MapMethods(pattern, [method], http => HandleAsync(http, operation, resource, handler));

        private async Task HandleAsync(HttpContext http, Operation operation, Func<HttpContext, (ResourceType, string)> resource, Func<HttpContext, Task<object?>> handler)
        {
            object? body;
            var status = StatusCodes.Status200OK;
            try
            {
                var (type, name) = resource(http);
                var who = principal(http);
                var decision = policy.Decide(new AccessRequest(who, operation, type, name));
                if (!decision.Allowed)
                {
                    throw new RestException(StatusCodes.Status403Forbidden, "ForbiddenException", $"{who.Name} may not {operation} {name}: {decision.Reason}");
                }

                body = await handler(http).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                (status, var errorType) = e switch
                {
                    RestException r => (r.Status, r.Type),
                    NoSuchNamespaceException => (StatusCodes.Status404NotFound, "NoSuchNamespaceException"),
                    NoSuchTableException => (StatusCodes.Status404NotFound, "NoSuchTableException"),
                    NamespaceAlreadyExistsException => (StatusCodes.Status409Conflict, "AlreadyExistsException"),
                    TableAlreadyExistsException => (StatusCodes.Status409Conflict, "AlreadyExistsException"),
                    NamespaceNotEmptyException => (StatusCodes.Status409Conflict, "NamespaceNotEmptyException"),
                    CommitConflictException => (StatusCodes.Status409Conflict, "CommitFailedException"),
                    IcebergFormatException or JsonException or ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException
                        => (StatusCodes.Status400BadRequest, "BadRequestException"),
                    _ => (StatusCodes.Status500InternalServerError, "ServerError"),
                };
                if (status == StatusCodes.Status500InternalServerError)
                {
                    LogUnexpected(logger, http.Request.Method, http.Request.Path, e);
                }

                body = new JsonObject { ["error"] = new JsonObject { ["message"] = e.Message, ["type"] = errorType, ["code"] = status } };
            }

            if (body is NoContent || (http.Request.Method == "HEAD" && status == StatusCodes.Status200OK))
            {
                http.Response.StatusCode = body is NoContent ? StatusCodes.Status204NoContent : status;
                return;
            }

            http.Response.StatusCode = status;
            http.Response.ContentType = "application/json";
            if (http.Request.Method != "HEAD")
            {
                await http.Response.WriteAsync(((JsonNode)body!).ToJsonString(JsonOptions), http.RequestAborted).ConfigureAwait(false);
            }
        }

        [LoggerMessage(Level = LogLevel.Error, Message = "Iceberg REST catalog: {Method} {Path} failed")]
        private static partial void LogUnexpected(ILogger logger, string method, string path, Exception exception);

        private static async Task<JsonObject> BodyAsync(HttpContext http)
        {
            var node = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            return node as JsonObject ?? throw new RestException(StatusCodes.Status400BadRequest, "BadRequestException", "the request body must be a JSON object");
        }

        public async Task<object?> ListNamespacesAsync(HttpContext http)
        {
            var parent = http.Request.Query["parent"].FirstOrDefault() is { Length: > 0 } p ? p.Split('\u001f') : null;
            if (parent is not null && !await catalog.NamespaceExistsAsync(parent, http.RequestAborted).ConfigureAwait(false))
            {
                throw new NoSuchNamespaceException($"namespace {string.Join('.', parent)} does not exist");
            }

            var list = await catalog.ListNamespacesAsync(parent, http.RequestAborted).ConfigureAwait(false);
            return new JsonObject { ["namespaces"] = new JsonArray([.. list.Select(n => (JsonNode)Levels(n))]) };
        }

        public async Task<object?> CreateNamespaceAsync(HttpContext http)
        {
            var body = await BodyAsync(http).ConfigureAwait(false);
            var ns = (body["namespace"] as JsonArray)?.Select(n => (string)n!).ToList()
                ?? throw new RestException(StatusCodes.Status400BadRequest, "BadRequestException", "\"namespace\" must be an array of strings");
            var properties = StringMap(body["properties"]);
            await catalog.CreateNamespaceAsync(ns, properties, http.RequestAborted).ConfigureAwait(false);
            return new JsonObject { ["namespace"] = Levels(ns), ["properties"] = Json(properties) };
        }

        public async Task<object?> LoadNamespaceAsync(HttpContext http)
        {
            var ns = NamespaceOf(http);
            var properties = await catalog.LoadNamespaceAsync(ns, http.RequestAborted).ConfigureAwait(false);
            return new JsonObject { ["namespace"] = Levels(ns), ["properties"] = Json(properties) };
        }

        public async Task<object?> NamespaceExistsAsync(HttpContext http) =>
            await catalog.NamespaceExistsAsync(NamespaceOf(http), http.RequestAborted).ConfigureAwait(false)
                ? NoContent.Instance
                : throw new NoSuchNamespaceException($"namespace {string.Join('.', NamespaceOf(http))} does not exist");

        public async Task<object?> DropNamespaceAsync(HttpContext http)
        {
            await catalog.DropNamespaceAsync(NamespaceOf(http), http.RequestAborted).ConfigureAwait(false);
            return NoContent.Instance;
        }

        public async Task<object?> UpdateNamespaceAsync(HttpContext http)
        {
            var ns = NamespaceOf(http);
            var body = await BodyAsync(http).ConfigureAwait(false);
            var updates = StringMap(body["updates"]);
            var removals = (body["removals"] as JsonArray)?.Select(n => (string)n!).ToList() ?? [];
            var before = await catalog.LoadNamespaceAsync(ns, http.RequestAborted).ConfigureAwait(false);
            await catalog.UpdateNamespacePropertiesAsync(ns, updates, removals, http.RequestAborted).ConfigureAwait(false);
            return new JsonObject
            {
                ["updated"] = new JsonArray([.. updates.Keys.Select(k => (JsonNode)k)]),
                ["removed"] = new JsonArray([.. removals.Where(before.ContainsKey).Select(k => (JsonNode)k)]),
                ["missing"] = new JsonArray([.. removals.Where(r => !before.ContainsKey(r)).Select(k => (JsonNode)k)]),
            };
        }

        public async Task<object?> ListTablesAsync(HttpContext http)
        {
            var tables = await catalog.ListTablesAsync(NamespaceOf(http), http.RequestAborted).ConfigureAwait(false);
            return new JsonObject
            {
                ["identifiers"] = new JsonArray([.. tables.Select(t => (JsonNode)new JsonObject { ["namespace"] = Levels(t.Namespace), ["name"] = t.Name })]),
            };
        }

        public async Task<object?> CreateTableAsync(HttpContext http)
        {
            var ns = NamespaceOf(http);
            var body = await BodyAsync(http).ConfigureAwait(false);
            var name = (string?)body["name"] ?? throw new RestException(StatusCodes.Status400BadRequest, "BadRequestException", "\"name\" is required");
            var schema = SchemaJson.Read(body["schema"] ?? throw new RestException(StatusCodes.Status400BadRequest, "BadRequestException", "\"schema\" is required"));
            var spec = body["partition-spec"] is JsonObject s ? PartitionSpec.FromJson(s) : null;
            var order = body["write-order"] is JsonObject o ? SortOrder.FromJson(o) : null;
            var id = new TableIdentifier(ns, name);
            if (body["stage-create"]?.GetValue<bool>() == true)
            {
                var staged = TableMetadata.Create((string?)body["location"] ?? catalog.DefaultLocation(id), schema, spec, order, StringMap(body["properties"]), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                return new JsonObject { ["metadata"] = TableMetadataJson.Write(staged), ["config"] = new JsonObject() };
            }

            var table = await catalog.CreateTableAsync(id, schema, spec, order, StringMap(body["properties"]), (string?)body["location"], http.RequestAborted).ConfigureAwait(false);
            return Result(table.State);
        }

        public async Task<object?> RegisterTableAsync(HttpContext http)
        {
            var body = await BodyAsync(http).ConfigureAwait(false);
            var name = (string?)body["name"] ?? throw new RestException(StatusCodes.Status400BadRequest, "BadRequestException", "\"name\" is required");
            var location = (string?)body["metadata-location"] ?? throw new RestException(StatusCodes.Status400BadRequest, "BadRequestException", "\"metadata-location\" is required");
            var table = await catalog.RegisterTableAsync(new TableIdentifier(NamespaceOf(http), name), location, http.RequestAborted).ConfigureAwait(false);
            return Result(table.State);
        }

        public async Task<object?> LoadTableAsync(HttpContext http)
        {
            var table = await catalog.LoadTableAsync(TableOf(http), http.RequestAborted).ConfigureAwait(false);
            return Result(table.State);
        }

        public async Task<object?> TableExistsAsync(HttpContext http)
        {
            await catalog.LoadTableAsync(TableOf(http), http.RequestAborted).ConfigureAwait(false);
            return NoContent.Instance;
        }

        public async Task<object?> DropTableAsync(HttpContext http)
        {
            var purge = http.Request.Query["purgeRequested"].FirstOrDefault() == "true";
            await catalog.DropTableAsync(TableOf(http), purge, http.RequestAborted).ConfigureAwait(false);
            return NoContent.Instance;
        }

        public async Task<object?> CommitAsync(HttpContext http)
        {
            var id = TableOf(http);
            var body = await BodyAsync(http).ConfigureAwait(false);
            var requirements = body["requirements"] as JsonArray ?? [];
            var updates = body["updates"] as JsonArray ?? [];
            if (requirements.Any(r => (string?)r?["type"] == "assert-create"))
            {
                throw new RestException(StatusCodes.Status400BadRequest, "BadRequestException", "assert-create is for staged table creation, which this catalog commits directly at create time");
            }

            for (var attempt = 1; ; attempt++)
            {
                var table = await catalog.LoadTableAsync(id, http.RequestAborted).ConfigureAwait(false);
                var state = table.State;
                foreach (var r in requirements)
                {
                    CommitUpdates.Check((JsonObject)r!, state.Metadata);
                }

                var updated = CommitUpdates.Apply(state.Metadata, updates, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                try
                {
                    var committed = await table.Operations.CommitAsync(state, updated, http.RequestAborted).ConfigureAwait(false);
                    return new JsonObject { ["metadata-location"] = committed.Location, ["metadata"] = TableMetadataJson.Write(committed.Metadata) };
                }
                catch (CommitConflictException) when (attempt < CommitAttempts)
                {
                    // Another writer won the swap; requirements are checked again against what it wrote.
                }
            }
        }

        private static JsonObject Result(TableState state) => new()
        {
            ["metadata-location"] = state.Location,
            ["metadata"] = TableMetadataJson.Write(state.Metadata),
            ["config"] = new JsonObject(),
        };

        private static JsonArray Levels(IEnumerable<string> ns) => new([.. ns.Select(n => (JsonNode)n)]);

        private static Dictionary<string, string> StringMap(JsonNode? node)
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in node as JsonObject ?? [])
            {
                d[k] = (string?)v ?? "";
            }

            return d;
        }

        private static JsonObject Json(IReadOnlyDictionary<string, string> map)
        {
            var o = new JsonObject();
            foreach (var (k, v) in map)
            {
                o[k] = v;
            }

            return o;
        }
    }
}
