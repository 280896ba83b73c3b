using System.Reflection;
using Meshwork.Metadata;

namespace Meshwork.Server;

/// <summary>Liveness, readiness and identity of this process, as the health and version endpoints report them.</summary>
public sealed class MeshStatus(string instanceId, IMetadataStore store)
{
    private volatile bool _ready;

    /// <summary>The mesh's stable id, shared by every node on the same metadata store.</summary>
    public string InstanceId { get; } = instanceId;

    /// <summary>The store this process uses, for the readiness probe.</summary>
    public IMetadataStore Store { get; } = store;

    /// <summary>The product version of this binary.</summary>
    public static string Version { get; } =
        typeof(MeshStatus).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>True once every part has started and until shutdown begins.</summary>
    public bool IsReady => _ready;

    internal void MarkReady() => _ready = true;

    internal void MarkStopping() => _ready = false;
}
