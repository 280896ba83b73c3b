using System.Globalization;
using Meshwork.Governance.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Meshwork.Governance.Descriptors;

/// <summary>
/// Reads descriptor YAML strictly: every key must be known, every value must have the expected
/// shape, and every problem becomes a <see cref="Diagnostic"/> with file, line and column, so one
/// run reports everything that is wrong instead of stopping at the first error.
/// </summary>
internal sealed class YamlDescriptorReader
{
    private readonly List<Diagnostic> _diagnostics;

    public YamlDescriptorReader(string file, List<Diagnostic> diagnostics)
    {
        File = file;
        _diagnostics = diagnostics;
    }

    public string File { get; }

    /// <summary>Parses one YAML document; null (with a diagnostic) when it is malformed or empty.</summary>
    public YamlMappingNode? ParseRoot(string text)
    {
        var yaml = new YamlStream();
        try
        {
            using var reader = new StringReader(text);
            yaml.Load(reader);
        }
        catch (YamlException e)
        {
            _diagnostics.Add(Diagnostic.Error(RuleIds.YamlSyntax, new SourceLocation(File, (int)e.Start.Line, (int)e.Start.Column),
                $"malformed YAML: {e.InnerException?.Message ?? e.Message}", "Fix the YAML syntax at this position (indentation, quoting, a missing ':')."));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet fails some unterminated flow collections ('[1' at the end of a file) without a position;
            // replay the parser to report where it got to.
            _diagnostics.Add(Diagnostic.Error(RuleIds.YamlSyntax, LastParsedPosition(text),
                "malformed YAML: an unterminated '[' or '{' collection or quoted string.", "Close the collection or string that starts at or before this position."));
            return null;
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            _diagnostics.Add(Diagnostic.Error(RuleIds.MissingKey, SourceLocation.OfFile(File), "the file is empty.", "Write the descriptor (see docs/descriptors.md)."));
            return null;
        }

        if (yaml.Documents.Count > 1)
        {
            _diagnostics.Add(Diagnostic.Error(RuleIds.YamlSyntax, Location(yaml.Documents[1].RootNode), "only one YAML document is allowed per descriptor.", "Remove the '---' and the second document, or move it to its own file."));
        }

        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            _diagnostics.Add(Diagnostic.Error(RuleIds.WrongType, Location(yaml.Documents[0].RootNode), "expected a mapping at the top of the file.", "Start the file with the descriptor's root key (see docs/descriptors.md)."));
            return null;
        }

        return root;
    }

    private SourceLocation LastParsedPosition(string text)
    {
        var last = SourceLocation.OfFile(File);
        try
        {
            var parser = new YamlDotNet.Core.Parser(new StringReader(text));
            while (parser.MoveNext())
            {
                last = new SourceLocation(File, (int)parser.Current!.Start.Line, (int)parser.Current.Start.Column);
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            // The position reached so far is what we report.
        }

        return last;
    }

    public SourceLocation Location(YamlNode node) => new(File, (int)node.Start.Line, (int)node.Start.Column);

    /// <summary>
    /// Reads a mapping, reporting unknown keys (with a suggestion), duplicate keys and missing
    /// required keys. Returns the values by key, or null when <paramref name="node"/> is not a mapping.
    /// </summary>
    public MappingView? Mapping(YamlNode? node, string path, IReadOnlyList<string> known, IReadOnlyList<string>? required = null)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not YamlMappingNode mapping)
        {
            WrongType(node, path, "a mapping (key: value lines)");
            return null;
        }

        var values = new Dictionary<string, (YamlNode Key, YamlNode Value)>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var keyPath = Join(path, key);
            if (!known.Contains(key))
            {
                var suggestion = Suggest(key, known);
                _diagnostics.Add(Diagnostic.Error(RuleIds.UnknownKey, Location(keyNode),
                    $"unknown key '{keyPath}'." + (suggestion is null ? "" : $" Did you mean '{suggestion}'?"),
                    suggestion is null ? $"Remove it. Known keys here: {string.Join(", ", known)}." : $"Rename it to '{suggestion}'."));
                continue;
            }

            if (!values.TryAdd(key, (keyNode, valueNode)))
            {
                _diagnostics.Add(Diagnostic.Error(RuleIds.InvalidValue, Location(keyNode), $"key '{keyPath}' appears twice.", "Keep one of them."));
            }
        }

        foreach (var key in required ?? [])
        {
            if (!values.ContainsKey(key))
            {
                _diagnostics.Add(Diagnostic.Error(RuleIds.MissingKey, Location(node), $"missing required key '{Join(path, key)}'.", $"Add '{key}:' under '{(path.Length == 0 ? "(root)" : path)}'."));
            }
        }

        return new MappingView(this, mapping, path, values);
    }

    public string? Scalar(YamlNode node, string path)
    {
        if (node is YamlScalarNode scalar)
        {
            // '~' and an empty value are YAML null; a required key with no value is reported by the caller.
            return scalar.Style == ScalarStyle.Plain && (scalar.Value is null or "" or "~" or "null") ? null : scalar.Value;
        }

        WrongType(node, path, "a single value");
        return null;
    }

    public int? Int(YamlNode node, string path)
    {
        var text = Scalar(node, path);
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        WrongType(node, path, "a whole number");
        return null;
    }

    public double? Number(YamlNode node, string path)
    {
        var text = Scalar(node, path);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        WrongType(node, path, "a number");
        return null;
    }

    public bool? Bool(YamlNode node, string path)
    {
        var text = Scalar(node, path);
        switch (text)
        {
            case null:
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            default:
                WrongType(node, path, "true or false");
                return null;
        }
    }

    public IReadOnlyList<string> StringList(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: null or "" or "~" })
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            WrongType(node, path, "a list such as [a, b] or '- a' lines");
            return [];
        }

        var result = new List<string>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (Scalar(sequence.Children[i], $"{path}[{i}]") is { } value)
            {
                result.Add(value);
            }
        }

        return result;
    }

    public IReadOnlyList<YamlNode> Sequence(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: null or "" or "~" })
        {
            return [];
        }

        if (node is YamlSequenceNode sequence)
        {
            return sequence.Children.ToList();
        }

        WrongType(node, path, "a list of entries ('- ' lines)");
        return [];
    }

    public void Report(Diagnostic diagnostic) => _diagnostics.Add(diagnostic);

    public void Invalid(YamlNode node, string path, string message, string fix) =>
        _diagnostics.Add(Diagnostic.Error(RuleIds.InvalidValue, Location(node), $"'{path}': {message}", fix));

    private void WrongType(YamlNode node, string path, string expected) =>
        _diagnostics.Add(Diagnostic.Error(RuleIds.WrongType, Location(node), $"'{path}' must be {expected}, not {Describe(node)}.", $"Write '{path}' as {expected}."));

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "something else",
    };

    internal static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>The closest known key within edit distance 2 (or a case-only difference), for "did you mean".</summary>
    internal static string? Suggest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = string.Equals(candidate, key, StringComparison.OrdinalIgnoreCase) ? 0 : Levenshtein(key.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        var allowed = Math.Max(2, key.Length / 3);
        return bestDistance <= allowed ? best : null;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

/// <summary>The checked keys of one mapping, with typed accessors that record where each value came from.</summary>
internal sealed class MappingView
{
    private readonly YamlDescriptorReader _reader;
    private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _values;

    public MappingView(YamlDescriptorReader reader, YamlMappingNode node, string path, Dictionary<string, (YamlNode Key, YamlNode Value)> values)
    {
        _reader = reader;
        Node = node;
        Path = path;
        _values = values;
    }

    public YamlMappingNode Node { get; }

    public string Path { get; }

    public YamlNode? this[string key] => _values.TryGetValue(key, out var entry) ? entry.Value : null;

    public bool Has(string key) => _values.ContainsKey(key);

    public string Sub(string key) => YamlDescriptorReader.Join(Path, key);

    public string? String(string key) => this[key] is { } node ? _reader.Scalar(node, Sub(key)) : null;

    public int? Int(string key) => this[key] is { } node ? _reader.Int(node, Sub(key)) : null;

    public double? Number(string key) => this[key] is { } node ? _reader.Number(node, Sub(key)) : null;

    public bool? Bool(string key) => this[key] is { } node ? _reader.Bool(node, Sub(key)) : null;

    public IReadOnlyList<string> Strings(string key) => this[key] is { } node ? _reader.StringList(node, Sub(key)) : [];

    public IReadOnlyList<YamlNode> Items(string key) => this[key] is { } node ? _reader.Sequence(node, Sub(key)) : [];

    /// <summary>Records the location of every key (and list item) under <see cref="Path"/> into <paramref name="map"/>.</summary>
    public void Record(SourceMap map)
    {
        map.Add(Path, _reader.Location(Node));
        foreach (var (key, (keyNode, valueNode)) in _values)
        {
            map.Add(Sub(key), _reader.Location(keyNode));
            if (valueNode is YamlSequenceNode sequence)
            {
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    map.Add($"{Sub(key)}[{i}]", _reader.Location(sequence.Children[i]));
                }
            }
        }
    }
}
