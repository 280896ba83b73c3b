using System.Text.RegularExpressions;
using Meshwork.Governance.Descriptors;
using Meshwork.Governance.Schemas;

namespace Meshwork.Governance.Classification;

/// <summary>The labels of one field: what its author declared and what policy rules inferred from its name and doc.</summary>
/// <param name="Field">Field name.</param>
/// <param name="Declared">Labels declared in the schema.</param>
/// <param name="Inferred">Labels whose policy pattern matches the field name or doc.</param>
/// <param name="Effective">The labels enforcement uses: declared, plus inferred when the policy auto-classifies.</param>
public sealed record FieldLabels(string Field, IReadOnlyList<string> Declared, IReadOnlyList<string> Inferred, IReadOnlyList<string> Effective)
{
    /// <summary>True when any effective label is a PII label.</summary>
    public bool IsPii => Effective.Any(Labels.IsPii);
}

/// <summary>Label helpers. Labels are dot-hierarchical: <c>PII</c> covers <c>PII.Contact</c>.</summary>
public static class Labels
{
    /// <summary>The PII root label.</summary>
    public const string Pii = "PII";

    /// <summary>True for <c>PII</c> and <c>PII.*</c>.</summary>
    public static bool IsPii(string label) => Covers(Pii, label);

    /// <summary>True when <paramref name="declared"/> equals <paramref name="label"/> or is one of its ancestors.</summary>
    public static bool Covers(string declared, string label) =>
        string.Equals(declared, label, StringComparison.OrdinalIgnoreCase)
        || label.StartsWith(declared + ".", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when any of <paramref name="declared"/> covers <paramref name="label"/>.</summary>
    public static bool AnyCovers(IEnumerable<string> declared, string label) => declared.Any(d => Covers(d, label));
}

/// <summary>Applies the policy's classification rules (case-insensitive regular expressions) to field names and docs.</summary>
public sealed class FieldClassifier
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);
    private readonly bool _autoClassify;
    private readonly IReadOnlyList<(Regex Pattern, string Label)> _rules;

    /// <summary>Compiles the rules of <paramref name="policy"/> (invalid patterns were already reported by the parser and are skipped).</summary>
    public FieldClassifier(ClassificationPolicy policy)
    {
        _autoClassify = policy.AutoClassify;
        var rules = new List<(Regex, string)>();
        foreach (var rule in policy.Rules)
        {
            try
            {
                rules.Add((new Regex(rule.Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout), rule.Classification));
            }
            catch (ArgumentException)
            {
                // Reported with file and line by DescriptorParser.ParsePolicies; an invalid rule classifies nothing.
            }
        }

        _rules = rules;
    }

    /// <summary>The labels of one field.</summary>
    public FieldLabels Classify(SchemaField field)
    {
        var inferred = _rules
            .Where(r => r.Pattern.IsMatch(field.Name) || (field.Doc is not null && r.Pattern.IsMatch(field.Doc)))
            .Select(r => r.Label).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var effective = _autoClassify ? field.DeclaredLabels.Concat(inferred).Distinct(StringComparer.OrdinalIgnoreCase).ToList() : field.DeclaredLabels.ToList();
        return new FieldLabels(field.Name, field.DeclaredLabels, inferred, effective);
    }

    /// <summary>The labels of every field of a schema, in field order.</summary>
    public IReadOnlyList<FieldLabels> Classify(ProductSchema schema) => schema.Fields.Select(Classify).ToList();
}
