using System.Globalization;
using System.Text.Json;
using Meshwork.Formats.Avro;

namespace Meshwork.Server.Examples;

/// <summary>
/// Makes realistic records for one product from its Avro schema. A field may carry a
/// <c>"generate"</c> attribute saying what its values look like:
/// <list type="bullet">
/// <item><c>{"id": "ORD-{0:D6}", "pool": 5000}</c>: an identifier from a pool, so keys repeat (state updates) and match across products;</item>
/// <item><c>{"values": [...]}</c>: one of these values;</item>
/// <item><c>{"min": 5, "max": 2500}</c>: a number (or decimal amount) in range;</item>
/// <item><c>{"daysFromNow": [-30, 365]}</c>: a date in that window;</item>
/// <item><c>"now"</c>, <c>"person"</c>, <c>"email"</c>, <c>"phone"</c>, <c>"address"</c>, <c>"company"</c>, <c>"project"</c>, <c>"milestone"</c>.</item>
/// </list>
/// Fields without a hint get a plausible value of their type (an enum symbol, a word, a small number).
/// </summary>
public sealed class EventGenerator
{
    private const string HintProperty = "generate";
    private const double NullShare = 0.1;

    private static readonly string[] FirstNames = ["Ana", "Jan", "Sofie", "Lukas", "Emma", "Mateo", "Zofia", "Liam", "Chloé", "Erik", "Giulia", "Noah", "Aoife", "Pablo", "Ingrid", "Tomás"];
    private static readonly string[] LastNames = ["de Vries", "Müller", "Dubois", "Kowalski", "García", "Rossi", "Jansen", "Nilsson", "Murphy", "Novák", "Silva", "Berg", "Lambert", "Weber"];
    private static readonly string[] Streets = ["Keizersgracht", "Hauptstraße", "Rue de Rivoli", "Calle Mayor", "Via Roma", "Drottninggatan", "Grafton Street", "Marszałkowska"];
    private static readonly string[] Cities = ["1015 CJ Amsterdam", "10115 Berlin", "75001 Paris", "28013 Madrid", "00184 Roma", "111 57 Stockholm", "D02 Dublin", "00-001 Warszawa"];
    private static readonly string[] Companies = ["Northwind Systems", "Contoso Federal", "Fabrikam Cloud", "Tailspin Analytics", "Adatum Security", "Litware Consulting", "Proseware Inc."];
    private static readonly string[] ProjectWords = ["Identity", "Records", "Grants", "Payments", "Case Management", "Data Lake", "Portal", "Benefits", "Licensing"];
    private static readonly string[] ProjectKinds = ["Modernization", "Migration", "Rollout", "Upgrade", "Consolidation"];
    private static readonly string[] MilestoneWords = ["Design review", "ATO package submitted", "Pilot go-live", "Data migration complete", "Security assessment", "User acceptance testing"];
    private static readonly string[] Words = ["alpha", "bravo", "delta", "echo", "harbor", "meadow", "signal", "vector", "summit", "river"];

    private readonly RecordSchema _schema;
    private readonly Random _random;

    /// <summary>Creates a generator for <paramref name="schema"/> (a record), seeded for repeatable output.</summary>
    public EventGenerator(AvroSchema schema, int seed)
    {
        _schema = schema as RecordSchema ?? throw new ArgumentException("An example product's schema must be a record.", nameof(schema));
        _random = new Random(seed);
    }

    /// <summary>The next record, with timestamps at <paramref name="now"/>.</summary>
    public AvroRecord Next(DateTimeOffset now)
    {
        var record = new AvroRecord(_schema);
        foreach (var field in _schema.Fields)
        {
            var hint = field.Properties.TryGetValue(HintProperty, out var h) ? h : (JsonElement?)null;
            record[field.Position] = Value(field.Schema, hint, now);
        }

        return record;
    }

    private object? Value(AvroSchema schema, JsonElement? hint, DateTimeOffset now)
    {
        if (schema is UnionSchema union)
        {
            var nonNull = union.Branches.Where(b => b.Type != AvroType.Null).ToList();
            return nonNull.Count == 0 || (union.Branches.Count > nonNull.Count && _random.NextDouble() < NullShare)
                ? null
                : new AvroUnion(union.Branches.ToList().IndexOf(nonNull[0]), Value(nonNull[0], hint, now));
        }

        if (hint is { ValueKind: JsonValueKind.String } kind)
        {
            return Named(kind.GetString()!, schema, now);
        }

        if (hint is { ValueKind: JsonValueKind.Object } spec)
        {
            if (spec.TryGetProperty("id", out var format))
            {
                var pool = spec.TryGetProperty("pool", out var p) ? p.GetInt32() : 100;
                return string.Format(CultureInfo.InvariantCulture, format.GetString()!, _random.Next(1, pool + 1));
            }

            if (spec.TryGetProperty("values", out var values))
            {
                var pick = values[_random.Next(values.GetArrayLength())];
                return pick.ValueKind == JsonValueKind.Number ? Number(schema, pick.GetDouble()) : pick.GetString();
            }

            if (spec.TryGetProperty("min", out var min) && spec.TryGetProperty("max", out var max))
            {
                return Number(schema, min.GetDouble() + (_random.NextDouble() * (max.GetDouble() - min.GetDouble())));
            }

            if (spec.TryGetProperty("daysFromNow", out var window))
            {
                return DateOnly.FromDateTime(now.UtcDateTime).AddDays(_random.Next(window[0].GetInt32(), window[1].GetInt32() + 1));
            }
        }

        return Default(schema, now);
    }

    private object? Named(string kind, AvroSchema schema, DateTimeOffset now)
    {
        var first = FirstNames[_random.Next(FirstNames.Length)];
        var last = LastNames[_random.Next(LastNames.Length)];
        return kind switch
        {
            "now" => Default(schema, now),
            "person" => $"{first} {last}",
            "email" => $"{Ascii(first)}.{Ascii(last)}@example.{(_random.Next(2) == 0 ? "eu" : "org")}",
            "phone" => $"+{_random.Next(30, 49)} {_random.Next(10, 99)} {_random.Next(100, 999)} {_random.Next(1000, 9999)}",
            "address" => $"{Streets[_random.Next(Streets.Length)]} {_random.Next(1, 300)}, {Cities[_random.Next(Cities.Length)]}",
            "company" => Companies[_random.Next(Companies.Length)],
            "project" => $"{ProjectWords[_random.Next(ProjectWords.Length)]} {ProjectKinds[_random.Next(ProjectKinds.Length)]}",
            "milestone" => MilestoneWords[_random.Next(MilestoneWords.Length)],
            _ => Default(schema, now),
        };
    }

    private static object Number(AvroSchema schema, double value) => schema switch
    {
        { LogicalType: { Kind: AvroLogicalKind.Decimal } d } => Math.Round((decimal)value, d.Scale),
        { Type: AvroType.Int } => (int)Math.Round(value),
        { Type: AvroType.Long } => (long)Math.Round(value),
        { Type: AvroType.Float } => (float)value,
        { Type: AvroType.Double } => value,
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };

    private object? Default(AvroSchema schema, DateTimeOffset now) => schema switch
    {
        EnumSchema e => new AvroEnum(e, e.Symbols[_random.Next(e.Symbols.Count)]),
        { LogicalType.Name: "timestamp-millis" or "timestamp-micros" or "local-timestamp-millis" or "local-timestamp-micros" } => now,
        { LogicalType.Name: "date" } => DateOnly.FromDateTime(now.UtcDateTime),
        { LogicalType.Name: "uuid" } => Guid.NewGuid(),
        { LogicalType: { Kind: AvroLogicalKind.Decimal } d } => Math.Round((decimal)(_random.NextDouble() * 1000), d.Scale),
        { Type: AvroType.Boolean } => _random.Next(2) == 1,
        { Type: AvroType.Int } => _random.Next(0, 1000),
        { Type: AvroType.Long } => (long)_random.Next(0, 100_000),
        { Type: AvroType.Float } => (float)_random.NextDouble(),
        { Type: AvroType.Double } => _random.NextDouble() * 1000,
        { Type: AvroType.String } => Words[_random.Next(Words.Length)],
        { Type: AvroType.Bytes } => new[] { (byte)_random.Next(256) },
        ArraySchema array => new List<object?> { Default(array.Items, now) },
        MapSchema map => new Dictionary<string, object?> { [Words[_random.Next(Words.Length)]] = Default(map.Values, now) },
        RecordSchema record => new EventGenerator(record, _random.Next()).Next(now),
        _ => null,
    };

    private static string Ascii(string name) =>
        new(name.Normalize(System.Text.NormalizationForm.FormD).Where(c => char.IsAsciiLetter(c)).Select(char.ToLowerInvariant).ToArray());
}
