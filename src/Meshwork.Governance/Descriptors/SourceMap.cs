using Meshwork.Governance.Diagnostics;

namespace Meshwork.Governance.Descriptors;

/// <summary>
/// Where each key of a descriptor was written (<c>dataResidency.storageLocations[0]</c> → file:line:col),
/// so that a governance violation found long after parsing still points at the exact line.
/// </summary>
public sealed class SourceMap
{
    private readonly Dictionary<string, SourceLocation> _locations = new(StringComparer.Ordinal);

    /// <summary>Creates a map for <paramref name="file"/>.</summary>
    public SourceMap(string file)
    {
        File = file;
    }

    /// <summary>The descriptor file.</summary>
    public string File { get; }

    /// <summary>Records a location; the first one recorded for a path wins.</summary>
    public void Add(string path, SourceLocation location) => _locations.TryAdd(path, location);

    /// <summary>
    /// The location of <paramref name="path"/>, or of its nearest recorded parent (a missing key is
    /// reported at the mapping that should hold it), or the file itself.
    /// </summary>
    public SourceLocation Get(string path)
    {
        for (var current = path; ; current = Parent(current))
        {
            if (_locations.TryGetValue(current, out var location))
            {
                return location;
            }

            if (current.Length == 0)
            {
                return SourceLocation.OfFile(File);
            }
        }
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut < 0 ? "" : path[..cut];
    }
}
