using Meshwork.Governance.Descriptors;
using Meshwork.Testing;

namespace Meshwork.Governance.Tests;

/// <summary>The example mesh as files, and small edits of it for the failing cases.</summary>
internal static class MeshFixtures
{
    public static MeshFiles Examples { get; } = MeshFiles.FromDirectory(Repository.Path("examples"));

    /// <summary>The example mesh with one exact piece of text in <paramref name="path"/> replaced; fails if the text is not there.</summary>
    public static MeshFiles Edit(this MeshFiles files, string path, string find, string replace)
    {
        var text = files.Read(path) ?? throw new InvalidOperationException($"no file {path}");
        if (!text.Contains(find, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"'{find}' is not in {path}");
        }

        return files.With(path, text.Replace(find, replace, StringComparison.Ordinal));
    }

    /// <summary>The 1-based line of the first occurrence of <paramref name="text"/> in <paramref name="path"/>.</summary>
    public static int LineOf(this MeshFiles files, string path, string text)
    {
        var lines = files.Read(path)!.Split('\n');
        var index = Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        return index < 0 ? throw new InvalidOperationException($"'{text}' is not in {path}") : index + 1;
    }
}
