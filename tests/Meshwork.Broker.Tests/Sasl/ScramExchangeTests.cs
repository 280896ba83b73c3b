using System.Security.Cryptography;
using System.Text;
using Meshwork.Broker.Sasl;
using Meshwork.Metadata;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Broker.Tests.Sasl;

/// <summary>The server side of SCRAM (RFC 5802) and PLAIN against credentials in a real SQLite store; the client side is computed here.</summary>
public sealed class ScramExchangeTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("scram");
    private IMetadataStore _store = null!;
    private ScramCredentialStore _credentials = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = MetadataStores.Open(null, _dir.Path);
        await _store.MigrateAsync(cancellationToken: Cancel);
        _credentials = new ScramCredentialStore(_store);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-512")]
    public async Task Scram_Authenticates_WithTheRightPassword_AndProvesTheServerKnowsIt(string mechanism)
    {
        await _credentials.SetAsync("alice", "pencil", ScramCredentialStore.Parse(mechanism)!.Value, cancellationToken: Cancel);

        var (step, serverSignatureValid) = await RunScramAsync(mechanism, "alice", "pencil");

        step.Principal.ShouldNotBeNull().Name.ShouldBe("alice");
        step.Error.ShouldBeNull();
        serverSignatureValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Scram_Accepts_LibrdkafkasFinalNonce_ThatRepeatsTheClientNonceBeforeTheServerNonce()
    {
        await _credentials.SetAsync("alice", "pencil", ScramMechanism.Sha512, cancellationToken: Cancel);

        var (step, serverSignatureValid) = await RunScramAsync("SCRAM-SHA-512", "alice", "pencil", (client, server) => client + server);

        step.Principal.ShouldNotBeNull().Name.ShouldBe("alice");
        serverSignatureValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Scram_Refuses_AFinalNonceThatDoesNotEndWithTheServerNonce()
    {
        await _credentials.SetAsync("alice", "pencil", ScramMechanism.Sha512, cancellationToken: Cancel);

        var (step, _) = await RunScramAsync("SCRAM-SHA-512", "alice", "pencil", (client, server) => server + client);

        step.Principal.ShouldBeNull();
        step.Error.ShouldNotBeNull().ShouldContain("nonce mismatch");
    }

    [Theory]
    [InlineData("alice", "wrong")]
    [InlineData("nobody", "pencil")]
    public async Task Scram_Fails_ForAWrongPasswordOrAnUnknownUser_AfterAWellFormedChallenge(string user, string password)
    {
        await _credentials.SetAsync("alice", "pencil", ScramMechanism.Sha512, cancellationToken: Cancel);

        var (step, _) = await RunScramAsync("SCRAM-SHA-512", user, password);

        step.Principal.ShouldBeNull();
        step.Error.ShouldNotBeNull().ShouldContain("invalid credentials");
    }

    [Fact]
    public async Task Plain_ChecksThePasswordAgainstTheScramCredential()
    {
        await _credentials.SetAsync("bob", "hunter2", ScramMechanism.Sha256, cancellationToken: Cancel);

        var good = await SaslExchange.Create("PLAIN", _credentials)!.StepAsync(Encoding.UTF8.GetBytes("\0bob\0hunter2"), Cancel);
        var bad = SaslExchange.Create("PLAIN", _credentials)!;
        var refused = await bad.StepAsync(Encoding.UTF8.GetBytes("\0bob\0hunter3"), Cancel);

        good.Principal.ShouldNotBeNull().Name.ShouldBe("bob");
        refused.Principal.ShouldBeNull();
        bad.ClaimedUser.ShouldBe("bob");
    }

    [Fact]
    public async Task Store_ListsAndDeletesCredentials_WithoutKeyMaterial()
    {
        await _credentials.SetAsync("carol", "pw", ScramMechanism.Sha256, cancellationToken: Cancel);
        await _credentials.SetAsync("carol", "pw", ScramMechanism.Sha512, iterations: 8192, cancellationToken: Cancel);

        var listed = await _credentials.ListAsync(Cancel);
        var deleted = await _credentials.DeleteAsync("carol", ScramMechanism.Sha256, Cancel);
        var deletedAgain = await _credentials.DeleteAsync("carol", ScramMechanism.Sha256, Cancel);

        listed.Select(c => (c.User, c.Mechanism, c.Iterations)).ShouldBe([("carol", "SCRAM-SHA-256", 4096), ("carol", "SCRAM-SHA-512", 8192)]);
        deleted.ShouldBeTrue();
        deletedAgain.ShouldBeFalse();
        (await _credentials.ListAsync(Cancel)).ShouldHaveSingleItem().Mechanism.ShouldBe("SCRAM-SHA-512");
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => _credentials.SetAsync("carol", "pw", ScramMechanism.Sha512, iterations: ScramCredentialStore.MaxIterations + 1, cancellationToken: Cancel));
    }

    /// <summary>Plays the client of RFC 5802 §3 against the server exchange; returns the last server step and whether its signature checks out.</summary>
    private async Task<(SaslStep Step, bool ServerSignatureValid)> RunScramAsync(string mechanism, string user, string password, Func<string, string, string>? finalNonce = null)
    {
        var scram = ScramCredentialStore.Parse(mechanism)!.Value;
        var exchange = SaslExchange.Create(mechanism, _credentials)!;
        var clientNonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        var clientFirstBare = $"n={user},r={clientNonce}";
        var first = await exchange.StepAsync(Encoding.UTF8.GetBytes("n,," + clientFirstBare), Cancel);
        first.IsComplete.ShouldBeFalse();
        var serverFirst = Encoding.UTF8.GetString(first.Response);
        var attributes = serverFirst.Split(',').ToDictionary(p => p[0], p => p[2..]);
        attributes['r'].ShouldStartWith(clientNonce);

        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(attributes['s']), int.Parse(attributes['i'], System.Globalization.CultureInfo.InvariantCulture),
            scram == ScramMechanism.Sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512, scram == ScramMechanism.Sha256 ? 32 : 64);
        var clientKey = Hmac(scram, salted, "Client Key");
        var storedKey = scram == ScramMechanism.Sha256 ? SHA256.HashData(clientKey) : SHA512.HashData(clientKey);
        var withoutProof = $"c=biws,r={(finalNonce ?? ((_, server) => server))(clientNonce, attributes['r'])}";
        var authMessage = $"{clientFirstBare},{serverFirst},{withoutProof}";
        var signature = Hmac(scram, storedKey, authMessage);
        var proof = clientKey.Select((b, i) => (byte)(b ^ signature[i])).ToArray();

        var final = await exchange.StepAsync(Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(proof)}"), Cancel);
        var expectedServerSignature = Convert.ToBase64String(Hmac(scram, Hmac(scram, salted, "Server Key"), authMessage));
        return (final, Encoding.UTF8.GetString(final.Response) == "v=" + expectedServerSignature);
    }

    private static byte[] Hmac(ScramMechanism mechanism, byte[] key, string data) =>
        mechanism == ScramMechanism.Sha256 ? HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data)) : HMACSHA512.HashData(key, Encoding.UTF8.GetBytes(data));
}
