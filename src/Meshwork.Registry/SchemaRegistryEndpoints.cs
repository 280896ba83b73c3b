using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Meshwork.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshwork.Registry;

/// <summary>
/// The Confluent Schema Registry REST API over a <see cref="SchemaRegistry"/>, as ASP.NET Core endpoints mounted at the
/// root of a dedicated listener. Every request makes exactly one authorization call; every error is
/// <c>{"error_code": N, "message": "..."}</c> with HTTP status = the first three digits of N.
/// </summary>
public static partial class SchemaRegistryEndpoints
{
    /// <summary>The content type of every response.</summary>
    public const string ContentType = "application/vnd.schemaregistry.v1+json";

    /// <summary>The largest request body accepted; larger ones get 42209.</summary>
    public const int MaxBodyBytes = 16 * 1024 * 1024;

    /// <summary>The resource name used for authorization of requests not about one subject.</summary>
    public const string RegistryResource = "schema-registry";

    private static readonly string[] AcceptedContentTypes =
    [
        "application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json", "application/json", "application/octet-stream",
    ];

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Maps every registry endpoint onto <paramref name="routes"/>.</summary>
    /// <param name="routes">The route builder of the registry's listener.</param>
    /// <param name="registry">The registry to serve.</param>
    /// <param name="policy">The policy decision point asked once per request.</param>
    /// <param name="principal">Maps a request to its principal; defaults to <see cref="Principal.LocalAdmin"/>.</param>
    public static IEndpointRouteBuilder MapSchemaRegistry(this IEndpointRouteBuilder routes, SchemaRegistry registry, IAccessPolicy policy, Func<HttpContext, Principal>? principal = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(policy);
        var api = new Api(registry, policy, principal ?? (_ => Principal.LocalAdmin),
            routes.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger(typeof(SchemaRegistryEndpoints).FullName!) ?? NullLogger.Instance);

        api.Map(routes, "GET", "/", Operation.Describe, Global, _ => Task.FromResult<object?>(new JsonObject()));
        api.Map(routes, "POST", "/", Operation.Describe, Global, _ => Task.FromResult<object?>(new JsonObject()));

        // Subjects and versions.
        api.Map(routes, "GET", "/subjects", Operation.Describe, Global, api.ListSubjectsAsync);
        api.Map(routes, "GET", "/subjects/{subject}/versions", Operation.Describe, BySubject, api.ListVersionsAsync);
        api.Map(routes, "POST", "/subjects/{subject}/versions", Operation.Write, BySubject, api.RegisterAsync);
        api.Map(routes, "GET", "/subjects/{subject}/versions/{version}", Operation.Read, BySubject, api.GetVersionAsync);
        api.Map(routes, "GET", "/subjects/{subject}/versions/{version}/schema", Operation.Read, BySubject, api.GetVersionSchemaAsync);
        api.Map(routes, "GET", "/subjects/{subject}/versions/{version}/referencedby", Operation.Describe, BySubject, api.GetReferencedByAsync);
        api.Map(routes, "DELETE", "/subjects/{subject}/versions/{version}", Operation.Delete, BySubject, api.DeleteVersionAsync);
        api.Map(routes, "POST", "/subjects/{subject}", Operation.Read, BySubject, api.LookupAsync);
        api.Map(routes, "DELETE", "/subjects/{subject}", Operation.Delete, BySubject, api.DeleteSubjectAsync);

        // Schemas by id.
        api.Map(routes, "GET", "/schemas", Operation.Describe, Global, api.ListSchemasAsync);
        api.Map(routes, "GET", "/schemas/types", Operation.Describe, Global, api.ListTypesAsync);
        api.Map(routes, "GET", "/schemas/ids/{id}", Operation.Read, BySubjectQuery, api.GetSchemaByIdAsync);
        api.Map(routes, "GET", "/schemas/ids/{id}/schema", Operation.Read, BySubjectQuery, api.GetSchemaTextByIdAsync);
        api.Map(routes, "GET", "/schemas/ids/{id}/subjects", Operation.Describe, BySubjectQuery, api.GetSubjectsByIdAsync);
        api.Map(routes, "GET", "/schemas/ids/{id}/versions", Operation.Describe, BySubjectQuery, api.GetVersionsByIdAsync);

        // Compatibility.
        api.Map(routes, "POST", "/compatibility/subjects/{subject}/versions/{version}", Operation.Read, BySubject, api.TestCompatibilityAsync);
        api.Map(routes, "POST", "/compatibility/subjects/{subject}/versions", Operation.Read, BySubject, api.TestCompatibilityAsync);

        // Configuration and modes.
        api.Map(routes, "GET", "/config", Operation.Describe, Global, api.GetConfigAsync);
        api.Map(routes, "PUT", "/config", Operation.Alter, Global, api.PutConfigAsync);
        api.Map(routes, "DELETE", "/config", Operation.Alter, Global, api.DeleteConfigAsync);
        api.Map(routes, "GET", "/config/{subject}", Operation.Describe, BySubject, api.GetConfigAsync);
        api.Map(routes, "PUT", "/config/{subject}", Operation.Alter, BySubject, api.PutConfigAsync);
        api.Map(routes, "DELETE", "/config/{subject}", Operation.Alter, BySubject, api.DeleteConfigAsync);
        api.Map(routes, "GET", "/mode", Operation.Describe, Global, api.GetModeAsync);
        api.Map(routes, "PUT", "/mode", Operation.Alter, Global, api.PutModeAsync);
        api.Map(routes, "DELETE", "/mode", Operation.Alter, Global, api.DeleteModeAsync);
        api.Map(routes, "GET", "/mode/{subject}", Operation.Describe, BySubject, api.GetModeAsync);
        api.Map(routes, "PUT", "/mode/{subject}", Operation.Alter, BySubject, api.PutModeAsync);
        api.Map(routes, "DELETE", "/mode/{subject}", Operation.Alter, BySubject, api.DeleteModeAsync);

        // Contexts and server metadata.
        api.Map(routes, "GET", "/contexts", Operation.Describe, Global, _ => Task.FromResult<object?>(new JsonArray(".")));
        api.Map(routes, "GET", "/v1/metadata/id", Operation.Describe, Global, _ => Task.FromResult<object?>(new JsonObject
        {
            ["scope"] = new JsonObject
            {
                ["path"] = new JsonArray(),
                ["clusters"] = new JsonObject { ["kafka-cluster"] = "meshwork", ["schema-registry-cluster"] = RegistryResource },
            },
        }));
        api.Map(routes, "GET", "/v1/metadata/version", Operation.Describe, Global, _ => Task.FromResult<object?>(new JsonObject
        {
            ["version"] = typeof(SchemaRegistry).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            ["commitId"] = "",
        }));
        return routes;
    }

    /// <summary>
    /// Answers every request no registry endpoint matched with Confluent's <c>{"error_code": 404, ...}</c> body. Map it only
    /// when the route builder serves the registry alone (a dedicated listener), since it catches every unmatched path.
    /// </summary>
    public static IEndpointRouteBuilder MapSchemaRegistryFallback(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapFallback(async http =>
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            http.Response.ContentType = ContentType;
            await http.Response.WriteAsync(new JsonObject { ["error_code"] = 404, ["message"] = $"HTTP 404 Not Found: no registry endpoint at {http.Request.Method} {http.Request.Path}" }
                .ToJsonString(JsonOptions), http.RequestAborted).ConfigureAwait(false);
        });
        return routes;
    }

    private static (ResourceType, string) Global(HttpContext http) => (ResourceType.Cluster, RegistryResource);

    private static (ResourceType, string) BySubject(HttpContext http) => (ResourceType.Subject, SubjectOf(http));

    private static (ResourceType, string) BySubjectQuery(HttpContext http) =>
        http.Request.Query["subject"].FirstOrDefault() is { Length: > 0 } s ? (ResourceType.Subject, s) : (ResourceType.Cluster, RegistryResource);

    private static string SubjectOf(HttpContext http)
    {
        // Routing decodes everything but %2F; decode that too so "a%2Fb" names the subject "a/b".
        var raw = http.GetRouteValue("subject") as string ?? "";
        return raw.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(raw) : raw;
    }

    /// <summary>Raw text written as the response body (the <c>/schema</c> endpoints).</summary>
    private sealed record RawText(string Text);

    private sealed partial class Api(SchemaRegistry registry, IAccessPolicy policy, Func<HttpContext, Principal> principal, ILogger logger)
    {
        public void Map(IEndpointRouteBuilder routes, string method, string pattern, Operation operation,
            Func<HttpContext, (ResourceType, string)> resource, Func<HttpContext, Task<object?>> handler)
        {
            routes.MapMethods(pattern, [method], http => HandleAsync(http, operation, resource, handler));
        }

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
                    throw new SchemaRegistryException(RegistryErrorCodes.Forbidden,
                        $"User {who.Name} is denied operation {operation} on {type} '{name}': {decision.Reason}");
                }

                body = await handler(http).ConfigureAwait(false);
            }
            catch (SchemaRegistryException e)
            {
                status = e.HttpStatus;
                body = Error(e.ErrorCode, e.Message);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Bad input never lands here (it is a SchemaRegistryException); this is a store or programming failure.
                LogUnexpected(logger, http.Request.Method, http.Request.Path, e);
                status = StatusCodes.Status500InternalServerError;
                body = Error(RegistryErrorCodes.StoreError, $"Internal error: {e.Message}");
            }

            http.Response.StatusCode = status;
            http.Response.ContentType = ContentType;
            var text = body switch
            {
                RawText raw => raw.Text,
                JsonNode node => node.ToJsonString(JsonOptions),
                null => "null",
                _ => JsonSerializer.Serialize(body, JsonOptions),
            };
            await http.Response.WriteAsync(text, http.RequestAborted).ConfigureAwait(false);
        }

        private static JsonObject Error(int code, string message) => new() { ["error_code"] = code, ["message"] = message };

        // ------------------------------------------------------------ subjects and versions

        public async Task<object?> ListSubjectsAsync(HttpContext http)
        {
            var subjects = await registry.GetSubjectsAsync(Query(http, "subjectPrefix"), DeletedFilterOf(http), http.RequestAborted).ConfigureAwait(false);
            return Page(http, subjects.Select(s => (JsonNode?)s));
        }

        public async Task<object?> ListVersionsAsync(HttpContext http)
        {
            var versions = await registry.GetVersionsAsync(SubjectOf(http), DeletedFilterOf(http), http.RequestAborted).ConfigureAwait(false);
            return Page(http, versions.Select(v => (JsonNode?)v));
        }

        public async Task<object?> RegisterAsync(HttpContext http)
        {
            var subject = SubjectOf(http);
            SchemaRegistry.ValidateSubject(subject);
            var request = await ReadSchemaRequestAsync(http, allowIdAndVersion: true).ConfigureAwait(false);
            var result = await registry.RegisterAsync(subject, request, Flag(http, "normalize"), http.RequestAborted).ConfigureAwait(false);
            return new JsonObject { ["id"] = result.Id, ["version"] = result.Version };
        }

        public async Task<object?> GetVersionAsync(HttpContext http)
        {
            var version = VersionSpec.Parse(Route(http, "version"));
            var found = await registry.GetVersionAsync(SubjectOf(http), version, Flag(http, "deleted"), http.RequestAborted).ConfigureAwait(false);
            return VersionJson(found);
        }

        public async Task<object?> GetVersionSchemaAsync(HttpContext http)
        {
            var version = VersionSpec.Parse(Route(http, "version"));
            var found = await registry.GetVersionAsync(SubjectOf(http), version, Flag(http, "deleted"), http.RequestAborted).ConfigureAwait(false);
            return new RawText(found.Schema.Schema);
        }

        public async Task<object?> GetReferencedByAsync(HttpContext http)
        {
            var version = VersionSpec.Parse(Route(http, "version"));
            var ids = await registry.GetReferencedByAsync(SubjectOf(http), version, http.RequestAborted).ConfigureAwait(false);
            return Page(http, ids.Select(i => (JsonNode?)i));
        }

        public async Task<object?> DeleteVersionAsync(HttpContext http)
        {
            var version = VersionSpec.Parse(Route(http, "version"));
            return JsonValue.Create(await registry.DeleteVersionAsync(SubjectOf(http), version, Flag(http, "permanent"), http.RequestAborted).ConfigureAwait(false));
        }

        public async Task<object?> LookupAsync(HttpContext http)
        {
            var subject = SubjectOf(http);
            var request = await ReadSchemaRequestAsync(http, allowIdAndVersion: false).ConfigureAwait(false);
            var found = await registry.LookupAsync(subject, request, Flag(http, "normalize"), Flag(http, "deleted"), http.RequestAborted).ConfigureAwait(false);
            return VersionJson(found);
        }

        public async Task<object?> DeleteSubjectAsync(HttpContext http)
        {
            var versions = await registry.DeleteSubjectAsync(SubjectOf(http), Flag(http, "permanent"), http.RequestAborted).ConfigureAwait(false);
            return new JsonArray([.. versions.Select(v => (JsonNode?)v)]);
        }

        // ------------------------------------------------------------ schemas

        public async Task<object?> ListSchemasAsync(HttpContext http)
        {
            var all = await registry.GetSchemasAsync(Query(http, "subjectPrefix"), Flag(http, "deleted"), Flag(http, "latestOnly"), http.RequestAborted).ConfigureAwait(false);
            return Page(http, all.Select(v => (JsonNode?)VersionJson(v)));
        }

        public Task<object?> ListTypesAsync(HttpContext http) =>
            Task.FromResult<object?>(new JsonArray([.. registry.Formats.SchemaTypes.Select(t => (JsonNode?)t)]));

        public async Task<object?> GetSchemaByIdAsync(HttpContext http)
        {
            var id = IdOf(http);
            var schema = await registry.GetSchemaByIdAsync(id, Query(http, "subject"), http.RequestAborted).ConfigureAwait(false);
            var json = new JsonObject();
            AddSchemaFields(json, schema);
            if (Flag(http, "fetchMaxId"))
            {
                json["maxId"] = await registry.GetMaxIdAsync(http.RequestAborted).ConfigureAwait(false);
            }

            return json;
        }

        public async Task<object?> GetSchemaTextByIdAsync(HttpContext http)
        {
            var schema = await registry.GetSchemaByIdAsync(IdOf(http), Query(http, "subject"), http.RequestAborted).ConfigureAwait(false);
            return new RawText(schema.Schema);
        }

        public async Task<object?> GetSubjectsByIdAsync(HttpContext http)
        {
            var uses = await registry.GetVersionsForIdAsync(IdOf(http), Flag(http, "deleted"), http.RequestAborted).ConfigureAwait(false);
            var subject = Query(http, "subject");
            return Page(http, uses.Select(u => u.Subject).Where(s => subject is null || s == subject).Distinct().Select(s => (JsonNode?)s));
        }

        public async Task<object?> GetVersionsByIdAsync(HttpContext http)
        {
            var uses = await registry.GetVersionsForIdAsync(IdOf(http), Flag(http, "deleted"), http.RequestAborted).ConfigureAwait(false);
            var subject = Query(http, "subject");
            return Page(http, uses.Where(u => subject is null || u.Subject == subject)
                .Select(u => (JsonNode?)new JsonObject { ["subject"] = u.Subject, ["version"] = u.Version }));
        }

        // ------------------------------------------------------------ compatibility

        public async Task<object?> TestCompatibilityAsync(HttpContext http)
        {
            var subject = SubjectOf(http);
            VersionSpec? version = http.GetRouteValue("version") is string v ? VersionSpec.Parse(v) : null;
            var request = await ReadSchemaRequestAsync(http, allowIdAndVersion: false).ConfigureAwait(false);
            CompatibilityResult result;
            try
            {
                result = await registry.TestCompatibilityAsync(subject, version, request, Flag(http, "normalize"), http.RequestAborted).ConfigureAwait(false);
            }
            catch (SchemaRegistryException e) when (e.ErrorCode == RegistryErrorCodes.SubjectNotFound && version is { IsLatest: true })
            {
                // Testing against "latest" of a subject with no versions: anything may be registered there.
                result = new CompatibilityResult(true, []);
            }

            var json = new JsonObject { ["is_compatible"] = result.IsCompatible };
            if (Flag(http, "verbose"))
            {
                json["messages"] = new JsonArray([.. result.Messages.Select(m => (JsonNode?)m)]);
            }

            return json;
        }

        // ------------------------------------------------------------ configuration and modes

        public async Task<object?> GetConfigAsync(HttpContext http)
        {
            var subject = OptionalSubject(http);
            CompatibilityLevel level;
            if (subject is null)
            {
                level = await registry.GetGlobalCompatibilityAsync(http.RequestAborted).ConfigureAwait(false);
            }
            else
            {
                // No fallback to the global level unless asked: kafkajs treats 404 here as "first registration".
                var subjectLevel = await registry.GetSubjectCompatibilityAsync(subject, http.RequestAborted).ConfigureAwait(false);
                level = subjectLevel
                    ?? (Flag(http, "defaultToGlobal") ? await registry.GetGlobalCompatibilityAsync(http.RequestAborted).ConfigureAwait(false)
                        : throw new SchemaRegistryException(RegistryErrorCodes.SubjectCompatibilityNotConfigured,
                            $"Subject '{subject}' does not have subject-level compatibility configured"));
            }

            return new JsonObject { ["compatibilityLevel"] = level.ToWire() };
        }

        public async Task<object?> PutConfigAsync(HttpContext http)
        {
            var subject = OptionalSubject(http);
            var body = await ReadObjectAsync(http).ConfigureAwait(false);
            var text = StringProperty(body, "compatibility", RegistryErrorCodes.InvalidCompatibilityLevel)
                ?? StringProperty(body, "compatibilityLevel", RegistryErrorCodes.InvalidCompatibilityLevel);
            if (!RegistrySettings.TryParseCompatibility(text, out var level))
            {
                throw new SchemaRegistryException(RegistryErrorCodes.InvalidCompatibilityLevel,
                    $"Invalid compatibility level '{text}'. Valid values are NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE.");
            }

            await registry.SetCompatibilityAsync(subject, level, http.RequestAborted).ConfigureAwait(false);
            return new JsonObject { ["compatibility"] = level.ToWire() };
        }

        public async Task<object?> DeleteConfigAsync(HttpContext http)
        {
            var previous = await registry.DeleteCompatibilityAsync(OptionalSubject(http), http.RequestAborted).ConfigureAwait(false);
            return new JsonObject { ["compatibilityLevel"] = previous.ToWire() };
        }

        public async Task<object?> GetModeAsync(HttpContext http)
        {
            var subject = OptionalSubject(http);
            RegistryMode mode;
            if (subject is null)
            {
                mode = await registry.GetGlobalModeAsync(http.RequestAborted).ConfigureAwait(false);
            }
            else
            {
                var subjectMode = await registry.GetSubjectModeAsync(subject, http.RequestAborted).ConfigureAwait(false);
                mode = subjectMode
                    ?? (Flag(http, "defaultToGlobal") ? await registry.GetGlobalModeAsync(http.RequestAborted).ConfigureAwait(false)
                        : throw new SchemaRegistryException(RegistryErrorCodes.SubjectModeNotConfigured, $"Subject '{subject}' does not have subject-level mode configured"));
            }

            return new JsonObject { ["mode"] = mode.ToWire() };
        }

        public async Task<object?> PutModeAsync(HttpContext http)
        {
            var subject = OptionalSubject(http);
            var body = await ReadObjectAsync(http).ConfigureAwait(false);
            var text = StringProperty(body, "mode", RegistryErrorCodes.InvalidMode);
            if (!RegistrySettings.TryParseMode(text, out var mode))
            {
                throw new SchemaRegistryException(RegistryErrorCodes.InvalidMode,
                    $"Invalid mode '{text}'. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT.");
            }

            await registry.SetModeAsync(subject, mode, Flag(http, "force"), http.RequestAborted).ConfigureAwait(false);
            return new JsonObject { ["mode"] = mode.ToWire() };
        }

        public async Task<object?> DeleteModeAsync(HttpContext http)
        {
            var previous = await registry.DeleteModeAsync(OptionalSubject(http), http.RequestAborted).ConfigureAwait(false);
            return new JsonObject { ["mode"] = previous.ToWire() };
        }

        // ------------------------------------------------------------ request parsing

        private static string? OptionalSubject(HttpContext http) => http.GetRouteValue("subject") is string ? SubjectOf(http) : null;

        private static string Route(HttpContext http, string name) => http.GetRouteValue(name) as string ?? "";

        private static string? Query(HttpContext http, string name) => http.Request.Query[name].FirstOrDefault() is { Length: > 0 } v ? v : null;

        private static bool Flag(HttpContext http, string name) => string.Equals(Query(http, name), "true", StringComparison.OrdinalIgnoreCase);

        private static DeletedFilter DeletedFilterOf(HttpContext http) =>
            Flag(http, "deletedOnly") ? DeletedFilter.DeletedOnly : Flag(http, "deleted") ? DeletedFilter.IncludeDeleted : DeletedFilter.LiveOnly;

        private static int IdOf(HttpContext http)
        {
            var text = Route(http, "id");
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
                ? id
                : throw new SchemaRegistryException(RegistryErrorCodes.SchemaNotFound, $"Schema {text} not found: ids are integers between 1 and 2^31-1.");
        }

        private static JsonArray Page(HttpContext http, IEnumerable<JsonNode?> items)
        {
            var offset = Query(http, "offset") is { } o && int.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out var off) ? off : 0;
            var limit = Query(http, "limit") is { } l && int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var lim) && lim > 0 ? lim : int.MaxValue;
            return new JsonArray([.. items.Skip(offset).Take(limit)]);
        }

        private static async Task<JsonElement> ReadObjectAsync(HttpContext http)
        {
            var contentType = http.Request.ContentType;
            if (!string.IsNullOrEmpty(contentType))
            {
                var mediaType = contentType.Split(';')[0].Trim();
                if (!AcceptedContentTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
                {
                    throw new SchemaRegistryException(RegistryErrorCodes.UnsupportedMediaType,
                        $"Unsupported content type '{mediaType}'; send {string.Join(", ", AcceptedContentTypes)}.");
                }
            }

            if (http.Request.ContentLength > MaxBodyBytes)
            {
                throw TooLarge();
            }

            var buffer = new MemoryStream();
            var chunk = new byte[81920];
            try
            {
                int read;
                while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxBodyBytes)
                    {
                        throw TooLarge();
                    }

                    buffer.Write(chunk, 0, read);
                }
            }
            catch (BadHttpRequestException e)
            {
                // Kestrel's own limits (a host may set a smaller MaxRequestBodySize) and malformed chunking land here.
                throw e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge() : BadRequest($"The request body could not be read: {e.Message}", e);
            }

            if (buffer.Length == 0)
            {
                throw BadRequest("The request body is empty; send a JSON object.");
            }

            // JsonDocument accepts invalid UTF-8 inside strings and only fails when a string is read; refuse it here.
            if (!System.Text.Unicode.Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
            {
                throw BadRequest("The request body is not valid UTF-8.");
            }

            try
            {
                using var doc = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 512 });
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw BadRequest($"The request body must be a JSON object, not {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
                }

                return doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw BadRequest($"The request body is not valid JSON: {e.Message}", e);
            }
        }

        /// <summary>
        /// A body that is not the JSON the endpoint reads: Confluent's rest-utils answers parse and mapping errors
        /// (JsonParseExceptionMapper, JsonMappingExceptionMapper) with HTTP 400 and error_code 400.
        /// </summary>
        private static SchemaRegistryException BadRequest(string message, Exception? inner = null) => new(RegistryErrorCodes.BadRequest, message, inner);

        private static SchemaRegistryException TooLarge() =>
            new(RegistryErrorCodes.SchemaTooLarge, $"The request body is larger than the limit of {MaxBodyBytes} bytes.");

        private static async Task<SchemaRequest> ReadSchemaRequestAsync(HttpContext http, bool allowIdAndVersion)
        {
            var body = await ReadObjectAsync(http).ConfigureAwait(false);
            var schema = StringProperty(body, "schema", RegistryErrorCodes.InvalidSchema)
                ?? throw SchemaRegistryException.InvalidSchema("The request body has no 'schema' string.");
            var schemaType = StringProperty(body, "schemaType", RegistryErrorCodes.InvalidSchema) ?? "AVRO";
            var references = new List<SchemaReference>();
            if (body.TryGetProperty("references", out var refs) && refs.ValueKind != JsonValueKind.Null)
            {
                if (refs.ValueKind != JsonValueKind.Array)
                {
                    throw BadRequest("'references' must be an array of {name, subject, version}.");
                }

                var i = 0;
                foreach (var r in refs.EnumerateArray())
                {
                    if (r.ValueKind != JsonValueKind.Object)
                    {
                        throw BadRequest($"references[{i}] must be an object {{name, subject, version}}.");
                    }

                    var name = StringProperty(r, "name", RegistryErrorCodes.InvalidSchema);
                    var subject = StringProperty(r, "subject", RegistryErrorCodes.InvalidSchema);
                    var refVersion = IntProperty(r, "version");
                    if (name is null || subject is null || refVersion is null || (refVersion < 1 && refVersion != -1))
                    {
                        throw SchemaRegistryException.InvalidSchema($"references[{i}] needs a string 'name', a string 'subject' and a positive integer 'version'.");
                    }

                    references.Add(new SchemaReference(name, subject, refVersion.Value));
                    i++;
                }
            }

            // id and version are type-checked everywhere but only honoured by registration.
            var id = NonNegative(IntProperty(body, "id"));
            var version = NonNegative(IntProperty(body, "version"));
            return new SchemaRequest(
                schema,
                schemaType.ToUpperInvariant(),
                references,
                ObjectProperty(body, "metadata"),
                ObjectProperty(body, "ruleSet"),
                allowIdAndVersion ? id : null,
                allowIdAndVersion ? version : null);
        }

        private static int? NonNegative(int? value) => value is < 0 ? null : value;

        private static string? StringProperty(JsonElement obj, string name, int errorCode)
        {
            if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    // Jackson coerces a scalar into a string field, so Confluent then judges the text ("42" is no schema).
                    return value.GetRawText();
                case JsonValueKind.Object or JsonValueKind.Array:
                    throw BadRequest($"'{name}' must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}.");
            }

            try
            {
                return value.GetString();
            }
            catch (InvalidOperationException e)
            {
                // An escaped lone surrogate such as "\ud800" is valid JSON but not a valid string.
                throw new SchemaRegistryException(errorCode, $"'{name}' is not a valid Unicode string: {e.Message}", e);
            }
        }

        private static int? IntProperty(JsonElement obj, string name)
        {
            if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
                ? number
                : throw BadRequest($"'{name}' must be an integer between -2^31 and 2^31-1.");
        }

        private static string? ObjectProperty(JsonElement obj, string name)
        {
            if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.Object
                ? JsonSerializer.Serialize(value)
                : throw BadRequest($"'{name}' must be a JSON object.");
        }

        // ------------------------------------------------------------ responses

        private static JsonObject VersionJson(SubjectVersion version)
        {
            var json = new JsonObject { ["subject"] = version.Subject, ["version"] = version.Version, ["id"] = version.Schema.Id };
            AddSchemaFields(json, version.Schema);
            if (version.Deleted)
            {
                json["deleted"] = true;
            }

            return json;
        }

        private static void AddSchemaFields(JsonObject json, StoredSchema schema)
        {
            // Like Confluent's entities: AVRO is the default and is left out, as are empty references and absent contracts.
            if (schema.SchemaType != "AVRO")
            {
                json["schemaType"] = schema.SchemaType;
            }

            if (schema.References.Count > 0)
            {
                json["references"] = new JsonArray([.. schema.References.Select(r => (JsonNode?)new JsonObject
                {
                    ["name"] = r.Name, ["subject"] = r.Subject, ["version"] = r.Version,
                })]);
            }

            if (schema.Metadata is not null)
            {
                json["metadata"] = JsonNode.Parse(schema.Metadata);
            }

            if (schema.RuleSet is not null)
            {
                json["ruleSet"] = JsonNode.Parse(schema.RuleSet);
            }

            json["schema"] = schema.Schema;
        }

        [LoggerMessage(Level = LogLevel.Error, Message = "Schema registry request {Method} {Path} failed")]
        private static partial void LogUnexpected(ILogger logger, string method, string path, Exception exception);
    }
}
