using Shouldly;

namespace Meshwork.Registry.Tests;

/// <summary>The Avro and JSON Schema compatibility table, through the registry and its store, on every engine.</summary>
public abstract class CompatibilityTableSuite<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : RegistryFixture
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string> Cases => CompatibilityCases.Names;

    [Fact]
    public void Table_HasAtLeastEightyCases_CoveringEveryLevelAndOutcomeForBothTypes()
    {
        CompatibilityCases.All.Count.ShouldBeGreaterThanOrEqualTo(80);
        foreach (var type in new[] { "AVRO", "JSON" })
        {
            var cases = CompatibilityCases.All.Values.Where(c => c.SchemaType == type).ToList();
            cases.Select(c => c.Level).Distinct().Count().ShouldBe(Enum.GetValues<CompatibilityLevel>().Length, type);
            foreach (var level in Enum.GetValues<CompatibilityLevel>().Where(l => l != CompatibilityLevel.None))
            {
                cases.ShouldContain(c => c.Level == level && c.Compatible, $"{type} {level}");
                cases.ShouldContain(c => c.Level == level && !c.Compatible, $"{type} {level}");
            }

            cases.ShouldAllBe(c => c.Rule.Length > 0);
        }
    }

    [Fact]
    public void JsonRows_CoverOpenClosedAndPartiallyOpenContentModels()
    {
        var json = CompatibilityCases.All.Values.Where(c => c.SchemaType == "JSON").ToList();
        bool Has(Func<string, bool> model, bool compatible) => json.Any(c => c.Compatible == compatible && c.History.Append(c.New).Any(model));

        static bool IsClosed(string s) => s.Contains("\"additionalProperties\":false", StringComparison.Ordinal);
        static bool IsPartial(string s) => s.Contains("\"additionalProperties\":{", StringComparison.Ordinal) || s.Contains("\"patternProperties\"", StringComparison.Ordinal);
        static bool IsOpen(string s) => s.Contains("\"properties\"", StringComparison.Ordinal) && !IsClosed(s) && !IsPartial(s);
        foreach (var compatible in new[] { true, false })
        {
            Has(IsOpen, compatible).ShouldBeTrue($"an open content model row with compatible={compatible}");
            Has(IsClosed, compatible).ShouldBeTrue($"a closed content model row with compatible={compatible}");
            Has(IsPartial, compatible).ShouldBeTrue($"a partially open content model row with compatible={compatible}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Register_FollowsTheCompatibilityTable(string name)
    {
        var c = CompatibilityCases.All[name];
        var registry = fixture.Registry;
        var subject = $"table-{name}-{Guid.NewGuid():n}";
        await registry.SetCompatibilityAsync(subject, CompatibilityLevel.None, Cancel);
        foreach (var schema in c.History)
        {
            await registry.RegisterAsync(subject, new SchemaRequest(schema, c.SchemaType), cancellationToken: Cancel);
        }

        await registry.SetCompatibilityAsync(subject, c.Level, Cancel);

        var test = await registry.TestCompatibilityAsync(subject, null, new SchemaRequest(c.New, c.SchemaType), cancellationToken: Cancel);
        test.IsCompatible.ShouldBe(c.Compatible, $"{c.Rule}\n{string.Join("\n", test.Messages)}");
        if (c.Compatible)
        {
            var result = await registry.RegisterAsync(subject, new SchemaRequest(c.New, c.SchemaType), cancellationToken: Cancel);
            result.Version.ShouldBe(c.History.Length + 1);
        }
        else
        {
            test.Messages.ShouldNotBeEmpty();
            var e = await Should.ThrowAsync<SchemaRegistryException>(() => registry.RegisterAsync(subject, new SchemaRequest(c.New, c.SchemaType), cancellationToken: Cancel));
            e.ErrorCode.ShouldBe(409);
            e.HttpStatus.ShouldBe(409);
        }
    }
}

public sealed class SqliteCompatibilityTableTests(SqliteRegistryFixture fixture) : CompatibilityTableSuite<SqliteRegistryFixture>(fixture);

public sealed class PostgresCompatibilityTableTests(PostgresRegistryFixture fixture) : CompatibilityTableSuite<PostgresRegistryFixture>(fixture);
