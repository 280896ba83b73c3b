using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Cli.Tests;

public sealed class UpCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("meshwork-cli");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Up_ExitsWith2_AndWritesNothing_ForAnUnknownKeyInTheConfigFile()
    {
        File.WriteAllText(_dir.Combine("meshwork.yaml"), "http:\n  port: 8080\nbrokr:\n  port: 9092\n");

        var (exit, _, error) = await CliRunner.RunAsync(_dir.Path, null, "up");

        exit.ShouldBe(ExitCodes.InvalidConfiguration);
        error.ShouldContain("meshwork.yaml:3: brokr: unknown setting");
        Directory.Exists(_dir.Combine(".meshwork")).ShouldBeFalse();
    }

    [Fact]
    public async Task Up_ExitsWith2_ForMalformedYaml_NamingTheLine()
    {
        File.WriteAllText(_dir.Combine("meshwork.yaml"), "http:\n  port: 8080\n  host: \"unterminated\n");

        var (exit, _, error) = await CliRunner.RunAsync(_dir.Path, null, "up");

        exit.ShouldBe(ExitCodes.InvalidConfiguration);
        error.ShouldContain("meshwork.yaml:3");
        error.ShouldContain("malformed YAML");
        Directory.Exists(_dir.Combine(".meshwork")).ShouldBeFalse();
    }

    [Fact]
    public async Task Up_ExitsWith2_ForABadPortFlag()
    {
        var (exit, _, error) = await CliRunner.RunAsync(_dir.Path, null, "up", "--http-port", "99999");

        exit.ShouldBe(ExitCodes.InvalidConfiguration);
        error.ShouldContain("--http-port: http.port = '99999'");
        Directory.Exists(_dir.Combine(".meshwork")).ShouldBeFalse();
    }

    [Fact]
    public async Task Up_ExitsWith2_ForAnUnusableDataDirectory()
    {
        File.WriteAllText(_dir.Combine("occupied"), "");

        var (exit, _, error) = await CliRunner.RunAsync(_dir.Path, null, "up", "--data", "occupied/mesh");

        exit.ShouldBe(ExitCodes.InvalidConfiguration);
        error.ShouldContain("--data: data = 'occupied/mesh'");
    }

    [Fact]
    public async Task Up_ExitsWith2_ForAMalformedSetFlag()
    {
        var (exit, _, error) = await CliRunner.RunAsync(_dir.Path, null, "up", "--set", "http.port");

        exit.ShouldBe(ExitCodes.InvalidConfiguration);
        error.ShouldContain("expected key=value");
    }

    [Fact]
    public async Task Up_ExitsWith2_ForAnUnknownFlag()
    {
        var (exit, _, error) = await CliRunner.RunAsync(_dir.Path, null, "up", "--http-prot", "1");

        exit.ShouldBe(ExitCodes.InvalidConfiguration);
        error.ShouldContain("--http-prot");
    }

    [Fact]
    public async Task PrintConfig_ShowsTheEffectiveConfiguration_WithSecretsRedacted()
    {
        var env = new Dictionary<string, string> { ["MESHWORK_METADATA_CONNECTION_STRING"] = "postgres://mesh:hunter2@db:5432/mesh" };

        var (exit, output, _) = await CliRunner.RunAsync(_dir.Path, env, "up", "--print-config", "--http-port", "8181");

        exit.ShouldBe(ExitCodes.Ok);
        output.ShouldContain("port: 8181  # --http-port");
        output.ShouldContain("Password=***");
        output.ShouldNotContain("hunter2");
        Directory.Exists(_dir.Combine(".meshwork")).ShouldBeFalse();
    }
}
