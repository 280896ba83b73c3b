using Shouldly;

namespace Meshwork.Metadata.Tests;

public sealed class MetadataStoresTests
{
    [Fact]
    public async Task Open_ChoosesSqliteInTheDataDirectory_WithoutAConnectionString()
    {
        await using var store = MetadataStores.Open(null, "/var/lib/meshwork");

        store.Provider.ShouldBe(StoreProvider.Sqlite);
        store.DisplayName.ShouldBe("/var/lib/meshwork/metadata.db");
    }

    [Theory]
    [InlineData("Host=db.internal;Port=5433;Database=mesh;Username=mesh;Password=secret")]
    [InlineData("postgres://mesh:secret@db.internal:5433/mesh")]
    [InlineData("postgresql://mesh:s%40cret@db.internal:5433/mesh?sslmode=require")]
    public async Task Open_ChoosesPostgres_ForEitherConnectionStringForm(string connectionString)
    {
        await using var store = MetadataStores.Open(connectionString, "/tmp");

        store.Provider.ShouldBe(StoreProvider.Postgres);
        store.DisplayName.ShouldBe("postgresql://db.internal:5433/mesh");
        store.DisplayName.ShouldNotContain("secret");
    }

    [Theory]
    [InlineData("mysql://root@localhost/mesh")]
    [InlineData("just some words")]
    public void Open_Refuses_AnUnrecognisedConnectionString(string connectionString) =>
        Should.Throw<FormatException>(() => MetadataStores.Open(connectionString, "/tmp"));

    [Fact]
    public void Redact_HidesThePassword_AndKeepsTheRest()
    {
        var redacted = PostgresConnectionString.Redact("postgres://mesh:topsecret@db:5432/mesh");

        redacted.ShouldNotContain("topsecret");
        redacted.ShouldContain("Host=db");
    }

    [Fact]
    public void BuiltInMigrations_AreOrderedAndUnique()
    {
        var versions = Migrations.BuiltIn.Select(m => m.Version).ToList();

        versions.ShouldNotBeEmpty();
        versions.ShouldBe(versions.Order().Distinct());
    }
}
