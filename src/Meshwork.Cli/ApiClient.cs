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
/// The CLI's view of a running mesh: GETs JSON from the HTTP API and turns transport failures and
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
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ApiException($"cannot reach a mesh at {server}: {e.Message}. Is 'mesh up' running? Use --server to point elsewhere.", ExitCodes.ServerUnreachable);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var problem = await TryReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
                throw new ApiException(problem ?? $"{(int)response.StatusCode} {response.ReasonPhrase} from {path}", ExitCodes.Failure);
            }

            try
            {
                return (await response.Content.ReadFromJsonAsync<T>(Output.Json, cancellationToken).ConfigureAwait(false))!;
            }
            catch (JsonException e)
            {
                throw new ApiException($"the server at {server} answered {path} with something that is not the expected JSON: {e.Message}", ExitCodes.Failure);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    private static async Task<string?> TryReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            return json.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString()
                : json.RootElement.TryGetProperty("title", out var title) ? title.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
