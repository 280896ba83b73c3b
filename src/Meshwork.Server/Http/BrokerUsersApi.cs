using Meshwork.Broker;
using Meshwork.Broker.Sasl;
using Meshwork.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Meshwork.Server.Http;

/// <summary>
/// SASL users of the Kafka listener: SCRAM credentials (also used to verify PLAIN) in the metadata store. What Kafka
/// does with <c>kafka-configs --alter --add-config SCRAM-SHA-512=[password=...]</c>; passwords are never stored or
/// echoed, only the salted keys RFC 5802 needs.
/// </summary>
public static partial class BrokerUsersApi
{
    private const string Cluster = "kafka-cluster";
    private const int MaxUserLength = 256;

    /// <summary>Maps <c>/api/v1/broker/users</c>.</summary>
    public static IEndpointRouteBuilder MapBrokerUsersApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/broker/users", async (HttpContext http, KafkaBroker broker, ApiAccess access, CancellationToken cancellationToken) =>
        {
            if (access.Deny(http, Operation.Describe, ResourceType.Cluster, Cluster) is { } denied)
            {
                return denied;
            }

            var credentials = await broker.Credentials.ListAsync(cancellationToken).ConfigureAwait(false);
            return Results.Json(credentials
                .GroupBy(c => c.User, StringComparer.Ordinal)
                .Select(g => new BrokerUser(g.Key, [.. g.Select(c => new BrokerUserMechanism(c.Mechanism, c.Iterations, c.CreatedAt))]))
                .ToList());
        });

        routes.MapPut("/api/v1/broker/users/{user}/{mechanism}", async (string user, string mechanism, SetPasswordRequest? body, HttpContext http, KafkaBroker broker,
            ApiAccess access, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        {
            if (access.Deny(http, Operation.Alter, ResourceType.Cluster, Cluster) is { } denied)
            {
                return denied;
            }

            var iterations = body?.Iterations ?? ScramCredentialStore.MinIterations;
            var mechanismProblem = CheckMechanism(mechanism, out var scram);
            var problem = CheckUser(user) ?? mechanismProblem
                ?? (string.IsNullOrEmpty(body?.Password) ? "The body must be JSON with a non-empty \"password\" (and optionally \"iterations\")." : null)
                ?? (iterations is < ScramCredentialStore.MinIterations or > ScramCredentialStore.MaxIterations
                    ? $"iterations must be from {ScramCredentialStore.MinIterations} to {ScramCredentialStore.MaxIterations}, not {iterations}."
                    : null);
            if (problem is not null)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid credential", detail: problem);
            }

            await broker.Credentials.SetAsync(user, body!.Password!, scram, iterations, cancellationToken).ConfigureAwait(false);
            LogCredentialSet(loggers.CreateLogger(typeof(BrokerUsersApi)), user, mechanism, ApiAccess.PrincipalOf(http).ToString());
            return Results.Json(new BrokerUserMechanism(mechanism, iterations, broker.Time.GetUtcNow()));
        });

        routes.MapDelete("/api/v1/broker/users/{user}/{mechanism}", async (string user, string mechanism, HttpContext http, KafkaBroker broker,
            ApiAccess access, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        {
            if (access.Deny(http, Operation.Alter, ResourceType.Cluster, Cluster) is { } denied)
            {
                return denied;
            }

            if (CheckMechanism(mechanism, out var scram) is { } problem)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid credential", detail: problem);
            }

            if (!await broker.Credentials.DeleteAsync(user, scram, cancellationToken).ConfigureAwait(false))
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown credential",
                    detail: $"User '{user}' has no {mechanism} credential. List them with GET /api/v1/broker/users or `mesh users list`.");
            }

            LogCredentialDeleted(loggers.CreateLogger(typeof(BrokerUsersApi)), user, mechanism, ApiAccess.PrincipalOf(http).ToString());
            return Results.NoContent();
        });

        return routes;
    }

    private static string? CheckUser(string user) =>
        user.Length is 0 or > MaxUserLength || user.Any(char.IsControl)
            ? $"User names must be 1 to {MaxUserLength} characters without control characters; '{user}' is not."
            : null;

    private static string? CheckMechanism(string mechanism, out ScramMechanism scram)
    {
        if (ScramCredentialStore.Parse(mechanism) is { } parsed)
        {
            scram = parsed;
            return null;
        }

        scram = default;
        return $"Unknown mechanism '{mechanism}': expected SCRAM-SHA-256 or SCRAM-SHA-512 (PLAIN logins are checked against either).";
    }

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "AUDIT credential set: user {User} mechanism {Mechanism} by {Principal}")]
    private static partial void LogCredentialSet(ILogger logger, string user, string mechanism, string principal);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "AUDIT credential deleted: user {User} mechanism {Mechanism} by {Principal}")]
    private static partial void LogCredentialDeleted(ILogger logger, string user, string mechanism, string principal);
}

/// <summary>The body of <c>PUT /api/v1/broker/users/{user}/{mechanism}</c>.</summary>
/// <param name="Password">The new password; only its salted SCRAM keys are stored.</param>
/// <param name="Iterations">PBKDF2 iterations, 4096 (the default) to 16384.</param>
public sealed record SetPasswordRequest(string? Password, int? Iterations);

/// <summary>A SASL user and the mechanisms it has a credential for.</summary>
public sealed record BrokerUser(string User, IReadOnlyList<BrokerUserMechanism> Mechanisms);

/// <summary>One stored credential: mechanism, iterations and when it was set.</summary>
public sealed record BrokerUserMechanism(string Mechanism, int Iterations, DateTimeOffset CreatedAt);
