using Shouldly;

namespace Meshwork.Registry.Tests;

/// <summary>The Avro compatibility table, through the registry and its store, on every engine.</summary>
public abstract class CompatibilityTableSuite<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : RegistryFixture
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string> Cases => CompatibilityCases.Names;

    [Fact]
    public void Table_HasAtLeastSixtyCases_CoveringEveryLevel()
    {
        CompatibilityCases.All.Count.ShouldBeGreaterThanOrEqualTo(60);
        CompatibilityCases.All.Values.Select(c => c.Level).Distinct().Count().ShouldBe(Enum.GetValues<CompatibilityLevel>().Length);
        CompatibilityCases.All.Values.ShouldContain(c => c.Compatible);
        CompatibilityCases.All.Values.ShouldContain(c => !c.Compatible);
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
            await registry.RegisterAsync(subject, new SchemaRequest(schema), cancellationToken: Cancel);
        }

        await registry.SetCompatibilityAsync(subject, c.Level, Cancel);

        var test = await registry.TestCompatibilityAsync(subject, null, new SchemaRequest(c.New), cancellationToken: Cancel);
        test.IsCompatible.ShouldBe(c.Compatible, $"{c.Rule}\n{string.Join("\n", test.Messages)}");
        if (c.Compatible)
        {
            var result = await registry.RegisterAsync(subject, new SchemaRequest(c.New), cancellationToken: Cancel);
            result.Version.ShouldBe(c.History.Length + 1);
        }
        else
        {
            test.Messages.ShouldNotBeEmpty();
            var e = await Should.ThrowAsync<SchemaRegistryException>(() => registry.RegisterAsync(subject, new SchemaRequest(c.New), cancellationToken: Cancel));
            e.ErrorCode.ShouldBe(409);
            e.HttpStatus.ShouldBe(409);
        }
    }
}

public sealed class SqliteCompatibilityTableTests(SqliteRegistryFixture fixture) : CompatibilityTableSuite<SqliteRegistryFixture>(fixture);

public sealed class PostgresCompatibilityTableTests(PostgresRegistryFixture fixture) : CompatibilityTableSuite<PostgresRegistryFixture>(fixture);
