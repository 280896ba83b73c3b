using Meshwork.Formats.Avro;
using Meshwork.Registry.Formats;
using Shouldly;

namespace Meshwork.Registry.Tests;

/// <summary>Registry semantics over the store, on every engine.</summary>
public abstract class SchemaRegistrySuite<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : RegistryFixture
{
    private const string UserSchema = """{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"name","type":"string"}]}""";
    private const string UserV2Schema = """{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]}""";
    private const string Address = """{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"city","type":"string"}]}""";

    private const string User = UserSchema;
    private const string UserV2 = UserV2Schema;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private SchemaRegistry Registry => fixture.Registry;

    private static string NewSubject(string hint) => $"{hint}-{Guid.NewGuid():n}";

    private static string Unique(string name) =>
        $$"""{"type":"record","name":"{{name}}","namespace":"com.acme.n{{Guid.NewGuid():n}}","fields":[{"name":"name","type":"string"}]}""";

    [Fact]
    public async Task Register_StoresTheCompactFullForm()
    {
        var subject = NewSubject("stored");
        var result = await Registry.RegisterAsync(subject, new SchemaRequest("""{ "type" : "string" }"""), cancellationToken: Cancel);

        var version = await Registry.GetVersionAsync(subject, VersionSpec.Latest, cancellationToken: Cancel);
        version.Schema.Schema.ShouldBe("\"string\"");
        version.Schema.Id.ShouldBe(result.Id);
        version.Version.ShouldBe(1);
    }

    [Fact]
    public async Task Register_IsIdempotent_AndReusesTheIdUnderAnotherSubject()
    {
        var schema = Unique("Idem");
        var first = await Registry.RegisterAsync(NewSubject("idem"), new SchemaRequest(schema), cancellationToken: Cancel);
        var subject = NewSubject("idem");
        var a = await Registry.RegisterAsync(subject, new SchemaRequest(schema), cancellationToken: Cancel);
        var again = await Registry.RegisterAsync(subject, new SchemaRequest(schema.Replace(",", " , ", StringComparison.Ordinal)), cancellationToken: Cancel);

        a.Id.ShouldBe(first.Id);
        a.Version.ShouldBe(1);
        again.ShouldBe(a with { Created = false });
    }

    [Fact]
    public async Task Ids_AreStable_AcrossARestart()
    {
        var subject = NewSubject("restart");
        var schema = Unique("Restart");
        var registered = await Registry.RegisterAsync(subject, new SchemaRequest(schema), cancellationToken: Cancel);

        var (store, reopened) = await fixture.OpenAnotherAsync();
        await using (store)
        {
            (await reopened.GetSchemaByIdAsync(registered.Id, cancellationToken: Cancel)).Schema.ShouldBe(AvroSchema.Parse(schema).ToJson());
            (await reopened.RegisterAsync(NewSubject("restart"), new SchemaRequest(schema), cancellationToken: Cancel)).Id.ShouldBe(registered.Id);
            reopened.TryGetSchemaById(registered.Id).ShouldNotBeNull();
            reopened.IsRegisteredUnderSubject(registered.Id, subject).ShouldBeTrue();
        }
    }

    [Fact]
    public async Task Register_GivesDistinctVersions_WhenManyRegisterAtOnce()
    {
        var subject = NewSubject("race");
        await Registry.SetCompatibilityAsync(subject, CompatibilityLevel.None, Cancel);
        var (store, other) = await fixture.OpenAnotherAsync();
        await using (store)
        {
            var schemas = Enumerable.Range(0, 8).Select(i => Unique($"Race{i}")).ToList();
            var results = await Task.WhenAll(schemas.Select((s, i) => (i % 2 == 0 ? Registry : other).RegisterAsync(subject, new SchemaRequest(s), cancellationToken: Cancel)));

            results.Select(r => r.Version).Order().ShouldBe(Enumerable.Range(1, 8));
            results.Select(r => r.Id).Distinct().Count().ShouldBe(8);

            var same = Unique("Same");
            var twins = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => (i % 2 == 0 ? Registry : other).RegisterAsync(subject, new SchemaRequest(same), cancellationToken: Cancel)));
            twins.Select(r => (r.Id, r.Version)).Distinct().Count().ShouldBe(1);
            (await Registry.GetVersionsAsync(subject, cancellationToken: Cancel)).Count.ShouldBe(9);
        }
    }

    [Fact]
    public async Task Register_RejectsInvalidSchemas_With42201()
    {
        var e = await Should.ThrowAsync<SchemaRegistryException>(() => Registry.RegisterAsync(NewSubject("bad"),
            new SchemaRequest("""{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}"""), cancellationToken: Cancel));
        e.ErrorCode.ShouldBe(42201);
        e.Message.ShouldContain("nope");

        var json = await Should.ThrowAsync<SchemaRegistryException>(() => Registry.RegisterAsync(NewSubject("bad"), new SchemaRequest("""{"type":"object","properties":{"n":{"type":"integr"}}}""", "JSON"), cancellationToken: Cancel));
        json.ErrorCode.ShouldBe(42201);
        json.Message.ShouldContain("#/properties/n");
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.RegisterAsync(NewSubject("bad"), new SchemaRequest("syntax = \"proto3\";", "PROTOBUF"), cancellationToken: Cancel)))
            .ErrorCode.ShouldBe(42201);
    }

    [Fact]
    public async Task References_ResolveByName_AndBlockDeletingTheTarget()
    {
        var addressSubject = NewSubject("address");
        var userSubject = NewSubject("user");
        var address = await Registry.RegisterAsync(addressSubject, new SchemaRequest(Address), cancellationToken: Cancel);
        var withRef = """{"type":"record","name":"Customer","namespace":"com.acme","fields":[{"name":"home","type":"com.acme.Address"},{"name":"work","type":"Address"}]}""";
        var reference = new SchemaReference("com.acme.Address", addressSubject, 1);

        var user = await Registry.RegisterAsync(userSubject, new SchemaRequest(withRef, References: [reference]), cancellationToken: Cancel);

        var stored = await Registry.GetSchemaByIdAsync(user.Id, cancellationToken: Cancel);
        stored.References.ShouldBe([reference]);
        stored.Schema.ShouldNotContain("city", customMessage: "referenced types stay references in the stored form");
        (await Registry.GetReferencedByAsync(addressSubject, VersionSpec.Of(1), Cancel)).ShouldBe([user.Id]);
        var parsed = Registry.TryGetSchemaById(user.Id).ShouldNotBeNull();
        AvroSchemaFormat.AvroSchemaOf(parsed).ShouldBeOfType<RecordSchema>().Fields[0].Schema.ShouldBeOfType<RecordSchema>().FullName.ShouldBe("com.acme.Address");

        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.DeleteVersionAsync(addressSubject, VersionSpec.Of(1), cancellationToken: Cancel))).ErrorCode.ShouldBe(42206);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.DeleteSubjectAsync(addressSubject, cancellationToken: Cancel))).ErrorCode.ShouldBe(42206);

        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.RegisterAsync(NewSubject("user"),
            new SchemaRequest(withRef, References: [reference with { Version = 7 }]), cancellationToken: Cancel))).ErrorCode.ShouldBe(42201);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.RegisterAsync(NewSubject("user"),
            new SchemaRequest(withRef), cancellationToken: Cancel))).ErrorCode.ShouldBe(42201);

        await Registry.DeleteSubjectAsync(userSubject, cancellationToken: Cancel);
        (await Registry.DeleteVersionAsync(addressSubject, VersionSpec.Of(1), cancellationToken: Cancel)).ShouldBe(1);
        address.Version.ShouldBe(1);
    }

    [Fact]
    public async Task Delete_FollowsSoftThenHard()
    {
        var subject = NewSubject("delete");
        var ns = $"n{Guid.NewGuid():n}";
        var user = UserSchema.Replace("com.acme", ns, StringComparison.Ordinal);
        var userV2 = UserV2Schema.Replace("com.acme", ns, StringComparison.Ordinal);
        await Registry.RegisterAsync(subject, new SchemaRequest(user), cancellationToken: Cancel);
        var v2 = await Registry.RegisterAsync(subject, new SchemaRequest(userV2), cancellationToken: Cancel);

        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.DeleteVersionAsync(subject, VersionSpec.Of(2), permanent: true, Cancel))).ErrorCode.ShouldBe(40407);
        (await Registry.DeleteVersionAsync(subject, VersionSpec.Of(2), cancellationToken: Cancel)).ShouldBe(2);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.DeleteVersionAsync(subject, VersionSpec.Of(2), cancellationToken: Cancel))).ErrorCode.ShouldBe(40406);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.GetVersionAsync(subject, VersionSpec.Of(2), cancellationToken: Cancel))).ErrorCode.ShouldBe(40402);
        (await Registry.GetVersionAsync(subject, VersionSpec.Of(2), includeDeleted: true, Cancel)).Deleted.ShouldBeTrue();
        (await Registry.GetSchemaByIdAsync(v2.Id, cancellationToken: Cancel)).Id.ShouldBe(v2.Id, "a soft-deleted version's id stays readable");
        Registry.IsRegisteredUnderSubject(v2.Id, subject).ShouldBeFalse();

        // Versions count deleted ones: the next is 3, and re-registering the deleted schema makes a new version.
        (await Registry.RegisterAsync(subject, new SchemaRequest(userV2), cancellationToken: Cancel)).Version.ShouldBe(3);

        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.DeleteSubjectAsync(subject, permanent: true, Cancel))).ErrorCode.ShouldBe(40405);
        (await Registry.DeleteSubjectAsync(subject, cancellationToken: Cancel)).ShouldBe([1, 3]);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.DeleteSubjectAsync(subject, cancellationToken: Cancel))).ErrorCode.ShouldBe(40404);
        (await Registry.GetSubjectsAsync(subject, DeletedFilter.DeletedOnly, Cancel)).ShouldBe([subject]);
        (await Registry.GetSubjectsAsync(subject, DeletedFilter.LiveOnly, Cancel)).ShouldBeEmpty();
        (await Registry.DeleteSubjectAsync(subject, permanent: true, Cancel)).ShouldBe([1, 2, 3]);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.DeleteSubjectAsync(subject, cancellationToken: Cancel))).ErrorCode.ShouldBe(40401);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.GetSchemaByIdAsync(v2.Id, cancellationToken: Cancel))).ErrorCode.ShouldBe(40403);
    }

    [Fact]
    public async Task SchemaById_HiddenByAnotherReplicasHardDelete_WithinTheCacheTime()
    {
        var time = new Meshwork.Testing.ManualTimeProvider(DateTimeOffset.UtcNow);
        var here = new SchemaRegistry(fixture.Store, time: time);
        var subject = NewSubject("replica-delete");
        var id = (await here.RegisterAsync(subject, new SchemaRequest(Unique("Replica")), cancellationToken: Cancel)).Id;
        (await here.GetSchemaByIdAsync(id, cancellationToken: Cancel)).Id.ShouldBe(id);

        var (store, there) = await fixture.OpenAnotherAsync();
        await using (store)
        {
            await there.DeleteSubjectAsync(subject, cancellationToken: Cancel);
            await there.DeleteSubjectAsync(subject, permanent: true, Cancel);
        }

        // Served from this instance's memory until the entry expires, then read again: gone.
        (await here.GetSchemaByIdAsync(id, cancellationToken: Cancel)).Id.ShouldBe(id);
        time.Advance(TimeSpan.FromSeconds(6));
        (await Should.ThrowAsync<SchemaRegistryException>(() => here.GetSchemaByIdAsync(id, cancellationToken: Cancel))).ErrorCode.ShouldBe(40403);
    }

    [Fact]
    public async Task Compatibility_IgnoresDeletedVersions()
    {
        var subject = NewSubject("deleted-compat");
        await Registry.SetCompatibilityAsync(subject, CompatibilityLevel.None, Cancel);
        await Registry.RegisterAsync(subject, new SchemaRequest(User), cancellationToken: Cancel);
        await Registry.RegisterAsync(subject, new SchemaRequest("""{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"name","type":"int"}]}"""), cancellationToken: Cancel);
        await Registry.SetCompatibilityAsync(subject, CompatibilityLevel.BackwardTransitive, Cancel);
        (await Registry.TestCompatibilityAsync(subject, null, new SchemaRequest(UserV2), cancellationToken: Cancel)).IsCompatible.ShouldBeFalse();

        await Registry.DeleteVersionAsync(subject, VersionSpec.Of(2), cancellationToken: Cancel);

        (await Registry.TestCompatibilityAsync(subject, null, new SchemaRequest(UserV2), cancellationToken: Cancel)).IsCompatible.ShouldBeTrue();
        (await Registry.RegisterAsync(subject, new SchemaRequest(UserV2), cancellationToken: Cancel)).Version.ShouldBe(3);
    }

    [Fact]
    public async Task Modes_ReadOnlyRefusesWrites_AndImportHonoursIds()
    {
        var subject = NewSubject("mode");
        await Registry.RegisterAsync(subject, new SchemaRequest(User), cancellationToken: Cancel);
        await Registry.SetModeAsync(subject, RegistryMode.ReadOnly, cancellationToken: Cancel);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.RegisterAsync(subject, new SchemaRequest(UserV2), cancellationToken: Cancel))).ErrorCode.ShouldBe(42205);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.DeleteSubjectAsync(subject, cancellationToken: Cancel))).ErrorCode.ShouldBe(42205);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.SetCompatibilityAsync(subject, CompatibilityLevel.Full, Cancel))).ErrorCode.ShouldBe(42205);
        (await Registry.DeleteModeAsync(subject, Cancel)).ShouldBe(RegistryMode.ReadOnly);

        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.SetModeAsync(subject, RegistryMode.Import, cancellationToken: Cancel))).ErrorCode.ShouldBe(42205);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.RegisterAsync(subject, new SchemaRequest(UserV2, Id: 5000), cancellationToken: Cancel))).ErrorCode.ShouldBe(42205);

        var imported = NewSubject("import");
        await Registry.SetModeAsync(imported, RegistryMode.Import, cancellationToken: Cancel);
        await Registry.SetCompatibilityAsync(imported, CompatibilityLevel.None, Cancel);
        var id = 1_000_000 + Random.Shared.Next(1_000_000);
        var schema = Unique("Imported");
        (await Registry.RegisterAsync(imported, new SchemaRequest(schema, Id: id, Version: 7), cancellationToken: Cancel)).ShouldBe(new RegisterResult(id, 7, true));
        (await Registry.GetSchemaByIdAsync(id, cancellationToken: Cancel)).Schema.ShouldBe(AvroSchema.Parse(schema).ToJson());
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.RegisterAsync(imported, new SchemaRequest(Unique("Other"), Id: id, Version: 8), cancellationToken: Cancel))).ErrorCode.ShouldBe(42207);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.RegisterAsync(imported, new SchemaRequest(Unique("Other")), cancellationToken: Cancel))).ErrorCode.ShouldBe(42205);
        await Registry.SetModeAsync(imported, RegistryMode.ReadWrite, cancellationToken: Cancel);
        (await Registry.RegisterAsync(imported, new SchemaRequest(Unique("Next")), cancellationToken: Cancel)).Version.ShouldBe(8);
    }

    [Fact]
    public async Task Config_SubjectLevelIsAbsentUntilSet()
    {
        var subject = NewSubject("config");
        (await Registry.GetSubjectCompatibilityAsync(subject, Cancel)).ShouldBeNull();
        await Registry.SetCompatibilityAsync(subject, CompatibilityLevel.FullTransitive, Cancel);
        (await Registry.GetSubjectCompatibilityAsync(subject, Cancel)).ShouldBe(CompatibilityLevel.FullTransitive);
        (await Registry.DeleteCompatibilityAsync(subject, Cancel)).ShouldBe(CompatibilityLevel.FullTransitive);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.DeleteCompatibilityAsync(subject, Cancel))).ErrorCode.ShouldBe(40401);
    }

    [Fact]
    public async Task HotPath_ServesParsedSchemasAndValidatesPayloads()
    {
        var subject = NewSubject("hot");
        var id = (await Registry.RegisterAsync(subject, new SchemaRequest(User), cancellationToken: Cancel)).Id;

        var parsed = Registry.TryGetSchemaById(id).ShouldNotBeNull();
        Registry.TryGetSchemaById(id).ShouldBeSameAs(parsed);
        Registry.TryGetSchemaById(int.MaxValue).ShouldBeNull();
        Registry.IsRegisteredUnderSubject(id, subject).ShouldBeTrue();
        Registry.IsRegisteredUnderSubject(id, subject + "-other").ShouldBeFalse();
        var format = Registry.Formats.Get(parsed.SchemaType);
        format.ValidatePayload(parsed, [0x06, (byte)'b', (byte)'o', (byte)'b'], out _).ShouldBeTrue();
        format.ValidatePayload(parsed, [0x06, (byte)'b'], out var error).ShouldBeFalse();
        error.ShouldNotBeNullOrEmpty();
        Registry.TryValidatePayload(id, [0x06, (byte)'b', (byte)'o', (byte)'b'], out _).ShouldBeTrue();
        Registry.TryValidatePayload(id, [0x07], out error).ShouldBeFalse();
        error.ShouldNotBeNullOrEmpty();
        Registry.TryValidatePayload(int.MaxValue - 1, [], out error).ShouldBeFalse();
        error!.ShouldContain("not registered");
    }

    [Fact]
    public async Task Lookup_FindsTheVersion_OrSays40403()
    {
        var subject = NewSubject("lookup");
        var registered = await Registry.RegisterAsync(subject, new SchemaRequest(User), cancellationToken: Cancel);
        var found = await Registry.LookupAsync(subject, new SchemaRequest(User.Replace("\"name\":\"User\",\"namespace\":\"com.acme\"", "\"name\":\"com.acme.User\"", StringComparison.Ordinal)), cancellationToken: Cancel);
        found.Version.ShouldBe(registered.Version);
        found.Schema.Id.ShouldBe(registered.Id);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.LookupAsync(subject, new SchemaRequest(UserV2), cancellationToken: Cancel))).ErrorCode.ShouldBe(40403);
        (await Should.ThrowAsync<SchemaRegistryException>(() => Registry.LookupAsync(subject + "-none", new SchemaRequest(User), cancellationToken: Cancel))).ErrorCode.ShouldBe(40401);

        var normalized = """{"namespace":"com.acme","fields":[{"type":"string","name":"name"}],"name":"User","type":"record","doc":"d"}""";
        var n = await Registry.RegisterAsync(subject, new SchemaRequest(normalized), normalize: true, cancellationToken: Cancel);
        (await Registry.LookupAsync(subject, new SchemaRequest("""{"type":"record","doc":"d","name":"User","namespace":"com.acme","fields":[{"name":"name","type":"string"}]}"""), normalize: true, cancellationToken: Cancel))
            .Version.ShouldBe(n.Version);
    }
}

public sealed class SqliteSchemaRegistryTests(SqliteRegistryFixture fixture) : SchemaRegistrySuite<SqliteRegistryFixture>(fixture);

public sealed class PostgresSchemaRegistryTests(PostgresRegistryFixture fixture) : SchemaRegistrySuite<PostgresRegistryFixture>(fixture);
