using System.Collections;
using System.Globalization;

namespace Meshwork.Governance.Classification;

/// <summary>
/// A field carrying PII that its labels do not declare, seen in sampled events.
/// </summary>
/// <param name="Field">The field.</param>
/// <param name="Kind">What was detected.</param>
/// <param name="Label">The label the field should declare.</param>
/// <param name="Occurrences">How many sampled values matched.</param>
/// <param name="FirstEvent">0-based index of the first sampled event where it was seen.</param>
/// <param name="Redacted">The first matching value with all but its last two characters masked, safe to log.</param>
public sealed record Finding(string Field, PiiKind Kind, string Label, int Occurrences, int FirstEvent, string Redacted);

/// <summary>
/// Compares sampled event values with the labels a product declares for each field. A finding
/// is a label the data shows but the field does not carry: the steward either adds the label
/// (the contract views then exclude or mask it) or fixes the producer.
/// </summary>
public static class FindingScanner
{
    private const int MaxDepth = 8;

    /// <summary>Scans <paramref name="events"/> (decoded records as field → value maps; nested maps and lists are searched too).</summary>
    /// <param name="labels">Each field's effective labels (from <see cref="FieldClassifier"/> or the catalog).</param>
    /// <param name="events">Sampled, decoded events.</param>
    public static IReadOnlyList<Finding> Scan(IReadOnlyDictionary<string, IReadOnlyList<string>> labels, IEnumerable<IReadOnlyDictionary<string, object?>> events)
    {
        var found = new Dictionary<(string Field, PiiKind Kind), Finding>();
        var index = 0;
        foreach (var record in events)
        {
            foreach (var (field, value) in record)
            {
                var declared = labels.GetValueOrDefault(field) ?? [];
                foreach (var text in Strings(value, 0))
                {
                    foreach (var detection in ValueClassifier.Detect(text))
                    {
                        if (Labels.AnyCovers(declared, detection.Label))
                        {
                            continue;
                        }

                        var key = (field, detection.Kind);
                        found[key] = found.TryGetValue(key, out var existing)
                            ? existing with { Occurrences = existing.Occurrences + 1 }
                            : new Finding(field, detection.Kind, detection.Label, 1, index, Redact(text));
                    }
                }
            }

            index++;
        }

        return found.Values.OrderBy(f => f.Field, StringComparer.Ordinal).ThenBy(f => f.Kind).ToList();
    }

    /// <summary>Convenience overload taking <see cref="FieldLabels"/>.</summary>
    public static IReadOnlyList<Finding> Scan(IEnumerable<FieldLabels> labels, IEnumerable<IReadOnlyDictionary<string, object?>> events) =>
        Scan(labels.ToDictionary(l => l.Field, l => l.Effective, StringComparer.Ordinal), events);

    private static IEnumerable<string> Strings(object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            yield break;
        }

        switch (value)
        {
            case null:
                yield break;
            case string s:
                yield return s;
                break;
            case IDictionary dictionary:
                foreach (var nested in dictionary.Values)
                {
                    foreach (var s in Strings(nested, depth + 1))
                    {
                        yield return s;
                    }
                }

                break;
            case IEnumerable items and not byte[]:
                foreach (var nested in items)
                {
                    foreach (var s in Strings(nested, depth + 1))
                    {
                        yield return s;
                    }
                }

                break;
            case IFormattable formattable:
                yield return formattable.ToString(null, CultureInfo.InvariantCulture);
                break;
        }
    }

    private static string Redact(string text) => text.Length <= 2 ? new string('*', text.Length) : new string('*', text.Length - 2) + text[^2..];
}
