using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Meshwork.Governance.Classification;

/// <summary>The kinds of personal data the value detectors recognise.</summary>
public enum PiiKind
{
    /// <summary>US Social Security number (dashed or spaced; area/group/serial validated).</summary>
    Ssn,

    /// <summary>E-mail address.</summary>
    Email,

    /// <summary>Telephone number (E.164 or a separated national format).</summary>
    Phone,

    /// <summary>Payment card number (issuer prefix, length and Luhn check).</summary>
    CreditCard,

    /// <summary>International bank account number (per-country length and mod-97 check).</summary>
    Iban,

    /// <summary>IPv4 or IPv6 address.</summary>
    IpAddress,
}

/// <summary>One detection: what kind of PII, and the label a field carrying it must declare.</summary>
public sealed record ValueDetection(PiiKind Kind, string Label);

/// <summary>
/// Value-level PII detectors for sampled events. Each detector prefers a missed detection to a
/// false alarm on ordinary business values: bare digit runs are never phones or SSNs (order ids
/// look the same), card numbers need a real issuer prefix as well as the Luhn check (epoch
/// milliseconds pass Luhn one time in ten), IBANs need the country's exact length and mod-97.
/// </summary>
public static partial class ValueClassifier
{
    /// <summary>Label for SSNs.</summary>
    public const string HighRiskLabel = "PII.HighRisk";

    /// <summary>Label for e-mail addresses and phone numbers.</summary>
    public const string ContactLabel = "PII.Contact";

    /// <summary>Label for card numbers and IBANs.</summary>
    public const string FinancialLabel = "PII.Financial";

    /// <summary>Label for IP addresses.</summary>
    public const string NetworkLabel = "PII.Network";

    private const int MaxValueLength = 4096;

    // ISO 13616 registry lengths (the common SEPA and neighbouring countries).
    private static readonly Dictionary<string, int> IbanLengths = new(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AT"] = 20, ["BE"] = 16, ["BG"] = 22, ["CH"] = 21, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DK"] = 18,
        ["EE"] = 20, ["ES"] = 24, ["FI"] = 18, ["FR"] = 27, ["GB"] = 22, ["GR"] = 27, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22,
        ["IS"] = 26, ["IT"] = 27, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["MC"] = 27, ["MT"] = 31, ["NL"] = 18,
        ["NO"] = 15, ["PL"] = 28, ["PT"] = 25, ["RO"] = 24, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27,
    };

    /// <summary>The PII detected in <paramref name="value"/> (empty when none). E-mail is found anywhere in the text; the others must be the whole (trimmed) value.</summary>
    public static IReadOnlyList<ValueDetection> Detect(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxValueLength)
        {
            return [];
        }

        var text = value.Trim();
        var found = new List<ValueDetection>();
        if (EmailPattern().IsMatch(text))
        {
            found.Add(new(PiiKind.Email, ContactLabel));
        }

        if (IsSsn(text))
        {
            found.Add(new(PiiKind.Ssn, HighRiskLabel));
        }
        else if (IsCreditCard(text))
        {
            found.Add(new(PiiKind.CreditCard, FinancialLabel));
        }
        else if (IsPhone(text))
        {
            found.Add(new(PiiKind.Phone, ContactLabel));
        }

        if (IsIban(text))
        {
            found.Add(new(PiiKind.Iban, FinancialLabel));
        }

        if (IsIpAddress(text))
        {
            found.Add(new(PiiKind.IpAddress, NetworkLabel));
        }

        return found;
    }

    /// <summary>The labels of <see cref="Detect"/>, distinct.</summary>
    public static IReadOnlyList<string> Labels(string? value) => Detect(value).Select(d => d.Label).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>SSN: AAA-GG-SSSS or AAA GG SSSS; area not 000, 666 or 9xx; group not 00; serial not 0000.</summary>
    public static bool IsSsn(string text)
    {
        var match = SsnPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var area = int.Parse(match.Groups[1].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);
        return area is not (0 or 666) && area < 900 && match.Groups[2].Value != "00" && match.Groups[3].Value != "0000";
    }

    /// <summary>Card: 13–19 digits (spaces or dashes allowed between groups), a known issuer prefix with a valid length for it, and the Luhn check.</summary>
    public static bool IsCreditCard(string text)
    {
        if (!CardPattern().IsMatch(text))
        {
            return false;
        }

        var digits = string.Concat(text.Where(char.IsAsciiDigit));
        return digits.Length is >= 13 and <= 19 && IssuerAccepts(digits) && Luhn(digits);
    }

    /// <summary>Phone: E.164 (+ and 8–15 digits, separators allowed) or a separated national format like (555) 123-4567, 555-123-4567, 020 7946 0958.</summary>
    public static bool IsPhone(string text)
    {
        if (text.StartsWith('+'))
        {
            if (!InternationalPhonePattern().IsMatch(text))
            {
                return false;
            }

            var digits = text.Count(char.IsAsciiDigit);
            return digits is >= 8 and <= 15;
        }

        return NorthAmericanPhonePattern().IsMatch(text) || TrunkPhonePattern().IsMatch(text);
    }

    /// <summary>IBAN: country code, check digits, per-country length, and ISO 7064 mod-97 = 1. Spaces every four characters allowed.</summary>
    public static bool IsIban(string text)
    {
        var compact = text.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (compact.Length < 15 || !IbanPattern().IsMatch(compact) || !IbanLengths.TryGetValue(compact[..2], out var length) || compact.Length != length)
        {
            return false;
        }

        var rearranged = compact[4..] + compact[..4];
        var remainder = 0;
        foreach (var c in rearranged)
        {
            var n = char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
            remainder = n >= 10 ? ((remainder * 100) + n) % 97 : ((remainder * 10) + n) % 97;
        }

        return remainder == 1;
    }

    /// <summary>IPv4 dotted quad (each octet 0–255, no leading zeros) or IPv6 (with at least two colons and hex groups).</summary>
    public static bool IsIpAddress(string text)
    {
        if (Ipv4Pattern().IsMatch(text))
        {
            return text.Split('.').All(o => (o.Length == 1 || o[0] != '0') && int.Parse(o, System.Globalization.CultureInfo.InvariantCulture) <= 255);
        }

        return text.Count(c => c == ':') >= 2 && Ipv6CharsPattern().IsMatch(text)
            && IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    private static bool IssuerAccepts(string d)
    {
        var two = int.Parse(d.AsSpan(0, 2), provider: System.Globalization.CultureInfo.InvariantCulture);
        var four = int.Parse(d.AsSpan(0, 4), provider: System.Globalization.CultureInfo.InvariantCulture);
        var three = four / 10;
        return d[0] switch
        {
            '4' => d.Length is 13 or 16 or 19,
            '5' => two is >= 51 and <= 55 && d.Length == 16,
            '2' => four is >= 2221 and <= 2720 && d.Length == 16,
            '3' => (two is 34 or 37 && d.Length == 15) || (four is >= 3528 and <= 3589 && d.Length is >= 16 and <= 19)
                || ((two is 36 or 38 || three is >= 300 and <= 305) && d.Length is 14 or 16),
            '6' => (four == 6011 || two == 65 || three is >= 644 and <= 649) && d.Length is 16 or 19,
            _ => false,
        };
    }

    private static bool Luhn(string digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var n = digits[i] - '0';
            if (doubleIt)
            {
                n *= 2;
                if (n > 9)
                {
                    n -= 9;
                }
            }

            sum += n;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }

    [GeneratedRegex(@"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^(\d{3})[- ](\d{2})[- ](\d{4})$", RegexOptions.CultureInvariant)]
    private static partial Regex SsnPattern();

    [GeneratedRegex(@"^\d{4}([- ]?\d{2,7}){2,4}$|^\d{13,19}$", RegexOptions.CultureInvariant)]
    private static partial Regex CardPattern();

    [GeneratedRegex(@"^\+\d{1,3}([ .-]?\(?\d{1,4}\)?)([ .-]?\d{2,5}){1,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex InternationalPhonePattern();

    [GeneratedRegex(@"^(\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex NorthAmericanPhonePattern();

    [GeneratedRegex(@"^0\d{2,4} \d{3,4} \d{3,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex TrunkPhonePattern();

    [GeneratedRegex(@"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$", RegexOptions.CultureInvariant)]
    private static partial Regex IbanPattern();

    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv4Pattern();

    [GeneratedRegex(@"^[0-9A-Fa-f:.]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv6CharsPattern();
}
