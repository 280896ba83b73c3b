using System.Net;
using System.Net.Http.Json;
using Meshwork.Broker.Sasl;
using Meshwork.Server.Http;
using Meshwork.Testing.Mesh;
using Shouldly;

namespace Meshwork.Server.Tests;

public sealed class BrokerUsersApiTests : MeshServerTest
{
    [Fact]
    public async Task Put_StoresACredentialThatVerifiesThePassword_AndListShowsItWithoutSecrets()
    {
        using var put = await Http.PutAsJsonAsync("/api/v1/broker/users/alice/SCRAM-SHA-512", new SetPasswordRequest("s3cret", 8192), Cancel);

        put.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Server.Broker.Credentials.VerifyPasswordAsync("alice", "s3cret", Cancel)).ShouldBeTrue();
        (await Server.Broker.Credentials.VerifyPasswordAsync("alice", "wrong", Cancel)).ShouldBeFalse();
        (await Server.Broker.Credentials.GetAsync("alice", ScramMechanism.Sha512, Cancel))!.Iterations.ShouldBe(8192);
        var listed = await Http.GetStringAsync(new Uri("/api/v1/broker/users", UriKind.Relative), Cancel);
        listed.ShouldContain("\"user\":\"alice\"");
        listed.ShouldContain("SCRAM-SHA-512");
        listed.ShouldNotContain("s3cret");
    }

    [Theory]
    [InlineData("SCRAM-SHA-1", "{\"password\":\"p\"}")]
    [InlineData("SCRAM-SHA-256", "{\"password\":\"\"}")]
    [InlineData("SCRAM-SHA-256", "{\"password\":\"p\",\"iterations\":100}")]
    public async Task Put_Rejects_AnUnknownMechanismAnEmptyPasswordOrTooFewIterations(string mechanism, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        using var put = await Http.PutAsync(new Uri($"/api/v1/broker/users/bob/{mechanism}", UriKind.Relative), content, Cancel);

        put.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Server.Broker.Credentials.ListAsync(Cancel)).ShouldNotContain(c => c.User == "bob");
    }

    [Fact]
    public async Task Delete_RemovesTheCredential_And404sTheSecondTime()
    {
        await Server.Broker.Credentials.SetAsync("carol", "pw", ScramMechanism.Sha256, cancellationToken: Cancel);

        using var first = await Http.DeleteAsync(new Uri("/api/v1/broker/users/carol/SCRAM-SHA-256", UriKind.Relative), Cancel);
        using var second = await Http.DeleteAsync(new Uri("/api/v1/broker/users/carol/SCRAM-SHA-256", UriKind.Relative), Cancel);

        first.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        second.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Server.Broker.Credentials.VerifyPasswordAsync("carol", "pw", Cancel)).ShouldBeFalse();
    }
}
