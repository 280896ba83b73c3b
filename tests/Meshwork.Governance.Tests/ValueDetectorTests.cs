using Meshwork.Governance.Classification;
using Shouldly;

namespace Meshwork.Governance.Tests;

public sealed class ValueDetectorTests(ITestOutputHelper output)
{
    [Fact]
    public void Scan_FlagsAnEmailInAFieldThatDoesNotDeclareIt()
    {
        var labels = new Dictionary<string, IReadOnlyList<string>> { ["note"] = [], ["email"] = ["PII.Contact"] };
        var events = new[]
        {
            Event(("note", "delivered on time"), ("email", "ana@example.org")),
            Event(("note", "customer wrote from jan.devries@example.nl"), ("email", "jan.devries@example.nl")),
        };

        var finding = FindingScanner.Scan(labels, events).ShouldHaveSingleItem();

        finding.Field.ShouldBe("note");
        finding.Kind.ShouldBe(PiiKind.Email);
        finding.Label.ShouldBe("PII.Contact");
        finding.FirstEvent.ShouldBe(1);
        finding.Redacted.ShouldNotContain("devries", Case.Insensitive);
    }

    [Theory]
    [InlineData("123-45-6789", PiiKind.Ssn)]
    [InlineData("4111 1111 1111 1111", PiiKind.CreditCard)]
    [InlineData("+31 20 555 0142", PiiKind.Phone)]
    [InlineData("(415) 555-0142", PiiKind.Phone)]
    [InlineData("NL91ABNA0417164300", PiiKind.Iban)]
    [InlineData("DE89 3704 0044 0532 0130 00", PiiKind.Iban)]
    [InlineData("192.168.10.24", PiiKind.IpAddress)]
    [InlineData("2001:db8::8a2e:370:7334", PiiKind.IpAddress)]
    [InlineData("someone@agency.gov", PiiKind.Email)]
    public void Detect_RecognisesEachKind(string value, PiiKind kind)
    {
        ValueClassifier.Detect(value).Select(d => d.Kind).ShouldContain(kind);
    }

    [Fact]
    public void Detect_StaysQuietOnOrdinaryBusinessValues_AndReportsTheFalsePositiveRate()
    {
        var corpus = NonPiiCorpus().ToList();

        var flagged = corpus.Where(v => ValueClassifier.Detect(v).Count > 0).ToList();

        var rate = (double)flagged.Count / corpus.Count;
        output.WriteLine($"value detectors: {flagged.Count} false positives in {corpus.Count:N0} non-PII values ({rate:P3})");
        flagged.ShouldBeEmpty();
    }

    /// <summary>What real products carry that is not PII: ids, amounts, timestamps, codes, versions, free text.</summary>
    private static IEnumerable<string> NonPiiCorpus()
    {
        var random = new Random(20261207);
        for (var i = 0; i < 2_000; i++)
        {
            yield return $"ORD-{random.Next(1_000_000):D6}";
            yield return random.NextInt64(1_600_000_000_000, 1_900_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            yield return (random.Next(0, 10_000_000) / 100.0).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
            // Snowflake-style 64-bit ids (19 digits starting with 1: no card issuer uses that prefix at that length).
            yield return random.NextInt64(1_000_000_000_000_000_000, 1_999_999_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
            yield return DateTimeOffset.FromUnixTimeSeconds(random.NextInt64(1_600_000_000, 1_900_000_000)).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            yield return $"{random.Next(10)}.{random.Next(20)}.{random.Next(100)}";
            yield return Guid.NewGuid().ToString();
            yield return $"PRJ-{random.Next(10_000):D4}";
            yield return $"SKU{random.Next(100_000_000):D8}";
        }

        string[] text = ["delivered", "Cloud Modernization", "EUR", "WEB", "ENTERPRISE", "NL", "Zero Trust rollout phase 2", "invoice approved by CFO",
            "2026-12-07", "v1.2.3", "https://sales-api.contoso.eu/v1", "sales.orders.v1", "size XL, colour navy", "Q4 FY2026", "#ff8800", "ISO 4217"];
        foreach (var t in text)
        {
            yield return t;
        }
    }

    private static Dictionary<string, object?> Event(params (string Field, object? Value)[] fields) =>
        fields.ToDictionary(f => f.Field, f => f.Value);
}
