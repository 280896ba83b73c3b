using System.Security.Cryptography;
using System.Text;
using Dapper;
using Meshwork.Metadata;

namespace Meshwork.Broker.Sasl;

/// <summary>The SCRAM hash functions Kafka offers.</summary>
public enum ScramMechanism
{
    /// <summary>SCRAM-SHA-256 (RFC 7677).</summary>
    Sha256,

    /// <summary>SCRAM-SHA-512.</summary>
    Sha512,
}

/// <summary>A stored SCRAM credential: never the password, only what RFC 5802 needs to verify a proof.</summary>
public sealed record ScramCredential(byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey);

/// <summary>What may be shown about a stored credential: who, which mechanism, how many iterations, since when.</summary>
public sealed record ScramCredentialInfo(string User, string Mechanism, int Iterations, DateTimeOffset CreatedAt);

/// <summary>
/// SCRAM credentials in the metadata store (table <c>broker_scram_credentials</c>), with the RFC 5802
/// key derivation in one place for the store, the SCRAM exchange and PLAIN verification.
/// </summary>
public sealed class ScramCredentialStore(IMetadataStore store, TimeProvider? time = null)
{
    /// <summary>Kafka's minimum iteration count for SCRAM credentials.</summary>
    public const int MinIterations = 4096;

    /// <summary>Kafka's maximum iteration count (<c>ScramMechanism.maxIterations</c>).</summary>
    public const int MaxIterations = 16384;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The mechanism's name on the wire.</summary>
    public static string NameOf(ScramMechanism mechanism) => mechanism == ScramMechanism.Sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";

    /// <summary>Parses a mechanism name; null when it is not SCRAM.</summary>
    public static ScramMechanism? Parse(string name) => name switch
    {
        "SCRAM-SHA-256" => ScramMechanism.Sha256,
        "SCRAM-SHA-512" => ScramMechanism.Sha512,
        _ => null,
    };

    /// <summary>Derives a credential from a password (salt random unless given).</summary>
    public static ScramCredential Derive(ScramMechanism mechanism, string password, int iterations = MinIterations, byte[]? salt = null)
    {
        salt ??= RandomNumberGenerator.GetBytes(32);
        var salted = SaltedPassword(mechanism, password, salt, iterations);
        var clientKey = Hmac(mechanism, salted, "Client Key"u8);
        return new ScramCredential(salt, iterations, Hash(mechanism, clientKey), Hmac(mechanism, salted, "Server Key"u8));
    }

    /// <summary>Creates or replaces the credential of <paramref name="user"/> for <paramref name="mechanism"/>.</summary>
    /// <exception cref="ArgumentException">An empty user or password, or iterations outside <see cref="MinIterations"/>..<see cref="MaxIterations"/>.</exception>
    public async Task SetAsync(string user, string password, ScramMechanism mechanism, int iterations = MinIterations, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        var credential = Derive(mechanism, password, iterations);
        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO broker_scram_credentials (principal, mechanism, salt, iterations, stored_key, server_key, created_at)
            VALUES (@user, @mechanism, @salt, @iterations, @storedKey, @serverKey, @now)
            ON CONFLICT (principal, mechanism) DO UPDATE SET salt = excluded.salt, iterations = excluded.iterations,
                stored_key = excluded.stored_key, server_key = excluded.server_key, created_at = excluded.created_at
            """,
            new
            {
                user,
                mechanism = NameOf(mechanism),
                salt = credential.Salt,
                iterations = credential.Iterations,
                storedKey = credential.StoredKey,
                serverKey = credential.ServerKey,
                now = MetadataStore.Timestamp(_time.GetUtcNow()),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The credential of <paramref name="user"/> for <paramref name="mechanism"/>, or null.</summary>
    public async Task<ScramCredential?> GetAsync(string user, ScramMechanism mechanism, CancellationToken cancellationToken = default)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<(byte[] Salt, long Iterations, byte[] StoredKey, byte[] ServerKey)?>(new CommandDefinition(
            "SELECT salt, iterations, stored_key, server_key FROM broker_scram_credentials WHERE principal = @user AND mechanism = @mechanism",
            new { user, mechanism = NameOf(mechanism) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is { } r ? new ScramCredential(r.Salt, (int)r.Iterations, r.StoredKey, r.ServerKey) : null;
    }

    /// <summary>Every stored credential, by user then mechanism; no key material.</summary>
    public async Task<IReadOnlyList<ScramCredentialInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Principal, string Mechanism, long Iterations, string CreatedAt)>(new CommandDefinition(
            "SELECT principal, mechanism, iterations, created_at FROM broker_scram_credentials ORDER BY principal, mechanism",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new ScramCredentialInfo(r.Principal, r.Mechanism, (int)r.Iterations,
            DateTimeOffset.Parse(r.CreatedAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal)))];
    }

    /// <summary>Removes the credential of <paramref name="user"/> for <paramref name="mechanism"/>; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string user, ScramMechanism mechanism, CancellationToken cancellationToken = default)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM broker_scram_credentials WHERE principal = @user AND mechanism = @mechanism",
            new { user, mechanism = NameOf(mechanism) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return deleted > 0;
    }

    /// <summary>Checks a clear-text password (SASL/PLAIN) against whichever SCRAM credential the user has.</summary>
    public async Task<bool> VerifyPasswordAsync(string user, string password, CancellationToken cancellationToken = default)
    {
        foreach (var mechanism in (ScramMechanism[])[ScramMechanism.Sha512, ScramMechanism.Sha256])
        {
            var credential = await GetAsync(user, mechanism, cancellationToken).ConfigureAwait(false);
            if (credential is not null)
            {
                var derived = Derive(mechanism, password, credential.Iterations, credential.Salt);
                return CryptographicOperations.FixedTimeEquals(derived.StoredKey, credential.StoredKey);
            }
        }

        return false;
    }

    internal static byte[] SaltedPassword(ScramMechanism mechanism, string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashName(mechanism), HashSize(mechanism));

    internal static byte[] Hmac(ScramMechanism mechanism, byte[] key, ReadOnlySpan<byte> data) =>
        mechanism == ScramMechanism.Sha256 ? HMACSHA256.HashData(key, data) : HMACSHA512.HashData(key, data);

    internal static byte[] Hash(ScramMechanism mechanism, byte[] data) =>
        mechanism == ScramMechanism.Sha256 ? SHA256.HashData(data) : SHA512.HashData(data);

    private static HashAlgorithmName HashName(ScramMechanism mechanism) =>
        mechanism == ScramMechanism.Sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512;

    private static int HashSize(ScramMechanism mechanism) => mechanism == ScramMechanism.Sha256 ? 32 : 64;
}
