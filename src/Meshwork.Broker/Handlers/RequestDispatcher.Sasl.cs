using Meshwork.Broker.Network;
using Meshwork.Broker.Sasl;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Meshwork.Broker.Handlers;

/// <content>SASL: the handshake, framed tokens (SaslAuthenticate) and raw tokens (after a v0 handshake).</content>
internal sealed partial class RequestDispatcher
{
    private SaslHandshakeResponse SaslHandshake(RequestContext context, SaslHandshakeRequest request)
    {
        var offered = broker.Options.SaslMechanisms;
        var exchange = offered.Contains(request.Mechanism) ? SaslExchange.Create(request.Mechanism, broker.Credentials) : null;
        if (exchange is null)
        {
            return new SaslHandshakeResponse { ErrorCode = ErrorCode.UnsupportedSaslMechanism, Mechanisms = [.. offered] };
        }

        context.Session.Sasl = exchange;
        // v0 (kafka-python 2.0.2): the tokens that follow are raw, not SaslAuthenticate requests.
        context.Session.ExpectRawSaslTokens = context.Version == 0;
        return new SaslHandshakeResponse { Mechanisms = [.. offered] };
    }

    private async Task<SaslAuthenticateResponse> SaslAuthenticateAsync(RequestContext context, SaslAuthenticateRequest request, CancellationToken cancellationToken)
    {
        if (context.Session.Sasl is not { } exchange)
        {
            context.CloseAfterResponse = true;
            return new SaslAuthenticateResponse { ErrorCode = ErrorCode.IllegalSaslState, ErrorMessage = "SaslAuthenticate before a successful SaslHandshake." };
        }

        var step = await exchange.StepAsync(request.AuthBytes, cancellationToken).ConfigureAwait(false);
        if (step.Error is not null)
        {
            AuthenticationFailed(context.Session, exchange, step.Error);
            context.CloseAfterResponse = true;
            return new SaslAuthenticateResponse { ErrorCode = ErrorCode.SaslAuthenticationFailed, ErrorMessage = step.Error };
        }

        if (step.Principal is not null)
        {
            Authenticated(context.Session, exchange, step);
        }

        return new SaslAuthenticateResponse { AuthBytes = step.Response };
    }

    /// <summary>A raw token after SaslHandshake v0; returns the raw reply, or null to close the connection.</summary>
    public async Task<byte[]?> HandleRawSaslTokenAsync(KafkaSession session, ReadOnlyMemory<byte> token, CancellationToken cancellationToken)
    {
        var exchange = session.Sasl!;
        var step = await exchange.StepAsync(token, cancellationToken).ConfigureAwait(false);
        if (step.Error is not null)
        {
            // With raw tokens there is no way to send an error: the connection is closed (as Kafka does).
            AuthenticationFailed(session, exchange, step.Error);
            return null;
        }

        if (step.Principal is not null)
        {
            Authenticated(session, exchange, step);
            session.ExpectRawSaslTokens = false;
        }

        return step.Response;
    }

    private void Authenticated(KafkaSession session, SaslExchange exchange, SaslStep step)
    {
        session.Principal = step.Principal;
        session.Sasl = null;
        LogAuthenticated(_logger, "succeeded", step.Principal!.Name, session.RemoteAddress, session.Listener, exchange.Mechanism);
    }

    private void AuthenticationFailed(KafkaSession session, SaslExchange exchange, string error)
    {
        session.Sasl = null;
        LogAuthenticationFailed(_logger, "failed", exchange.ClaimedUser ?? "(unknown)", session.RemoteAddress, session.Listener, exchange.Mechanism, error);
    }

    // Audit lines: one template shape for both outcomes, so log pipelines can key on Outcome, User, Mechanism,
    // Remote and Listener alike. The reason never contains the password.
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "AUDIT authentication {Outcome}: user {User} from {Remote} on listener {Listener} with {Mechanism}")]
    private static partial void LogAuthenticated(ILogger logger, string outcome, string user, string remote, string listener, string mechanism);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "AUDIT authentication {Outcome}: user {User} from {Remote} on listener {Listener} with {Mechanism}: {Reason}")]
    private static partial void LogAuthenticationFailed(ILogger logger, string outcome, string user, string remote, string listener, string mechanism, string reason);
}
