using Meshwork.Governance.Descriptors;

namespace Meshwork.Catalog.Tests;

internal static class MeshFilesExtensions
{
    public static MeshFiles Edit(this MeshFiles files, string path, string find, string replace) =>
        files.With(path, files.Read(path)!.Replace(find, replace, StringComparison.Ordinal));
}
