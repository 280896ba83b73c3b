using Meshwork.Governance.Descriptors;

namespace Meshwork.Server.Examples;

/// <summary>
/// The example mesh (the repository's <c>examples/</c> directory), embedded in the binary so that
/// <c>mesh up</c> starts with it from any working directory.
/// </summary>
public static class ExampleMesh
{
    private const string Prefix = "examples/";

    /// <summary>Where the history says an example apply came from.</summary>
    public const string Source = "embedded example mesh";

    /// <summary>The example mesh's descriptor and schema files.</summary>
    public static MeshFiles Files { get; } = Load();

    private static MeshFiles Load()
    {
        var assembly = typeof(ExampleMesh).Assembly;
        var files = new List<KeyValuePair<string, string>>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            files.Add(new(name[Prefix.Length..], reader.ReadToEnd()));
        }

        return new MeshFiles(files, Source);
    }
}
