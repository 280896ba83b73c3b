using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Meshwork.Formats.JsonSchema;

/// <summary>
/// The <c>format</c> values validated as assertions, like Confluent's validator (everit) does for draft-07. Every
/// other format name is an annotation and accepts any value. Formats only constrain strings; other types pass.
/// </summary>
public static partial class JsonSchemaFormats
{
    /// <summary>The asserted format names.</summary>
    public static IReadOnlySet<string> Asserted { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "date-time", "date", "time", "email", "hostname", "ipv4", "ipv6", "uri", "uri-reference", "uuid", "regex", "json-pointer",
    };

    /// <summary>True when <paramref name="instance"/> satisfies <paramref name="format"/> (or the format is not asserted).</summary>
    public static bool IsValid(string format, JsonElement instance)
    {
        if (instance.ValueKind != JsonValueKind.String)
        {
            return true;
        }

        var text = instance.GetString()!;
        return format switch
        {
            "date-time" => IsDateTime(text),
            "date" => IsDate(text),
            "time" => IsTime(text),
            "email" => IsEmail(text),
            "hostname" => IsHostname(text),
            "ipv4" => IsIPv4(text),
            "ipv6" => !text.Contains('%', StringComparison.Ordinal) && IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6,
            "uri" => Uri.TryCreate(text, UriKind.Absolute, out var uri) && !text.Contains(' ', StringComparison.Ordinal) && uri.Scheme.Length > 0,
            "uri-reference" => !text.Contains(' ', StringComparison.Ordinal) && !text.Contains('\\', StringComparison.Ordinal) && Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out _),
            "uuid" => Guid.TryParseExact(text, "D", out _),
            "regex" => IsRegex(text),
            "json-pointer" => text.Length == 0 || (text[0] == '/' && !JsonPointerBadEscape().IsMatch(text)),
            _ => true,
        };
    }

    // RFC 3339 full-date with a real calendar check (2021-02-29 is invalid).
    private static bool IsDate(string text) =>
        DateRegex().IsMatch(text) && DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static bool IsTime(string text)
    {
        var match = TimeRegex().Match(text);
        return match.Success && int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) < 24
            && int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture) < 60
            && int.Parse(match.Groups[3].ValueSpan, CultureInfo.InvariantCulture) <= 60;
    }

    private static bool IsDateTime(string text)
    {
        var separator = text.IndexOfAny(['T', 't', ' ']);
        return separator == 10 && IsDate(text[..10]) && IsTime(text[11..]);
    }

    private static bool IsEmail(string text)
    {
        var at = text.LastIndexOf('@');
        return at > 0 && at < text.Length - 1 && !text.Any(char.IsWhiteSpace);
    }

    private static bool IsHostname(string text) =>
        text.Length is > 0 and <= 253 && text.TrimEnd('.').Split('.').All(label => HostLabelRegex().IsMatch(label));

    private static bool IsIPv4(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)
            && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    private static bool IsRegex(string text)
    {
        try
        {
            JsonSchemaDocument.CreateRegex(text, "");
            return true;
        }
        catch (JsonSchemaException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DateRegex();

    [GeneratedRegex(@"^(\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex TimeRegex();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex HostLabelRegex();

    [GeneratedRegex(@"~[^01]|~$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonPointerBadEscape();
}
