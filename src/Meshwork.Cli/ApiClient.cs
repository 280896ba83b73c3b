using System.Net.Http.Json;
using System.Text.Json;

namespace Meshwork.Cli;

/// <summary>A failed call to the mesh's HTTP API, with the exit code the command should return.</summary>
public sealed class ApiException(string message, int exitCode, bool quiet = false) : Exception(message)
{
    /// <summary>The documented exit code for this failure.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>True when the command already printed what happened and only the exit code remains.</summary>
    public bool Quiet { get; } = quiet;
}

/// <summary>
/// The CLI's view of a running mesh: sends JSON requests to the HTTP API and turns transport failures and
/// problem-details answers into <see cref="ApiException"/>s with a message naming what went wrong.
/// </summary>
public sealed class ApiClient(Uri server) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The server this client talks to.</summary>
    public Uri Server => server;

    /// <summary>GETs <paramref name="path"/> and deserializes the JSON body.</summary>
    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PUTs <paramref name="body"/> as JSON to <paramref name="path"/> and deserializes the JSON answer.</summary>
    public async Task<T> PutAsync<T>(string path, object body, CancellationToken cancellationToken)
    {
        using var content = JsonContent.Create(body, options: Output.Json);
        using var response = await SendAsync(HttpMethod.Put, path, content, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>DELETEs <paramref name="path"/>.</summary>
    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, path, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one request; an unreachable server or an error status becomes an <see cref="ApiException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ApiException($"cannot reach a mesh at {server}: {e.Message}. Is 'mesh up' running? Use --server to point elsewhere.", ExitCodes.ServerUnreachable);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var problem = await TryReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
                throw new ApiException(problem ?? $"{(int)response.StatusCode} {response.ReasonPhrase} from {path}", ExitCodes.Failure);
            }
        }

        return response;
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await response.Content.ReadFromJsonAsync<T>(Output.Json, cancellationToken).ConfigureAwait(false))!;
        }
        catch (JsonException e)
        {
            throw new ApiException($"the server at {server} answered {path} with something that is not the expected JSON: {e.Message}", ExitCodes.Failure);
        }
    }

    /// <summary>
    /// POSTs <paramref name="body"/> as JSON and deserializes the answer. When the server answers with a problem
    /// that carries <paramref name="problemExtension"/> (an apply refused by policy carries its <c>plan</c>), that
    /// extension is the result instead of an error.
    /// </summary>
    public async Task<T> PostAsync<T>(string path, object body, CancellationToken cancellationToken, string? problemExtension = null)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, Output.Json, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ApiException($"cannot reach a mesh at {server}: {e.Message}. Is 'mesh up' running? Use --server to point elsewhere.", ExitCodes.ServerUnreachable);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (response.IsSuccessStatusCode)
                {
                    return JsonSerializer.Deserialize<T>(text, Output.Json)!;
                }

                using var problem = JsonDocument.Parse(text);
                if (problemExtension is not null && problem.RootElement.TryGetProperty(problemExtension, out var extension))
                {
                    return extension.Deserialize<T>(Output.Json)!;
                }

                throw new ApiException(Detail(problem.RootElement) ?? $"{(int)response.StatusCode} {response.ReasonPhrase} from {path}", ExitCodes.Failure);
            }
            catch (JsonException e)
            {
                throw new ApiException($"the server at {server} answered {path} with {(int)response.StatusCode} and something that is not the expected JSON: {e.Message}", ExitCodes.Failure);
            }
        }
    }

    /// <summary>Runs a command body that succeeds unless it throws; see <see cref="RunAsync(CliContext, Uri, Func{ApiClient, Task{int}}, string)"/>.</summary>
    public static Task<int> RunAsync(CliContext context, Uri server, Func<ApiClient, Task> body, string command = "mesh") =>
        RunAsync(context, server, async api =>
        {
            await body(api).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, command);

    /// <summary>
    /// Runs a command body against <paramref name="server"/>, turning <see cref="ApiException"/>s into a message prefixed
    /// with <paramref name="command"/> (<c>mesh users: ...</c>) and the exception's exit code.
    /// </summary>
    public static async Task<int> RunAsync(CliContext context, Uri server, Func<ApiClient, Task<int>> body, string command = "mesh")
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        using var api = new ApiClient(server);
        try
        {
            return await body(api).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            if (!e.Quiet)
            {
                await context.Error.WriteLineAsync($"{command}: {e.Message}").ConfigureAwait(false);
            }

            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Ok;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    private static string? Detail(JsonElement problem) =>
        problem.ValueKind != JsonValueKind.Object ? null
        : problem.TryGetProperty("detail", out var detail) ? detail.GetString()
        : problem.TryGetProperty("title", out var title) ? title.GetString()
        : null;

    private static async Task<string?> TryReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return Detail(json.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
