using System.Text.Json;
using Meshwork.Testing.Mesh;
using Shouldly;

namespace Meshwork.Cli.Tests;

public sealed class SchemaCommandsTests : MeshServerTest
{
    private const string V1 = """{"type":"record","name":"Order","namespace":"sales","fields":[{"name":"id","type":"string"}]}""";
    private const string V2 = """{"type":"record","name":"Order","namespace":"sales","fields":[{"name":"id","type":"string"},{"name":"total","type":"double","default":0}]}""";
    private const string Breaking = """{"type":"record","name":"Order","namespace":"sales","fields":[{"name":"id","type":"long"}]}""";

    private string File(string name, string content)
    {
        var path = TestDirectory.Combine(name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private Task<(int Exit, string Output, string Error)> Mesh(params string[] args) =>
        CliRunner.RunAsync(TestDirectory.Path, null, [.. args, "--registry", Server.RegistryAddress.ToString()]);

    [Fact]
    public async Task Register_IsIdempotent_AndPrintsIdAndVersion()
    {
        var file = File("v1.avsc", V1);

        var first = await Mesh("schema", "register", "cli-orders-value", file, "--output", "json");
        var again = await Mesh("schema", "register", "cli-orders-value", file, "--output", "json");

        first.Exit.ShouldBe(ExitCodes.Ok);
        again.Output.ShouldBe(first.Output);
        JsonDocument.Parse(first.Output).RootElement.GetProperty("version").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task Check_Exits0_ForACompatibleChange_And1_ForABreakingOne_WithTheReason()
    {
        await Mesh("schema", "register", "cli-check-value", File("a.avsc", V1));

        var compatible = await Mesh("schema", "check", "cli-check-value", File("b.avsc", V2));
        var breaking = await Mesh("schema", "check", "cli-check-value", File("c.avsc", Breaking));

        compatible.Exit.ShouldBe(ExitCodes.Ok);
        compatible.Output.ShouldStartWith("compatible");
        breaking.Exit.ShouldBe(ExitCodes.Failure);
        breaking.Output.ShouldContain("NOT compatible");
        breaking.Output.ShouldContain("/id");
    }

    [Fact]
    public async Task RegisterAndCheck_TreatDotJsonFilesAsJsonSchema()
    {
        var closed = """{"type":"object","properties":{"id":{"type":"string"}},"additionalProperties":false}""";
        var withOptional = """{"type":"object","properties":{"id":{"type":"string"},"note":{"type":"string"}},"additionalProperties":false}""";
        var reopened = """{"type":"object","properties":{"id":{"type":"integer"}}}""";

        var registered = await Mesh("schema", "register", "cli-json-value", File("j1.json", closed), "--output", "json");
        var compatible = await Mesh("schema", "check", "cli-json-value", File("j2.json", withOptional));
        var breaking = await Mesh("schema", "check", "cli-json-value", File("j3.json", reopened));
        var shown = await Mesh("schema", "show", "cli-json-value");

        registered.Exit.ShouldBe(ExitCodes.Ok, registered.Error);
        compatible.Exit.ShouldBe(ExitCodes.Ok, compatible.Output + compatible.Error);
        breaking.Exit.ShouldBe(ExitCodes.Failure);
        breaking.Output.ShouldContain("TYPE_CHANGED");
        shown.Output.ShouldContain("type JSON");
    }

    [Fact]
    public async Task ListAndShow_ReportTheLatestVersion()
    {
        await Mesh("schema", "register", "cli-list-value", File("l1.avsc", V1));
        await Mesh("schema", "register", "cli-list-value", File("l2.avsc", V2));

        var list = await Mesh("schema", "list", "--prefix", "cli-list", "--output", "json");
        var show = await Mesh("schema", "show", "cli-list-value", "--version", "1");

        JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Single().GetProperty("latestVersion").GetInt32().ShouldBe(2);
        show.Output.ShouldContain("version 1");
        show.Output.ShouldContain("\"name\": \"id\"");
    }

    [Fact]
    public async Task Show_Exits1_ForAnUnknownSubject_WithTheRegistryErrorCode()
    {
        var (exit, _, error) = await Mesh("schema", "show", "no-such-value");

        exit.ShouldBe(ExitCodes.Failure);
        error.ShouldContain("40401");
    }

    [Fact]
    public async Task Register_Exits2_ForAFileThatCannotBeRead()
    {
        var (exit, _, error) = await Mesh("schema", "register", "x-value", TestDirectory.Combine("missing.avsc"));

        exit.ShouldBe(ExitCodes.InvalidConfiguration);
        error.ShouldContain("missing.avsc");
    }

    [Fact]
    public async Task Register_Exits1_ForAnInvalidSchema_NamingTheProblem()
    {
        var (exit, _, error) = await Mesh("schema", "register", "bad-value", File("bad.avsc", """{"type":"record","name":"X","fields":[{"name":"a","type":"strng"}]}"""));

        exit.ShouldBe(ExitCodes.Failure);
        error.ShouldContain("42201");
        error.ShouldContain("strng");
    }
}
