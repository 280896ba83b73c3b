using System.CommandLine;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh schema list|show|check|register</c>: the schema registry from the command line.</summary>
public static class SchemaCommands
{
    /// <summary>The registry a schema command talks to unless told otherwise.</summary>
    public const string DefaultRegistry = "http://127.0.0.1:8081";

    private const string ContentType = "application/vnd.schemaregistry.v1+json";

    /// <summary>Creates <c>mesh schema</c> with its subcommands.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("schema", "List, show, check and register schemas in the schema registry.");
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Show(context));
        command.Subcommands.Add(Check(context));
        command.Subcommands.Add(Register(context));
        return command;
    }

    private static Option<Uri> RegistryOption() => UrlOption.Create("--registry", DefaultRegistry, "Base URL of the schema registry");

    private static Command List(CliContext context)
    {
        var registry = RegistryOption();
        var output = Output.CreateOption();
        var prefix = new Option<string?>("--prefix") { Description = "Only subjects starting with this." };
        var command = new Command("list", "List subjects with their latest version, schema id and type.") { registry, output, prefix };
        command.SetAction((parse, ct) => RunAsync(context, parse.GetValue(registry)!, async http =>
        {
            var query = parse.GetValue(prefix) is { } p ? $"?subjectPrefix={Uri.EscapeDataString(p)}" : "";
            var subjects = await GetAsync<List<string>>(http, "/subjects" + query, ct).ConfigureAwait(false);
            var rows = new List<SubjectRow>();
            foreach (var subject in subjects.Order(StringComparer.Ordinal))
            {
                var latest = await GetAsync<JsonObject>(http, $"/subjects/{Uri.EscapeDataString(subject)}/versions/latest", ct).ConfigureAwait(false);
                rows.Add(new SubjectRow(subject, (int)latest["version"]!, (int)latest["id"]!, (string?)latest["schemaType"] ?? "AVRO"));
            }

            if (await Output.TryWriteJsonAsync(context, parse.GetValue(output), rows).ConfigureAwait(false))
            {
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Subject", "Latest version", "Schema id", "Type");
            foreach (var row in rows)
            {
                table.AddRow(Markup.Escape(row.Subject), row.LatestVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    row.SchemaId.ToString(System.Globalization.CultureInfo.InvariantCulture), row.SchemaType);
            }

            StatusCommand.Console(context).Write(table);
        }));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var subject = new Argument<string>("subject") { Description = "The subject, e.g. sales.orders.v1-value." };
        var version = new Option<string>("--version") { Description = "A version number or 'latest' (default).", DefaultValueFactory = _ => "latest" };
        var registry = RegistryOption();
        var output = Output.CreateOption();
        var command = new Command("show", "Print a subject's schema (pretty JSON) with its id and version.") { subject, version, registry, output };
        command.SetAction((parse, ct) => RunAsync(context, parse.GetValue(registry)!, async http =>
        {
            var found = await GetAsync<JsonObject>(http, $"/subjects/{Uri.EscapeDataString(parse.GetValue(subject)!)}/versions/{Uri.EscapeDataString(parse.GetValue(version)!)}", ct).ConfigureAwait(false);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                await context.Output.WriteLineAsync(found.ToJsonString(Output.Json)).ConfigureAwait(false);
                return;
            }

            await context.Output.WriteLineAsync($"subject {found["subject"]}  version {found["version"]}  id {found["id"]}  type {(string?)found["schemaType"] ?? "AVRO"}").ConfigureAwait(false);
            await context.Output.WriteLineAsync(JsonNode.Parse((string)found["schema"]!)!.ToJsonString(Output.Json)).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Check(CliContext context)
    {
        var subject = new Argument<string>("subject") { Description = "The subject to check against." };
        var file = new Argument<FileInfo>("file") { Description = "The schema file (.avsc Avro, or .json JSON Schema)." };
        var registry = RegistryOption();
        var output = Output.CreateOption();
        var command = new Command("check", "Check whether a schema file is compatible with a subject under its compatibility level; exit 1 when not.")
        {
            subject, file, registry, output,
        };
        command.SetAction((parse, ct) => RunAsync(context, parse.GetValue(registry)!, async http =>
        {
            var body = await BodyAsync(parse.GetValue(file)!, ct).ConfigureAwait(false);
            var result = await PostAsync(http, $"/compatibility/subjects/{Uri.EscapeDataString(parse.GetValue(subject)!)}/versions/latest?verbose=true", body, ct).ConfigureAwait(false);
            var compatible = (bool?)result["is_compatible"] ?? false;
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                await context.Output.WriteLineAsync(result.ToJsonString(Output.Json)).ConfigureAwait(false);
            }
            else
            {
                await context.Output.WriteLineAsync(compatible ? "compatible" : "NOT compatible").ConfigureAwait(false);
                foreach (var message in result["messages"]?.AsArray() ?? [])
                {
                    await context.Output.WriteLineAsync($"  - {message}").ConfigureAwait(false);
                }
            }

            if (!compatible)
            {
                throw new ApiException("the schema is not compatible", ExitCodes.Failure, quiet: true);
            }
        }));
        return command;
    }

    private static Command Register(CliContext context)
    {
        var subject = new Argument<string>("subject") { Description = "The subject to register under." };
        var file = new Argument<FileInfo>("file") { Description = "The schema file (.avsc Avro, or .json JSON Schema)." };
        var registry = RegistryOption();
        var output = Output.CreateOption();
        var command = new Command("register", "Register a schema file under a subject (idempotent); prints its id and version.") { subject, file, registry, output };
        command.SetAction((parse, ct) => RunAsync(context, parse.GetValue(registry)!, async http =>
        {
            var name = Uri.EscapeDataString(parse.GetValue(subject)!);
            var body = await BodyAsync(parse.GetValue(file)!, ct).ConfigureAwait(false);
            var registered = await PostAsync(http, $"/subjects/{name}/versions", body, ct).ConfigureAwait(false);
            var found = await PostAsync(http, $"/subjects/{name}", body, ct).ConfigureAwait(false);
            var result = new { subject = parse.GetValue(subject), id = (int)registered["id"]!, version = (int)found["version"]! };
            await context.Output.WriteLineAsync(parse.GetValue(output) == OutputFormat.Json
                ? JsonSerializer.Serialize(result, Output.Json)
                : $"registered {result.subject}: id {result.id}, version {result.version}").ConfigureAwait(false);
        }));
        return command;
    }

    private static async Task<JsonObject> BodyAsync(FileInfo file, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ApiException($"cannot read {file.FullName}: {e.Message}", ExitCodes.InvalidConfiguration);
        }

        var type = file.Extension.Equals(".json", StringComparison.OrdinalIgnoreCase) ? "JSON" : "AVRO";
        return new JsonObject { ["schema"] = text, ["schemaType"] = type };
    }

    private static async Task<T> GetAsync<T>(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(http, new HttpRequestMessage(HttpMethod.Get, path), cancellationToken).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<T>(Output.Json, cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<JsonObject> PostAsync(HttpClient http, string path, JsonObject body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, ContentType) };
        using var response = await SendAsync(http, request, cancellationToken).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(Output.Json, cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ApiException($"cannot reach a schema registry at {http.BaseAddress}: {e.Message}. Is 'mesh up' running? Use --registry to point elsewhere.", ExitCodes.ServerUnreachable);
        }
        finally
        {
            request.Dispose();
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            string message;
            try
            {
                var error = JsonNode.Parse(text);
                message = $"{(string?)error?["message"] ?? text} (error code {error?["error_code"]})";
            }
            catch (JsonException)
            {
                message = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            }

            throw new ApiException(message, ExitCodes.Failure);
        }
    }

    private static async Task<int> RunAsync(CliContext context, Uri registry, Func<HttpClient, Task> body)
    {
        using var http = new HttpClient { BaseAddress = registry, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Accept.ParseAdd(ContentType);
        try
        {
            await body(http).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (ApiException e)
        {
            if (!e.Quiet)
            {
                await context.Error.WriteLineAsync($"mesh schema: {e.Message}").ConfigureAwait(false);
            }

            return e.ExitCode;
        }
    }

    private sealed record SubjectRow(string Subject, int LatestVersion, int SchemaId, string SchemaType);
}
