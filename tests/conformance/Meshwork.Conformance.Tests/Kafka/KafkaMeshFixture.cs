using Meshwork.Server;
using Meshwork.Server.Configuration;
using Meshwork.Testing;
using Microsoft.Extensions.Logging;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>
/// One in-process mesh per test class, its log lines captured in memory so tests can look for audit lines.
/// Tests use unique topic and group names, so they never share state.
/// </summary>
public class KafkaMeshFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("meshwork-kafka-conformance");
    private MeshServer? _server;

    /// <summary>Every log line the mesh wrote.</summary>
    public MemoryLoggerProvider Logs { get; } = new();

    /// <summary>The running mesh.</summary>
    public MeshServer Server => _server ?? throw new InvalidOperationException("The mesh has not started.");

    /// <summary>host:port of the Kafka listener.</summary>
    public string Bootstrap => Server.BootstrapServers;

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        var loggerFactory = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Information));
        _server = await MeshServer.StartAsync(Configure(MeshOptions.ForTests(_dir.Path)), loggerFactory, TestContext.Current.CancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Adjusts the test options (SASL, partitions...).</summary>
    protected virtual MeshOptions Configure(MeshOptions options) => options;
}

/// <summary>The mesh with anonymous access off: every client must authenticate with SASL.</summary>
public sealed class SaslKafkaMeshFixture : KafkaMeshFixture
{
    /// <inheritdoc/>
    protected override MeshOptions Configure(MeshOptions options) => options with { Broker = options.Broker with { AllowAnonymous = false } };
}
