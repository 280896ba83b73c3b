using Meshwork.Server;
using Meshwork.Server.Configuration;
using Xunit;

namespace Meshwork.Testing.Mesh;

/// <summary>
/// A test class whose every test gets its own mesh: a fresh directory, a <see cref="MeshServer"/> on free loopback
/// ports with its data in <c>data/</c> inside it, and an HTTP client for its API; all stopped and removed after the test.
/// Override <see cref="Options"/> to change the configuration, and <see cref="InitializeAsync"/> (calling the base
/// first) to prepare topics or tables.
/// </summary>
public abstract class MeshServerTest : IAsyncLifetime
{
    /// <summary>Creates the test's directory.</summary>
    protected MeshServerTest()
    {
        TestDirectory = new TempDirectory("meshwork-" + GetType().Name.ToLowerInvariant());
    }

    /// <summary>The test's own directory (the mesh's data is in its <c>data/</c>; tests may keep other files here).</summary>
    protected TempDirectory TestDirectory { get; }

    /// <summary>The mesh's data directory.</summary>
    protected string DataDirectory => TestDirectory.Combine("data");

    /// <summary>The running mesh.</summary>
    protected MeshServer Server { get; private set; } = null!;

    /// <summary>A client for the mesh's HTTP API.</summary>
    protected HttpClient Http { get; private set; } = null!;

    /// <summary>The current test's cancellation.</summary>
    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The configuration the mesh starts with: the embedded test defaults unless overridden.</summary>
    protected virtual MeshOptions Options(string dataDirectory) => MeshOptions.ForTests(dataDirectory);

    /// <inheritdoc/>
    public virtual async ValueTask InitializeAsync()
    {
        Server = await MeshServer.StartAsync(Options(DataDirectory), cancellationToken: Cancel);
        Http = new HttpClient { BaseAddress = Server.HttpAddress };
    }

    /// <inheritdoc/>
    public virtual async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        TestDirectory.Dispose();
        GC.SuppressFinalize(this);
    }
}
