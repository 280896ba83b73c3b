using System.Security.Cryptography;
using System.Text;
using Meshwork.Security;

namespace Meshwork.Broker.Sasl;

/// <summary>One step's outcome: the bytes to send back, and whether the exchange ended (and how).</summary>
/// <param name="Response">The server's message for the client.</param>
/// <param name="Principal">Set when authentication succeeded.</param>
/// <param name="Error">Set when it failed: what to tell the client and the log (never the password).</param>
public sealed record SaslStep(byte[] Response, Principal? Principal, string? Error)
{
    /// <summary>True when the exchange is over, successfully or not.</summary>
    public bool IsComplete => Principal is not null || Error is not null;

    internal static SaslStep Continue(byte[] response) => new(response, null, null);

    internal static SaslStep Success(string user, byte[]? response = null) => new(response ?? [], Security.Principal.User(user), null);

    internal static SaslStep Fail(string error) => new([], null, error);
}

/// <summary>A server-side SASL exchange for one connection.</summary>
public abstract class SaslExchange
{
    /// <summary>The mechanism name.</summary>
    public abstract string Mechanism { get; }

    /// <summary>The user name the client claimed, once known (for the audit line).</summary>
    public string? ClaimedUser { get; protected set; }

    /// <summary>Processes one client message.</summary>
    public abstract Task<SaslStep> StepAsync(ReadOnlyMemory<byte> clientMessage, CancellationToken cancellationToken);

    /// <summary>Creates the exchange for <paramref name="mechanism"/>, or null when it is not offered.</summary>
    public static SaslExchange? Create(string mechanism, ScramCredentialStore credentials) =>
        mechanism == "PLAIN" ? new PlainExchange(credentials)
        : ScramCredentialStore.Parse(mechanism) is { } scram ? new ScramExchange(scram, credentials)
        : null;
}

/// <summary>SASL/PLAIN (RFC 4616): <c>[authzid] NUL authcid NUL password</c>, verified against the user's SCRAM credential.</summary>
internal sealed class PlainExchange(ScramCredentialStore credentials) : SaslExchange
{
    public override string Mechanism => "PLAIN";

    public override async Task<SaslStep> StepAsync(ReadOnlyMemory<byte> clientMessage, CancellationToken cancellationToken)
    {
        var parts = Encoding.UTF8.GetString(clientMessage.Span).Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0)
        {
            return SaslStep.Fail("Invalid SASL/PLAIN message: expected [authzid] NUL user NUL password.");
        }

        ClaimedUser = parts[1];
        if (parts[0].Length > 0 && parts[0] != parts[1])
        {
            return SaslStep.Fail($"Authentication failed: user {parts[1]} may not act as {parts[0]}.");
        }

        return await credentials.VerifyPasswordAsync(parts[1], parts[2], cancellationToken).ConfigureAwait(false)
            ? SaslStep.Success(parts[1])
            : SaslStep.Fail($"Authentication failed: invalid credentials for user {parts[1]}.");
    }
}

/// <summary>SCRAM-SHA-256/512 (RFC 5802, RFC 7677) as Kafka implements it: no channel binding.</summary>
internal sealed class ScramExchange(ScramMechanism mechanism, ScramCredentialStore credentials) : SaslExchange
{
    private const int NonceBytes = 24;
    private ScramCredential? _credential;
    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _nonce;

    public override string Mechanism => ScramCredentialStore.NameOf(mechanism);

    public override async Task<SaslStep> StepAsync(ReadOnlyMemory<byte> clientMessage, CancellationToken cancellationToken)
    {
        var message = Encoding.UTF8.GetString(clientMessage.Span);
        return _serverFirst is null
            ? await FirstAsync(message, cancellationToken).ConfigureAwait(false)
            : Final(message);
    }

    private async Task<SaslStep> FirstAsync(string message, CancellationToken cancellationToken)
    {
        // gs2-header: "n,," or "n,a=authzid," — Kafka does not support channel binding ("p=").
        if (!message.StartsWith("n,", StringComparison.Ordinal))
        {
            return SaslStep.Fail("Invalid SCRAM client-first message: channel binding is not supported (expected 'n,').");
        }

        var headerEnd = message.IndexOf(',', 2);
        if (headerEnd < 0)
        {
            return SaslStep.Fail("Invalid SCRAM client-first message: missing gs2 header.");
        }

        _clientFirstBare = message[(headerEnd + 1)..];
        var attributes = ParseAttributes(_clientFirstBare);
        if (!attributes.TryGetValue('n', out var user) || !attributes.TryGetValue('r', out var clientNonce) || clientNonce.Length == 0)
        {
            return SaslStep.Fail("Invalid SCRAM client-first message: expected n=user,r=nonce.");
        }

        ClaimedUser = user.Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
        _credential = await credentials.GetAsync(ClaimedUser, mechanism, cancellationToken).ConfigureAwait(false);
        // An unknown user still gets a well-formed challenge, so the answer does not reveal which users exist.
        var salt = _credential?.Salt ?? RandomNumberGenerator.GetBytes(32);
        var iterations = _credential?.Iterations ?? ScramCredentialStore.MinIterations;
        _nonce = clientNonce + Convert.ToBase64String(RandomNumberGenerator.GetBytes(NonceBytes));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(salt)},i={iterations}";
        return SaslStep.Continue(Encoding.UTF8.GetBytes(_serverFirst));
    }

    private SaslStep Final(string message)
    {
        var proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            return SaslStep.Fail("Invalid SCRAM client-final message: missing proof.");
        }

        var withoutProof = message[..proofAt];
        var attributes = ParseAttributes(message);
        // librdkafka (up to at least 2.x) sends r=<client nonce><server nonce>, and the server nonce already starts
        // with the client nonce; Kafka's ScramSaslServer accepts any nonce that ends with the server's, and so must we.
        // Freshness is kept: the random server part is at the end either way.
        if (!attributes.TryGetValue('r', out var nonce) || !nonce.EndsWith(_nonce!, StringComparison.Ordinal))
        {
            return SaslStep.Fail("Invalid SCRAM client-final message: nonce mismatch.");
        }

        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(attributes['p']);
        }
        catch (FormatException)
        {
            return SaslStep.Fail("Invalid SCRAM client-final message: proof is not base64.");
        }

        if (_credential is null || proof.Length != _credential.StoredKey.Length)
        {
            return SaslStep.Fail($"Authentication failed during authentication due to invalid credentials with SASL mechanism {Mechanism}");
        }

        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        var clientSignature = ScramCredentialStore.Hmac(mechanism, _credential.StoredKey, authMessage);
        var clientKey = new byte[proof.Length];
        for (var i = 0; i < proof.Length; i++)
        {
            clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
        }

        if (!CryptographicOperations.FixedTimeEquals(ScramCredentialStore.Hash(mechanism, clientKey), _credential.StoredKey))
        {
            return SaslStep.Fail($"Authentication failed during authentication due to invalid credentials with SASL mechanism {Mechanism}");
        }

        var serverSignature = ScramCredentialStore.Hmac(mechanism, _credential.ServerKey, authMessage);
        return SaslStep.Success(ClaimedUser!, Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(serverSignature)));
    }

    private static Dictionary<char, string> ParseAttributes(string message)
    {
        var attributes = new Dictionary<char, string>();
        foreach (var part in message.Split(','))
        {
            if (part.Length >= 2 && part[1] == '=')
            {
                attributes[part[0]] = part[2..];
            }
        }

        return attributes;
    }
}
