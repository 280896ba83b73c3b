namespace Meshwork.Governance.Descriptors;

/// <summary>
/// The text files of a mesh definition, keyed by their path relative to the mesh root
/// (<c>sales/products/orders/product.yaml</c>, always with '/'). Plans and applies work on this
/// rather than on a directory, so the CLI can send a tree to a server and the server can keep
/// its embedded example mesh in memory.
/// </summary>
public sealed class MeshFiles
{
    /// <summary>File name extensions a mesh definition is made of: descriptors and schemas.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".yaml", ".yml", ".avsc", ".json"];

    /// <summary>Upper bounds that keep a mistaken <c>-f /</c> from reading a whole disk.</summary>
    public const int MaxFiles = 20_000;

    /// <summary>Upper bound on the total size of the files, in bytes.</summary>
    public const long MaxTotalBytes = 64L * 1024 * 1024;

    private readonly SortedDictionary<string, string> _files;

    /// <summary>Creates the set from relative paths and their text; paths are normalised to '/' separators.</summary>
    /// <exception cref="ArgumentException">A path is absolute, empty or climbs out of the root with '..'.</exception>
    public MeshFiles(IEnumerable<KeyValuePair<string, string>> files, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        _files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, text) in files)
        {
            var normal = Normalize(path);
            if (!_files.TryAdd(normal, text))
            {
                throw new ArgumentException($"The file '{normal}' is given twice.", nameof(files));
            }
        }

        Origin = origin ?? "(files)";
    }

    /// <summary>Where the files came from (a directory, an upload), for messages.</summary>
    public string Origin { get; }

    /// <summary>Every path, sorted ordinally.</summary>
    public IReadOnlyCollection<string> Paths => _files.Keys;

    /// <summary>The files as path → text.</summary>
    public IReadOnlyDictionary<string, string> Contents => _files;

    /// <summary>True when <paramref name="path"/> is one of the files.</summary>
    public bool Exists(string path) => _files.ContainsKey(path);

    /// <summary>The text of <paramref name="path"/>, or null when there is no such file.</summary>
    public string? Read(string path) => _files.GetValueOrDefault(path);

    /// <summary>A copy with <paramref name="path"/> set to <paramref name="text"/>, or removed when <paramref name="text"/> is null.</summary>
    public MeshFiles With(string path, string? text)
    {
        var contents = new Dictionary<string, string>(_files, StringComparer.Ordinal);
        contents.Remove(Normalize(path));
        if (text is not null)
        {
            contents[Normalize(path)] = text;
        }

        return new MeshFiles(contents, Origin);
    }

    /// <summary>The immediate sub-directories of <paramref name="directory"/> ("" for the root), sorted.</summary>
    public IReadOnlyList<string> Directories(string directory)
    {
        var prefix = directory.Length == 0 ? "" : directory.TrimEnd('/') + "/";
        return _files.Keys
            .Where(p => p.StartsWith(prefix, StringComparison.Ordinal) && p.IndexOf('/', prefix.Length) > 0)
            .Select(p => p[..p.IndexOf('/', prefix.Length)])
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>True when some file lives under <paramref name="directory"/>.</summary>
    public bool DirectoryExists(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        return _files.Keys.Any(p => p.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>
    /// Reads the descriptor and schema files under <paramref name="directory"/> (see <see cref="Extensions"/>),
    /// skipping hidden directories and <c>node_modules</c>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="InvalidOperationException">The tree is larger than <see cref="MaxFiles"/> or <see cref="MaxTotalBytes"/>.</exception>
    public static MeshFiles FromDirectory(string directory)
    {
        var root = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Mesh directory '{directory}' does not exist. Pass the directory holding policies.yaml and one folder per domain.");
        }

        var files = new List<KeyValuePair<string, string>>();
        long total = 0;
        foreach (var path in Walk(root))
        {
            var size = new FileInfo(path).Length;
            total += size;
            if (files.Count >= MaxFiles || total > MaxTotalBytes)
            {
                throw new InvalidOperationException(
                    $"'{directory}' holds more than {MaxFiles:N0} descriptor and schema files or {MaxTotalBytes / (1024 * 1024)} MiB; pass the mesh's own directory.");
            }

            files.Add(new(Path.GetRelativePath(root, path), File.ReadAllText(path)));
        }

        return new MeshFiles(files, root);
    }

    private static IEnumerable<string> Walk(string directory)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            if (Extensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
            {
                yield return file;
            }
        }

        foreach (var sub in System.IO.Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(sub);
            if (name.StartsWith('.') || name == "node_modules")
            {
                continue;
            }

            foreach (var file in Walk(sub))
            {
                yield return file;
            }
        }
    }

    /// <summary>Joins and normalises a path relative to the root ('..' resolved), or null when it leaves the root.</summary>
    public static string? Combine(string directory, string relative)
    {
        var parts = new List<string>();
        foreach (var part in (directory + "/" + relative).Replace('\\', '/').Split('/'))
        {
            switch (part)
            {
                case "" or ".":
                    continue;
                case "..":
                    if (parts.Count == 0)
                    {
                        return null;
                    }

                    parts.RemoveAt(parts.Count - 1);
                    break;
                default:
                    parts.Add(part);
                    break;
            }
        }

        return string.Join('/', parts);
    }

    private static string Normalize(string path)
    {
        var normal = path.Replace('\\', '/');
        if (normal.Length == 0 || normal.StartsWith('/') || Path.IsPathRooted(path))
        {
            throw new ArgumentException($"'{path}' is not a relative path inside the mesh.", nameof(path));
        }

        return Combine("", normal) is { Length: > 0 } combined
            ? combined
            : throw new ArgumentException($"'{path}' leaves the mesh directory.", nameof(path));
    }
}
