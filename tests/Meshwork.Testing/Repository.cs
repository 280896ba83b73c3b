using System.Reflection;

namespace Meshwork.Testing;

/// <summary>Paths inside this repository, found from the test binary's location.</summary>
public static class Repository
{
    /// <summary>The repository root (the directory holding Meshwork.slnx).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path relative to the repository root.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        var built = typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (built is not null && File.Exists(System.IO.Path.Combine(built, "Meshwork.slnx")))
        {
            return built;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Meshwork.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Cannot find Meshwork.slnx above {AppContext.BaseDirectory}.");
    }
}
