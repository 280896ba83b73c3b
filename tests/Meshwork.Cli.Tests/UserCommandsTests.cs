using System.Text.Json;
using Meshwork.Server;
using Meshwork.Server.Configuration;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Cli.Tests;

public sealed class UserCommandsTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("meshwork-cli-users");
    private MeshServer _server = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _server = await MeshServer.StartAsync(MeshOptions.ForTests(_dir.Combine("data")), cancellationToken: Cancel);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private Task<(int Exit, string Output, string Error)> Mesh(params string[] args) =>
        CliRunner.RunAsync(_dir.Path, null, [.. args, "--server", _server.HttpAddress.ToString()]);

    [Fact]
    public async Task Set_CreatesBothScramCredentialsFromThePasswordFile_AndListShowsThem()
    {
        await File.WriteAllTextAsync(_dir.Combine("alice.pw"), "correct horse\n", Cancel);

        var (exit, output, error) = await Mesh("users", "set", "alice", "--password-file", "alice.pw");

        exit.ShouldBe(ExitCodes.Ok, error);
        output.ShouldContain("Set SCRAM-SHA-512 credential of user alice");
        (await _server.Broker.Credentials.VerifyPasswordAsync("alice", "correct horse", Cancel)).ShouldBeTrue();
        var (listExit, listed, _) = await Mesh("users", "list", "--output", "json");
        listExit.ShouldBe(ExitCodes.Ok);
        var user = JsonDocument.Parse(listed).RootElement.EnumerateArray().Single(u => u.GetProperty("user").GetString() == "alice");
        user.GetProperty("mechanisms").EnumerateArray().Select(m => m.GetProperty("mechanism").GetString()).ShouldBe(["SCRAM-SHA-256", "SCRAM-SHA-512"]);
    }

    [Fact]
    public async Task Set_ExitsWith2_WhenThePasswordFileIsMissingOrEmpty()
    {
        await File.WriteAllTextAsync(_dir.Combine("empty.pw"), "", Cancel);

        var missing = await Mesh("users", "set", "bob", "--password-file", "nope.pw");
        var empty = await Mesh("users", "set", "bob", "--password-file", "empty.pw");

        missing.Exit.ShouldBe(ExitCodes.InvalidConfiguration);
        missing.Error.ShouldContain("nope.pw");
        empty.Exit.ShouldBe(ExitCodes.InvalidConfiguration);
        empty.Error.ShouldContain("is empty");
        (await _server.Broker.Credentials.ListAsync(Cancel)).ShouldNotContain(c => c.User == "bob");
    }

    [Fact]
    public async Task Delete_RemovesOneMechanism_ThenTheRest()
    {
        await File.WriteAllTextAsync(_dir.Combine("carol.pw"), "pw", Cancel);
        (await Mesh("users", "set", "carol", "--password-file", "carol.pw")).Exit.ShouldBe(ExitCodes.Ok);

        var one = await Mesh("users", "delete", "carol", "--mechanism", "scram-sha-256");
        var rest = await Mesh("users", "delete", "carol");
        var again = await Mesh("users", "delete", "carol");

        one.Exit.ShouldBe(ExitCodes.Ok, one.Error);
        one.Output.ShouldBe($"Deleted SCRAM-SHA-256 credential of user carol.{Environment.NewLine}");
        rest.Output.ShouldBe($"Deleted SCRAM-SHA-512 credential of user carol.{Environment.NewLine}");
        again.Exit.ShouldBe(ExitCodes.Failure);
        again.Error.ShouldContain("has no credentials");
    }
}
