using System.Text.Json;
using Shouldly;

namespace Meshwork.Cli.Tests;

public sealed class UserCommandsTests : CliMeshTest
{
    [Fact]
    public async Task Set_CreatesBothScramCredentialsFromThePasswordFile_AndListShowsThem()
    {
        await File.WriteAllTextAsync(TestDirectory.Combine("alice.pw"), "correct horse\n", Cancel);

        var (exit, output, error) = await Mesh("users", "set", "alice", "--password-file", "alice.pw");

        exit.ShouldBe(ExitCodes.Ok, error);
        output.ShouldContain("Set SCRAM-SHA-512 credential of user alice");
        (await Server.Broker.Credentials.VerifyPasswordAsync("alice", "correct horse", Cancel)).ShouldBeTrue();
        var (listExit, listed, _) = await Mesh("users", "list", "--output", "json");
        listExit.ShouldBe(ExitCodes.Ok);
        var user = JsonDocument.Parse(listed).RootElement.EnumerateArray().Single(u => u.GetProperty("user").GetString() == "alice");
        user.GetProperty("mechanisms").EnumerateArray().Select(m => m.GetProperty("mechanism").GetString()).ShouldBe(["SCRAM-SHA-256", "SCRAM-SHA-512"]);
    }

    [Fact]
    public async Task Set_ExitsWith2_WhenThePasswordFileIsMissingOrEmpty()
    {
        await File.WriteAllTextAsync(TestDirectory.Combine("empty.pw"), "", Cancel);

        var missing = await Mesh("users", "set", "bob", "--password-file", "nope.pw");
        var empty = await Mesh("users", "set", "bob", "--password-file", "empty.pw");

        missing.Exit.ShouldBe(ExitCodes.InvalidConfiguration);
        missing.Error.ShouldContain("nope.pw");
        empty.Exit.ShouldBe(ExitCodes.InvalidConfiguration);
        empty.Error.ShouldContain("is empty");
        (await Server.Broker.Credentials.ListAsync(Cancel)).ShouldNotContain(c => c.User == "bob");
    }

    [Fact]
    public async Task Delete_RemovesOneMechanism_ThenTheRest()
    {
        await File.WriteAllTextAsync(TestDirectory.Combine("carol.pw"), "pw", Cancel);
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
