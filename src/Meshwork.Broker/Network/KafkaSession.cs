using System.Net;
using Meshwork.Broker.Sasl;
using Meshwork.Security;

namespace Meshwork.Broker.Network;

/// <summary>What the broker knows about one client connection.</summary>
internal sealed class KafkaSession(string connectionId, EndPoint? remote, Principal? initialPrincipal, EndPoint? local = null)
{
    /// <summary>Kestrel's id for the connection, for logs.</summary>
    public string ConnectionId { get; } = connectionId;

    /// <summary>The client's address.</summary>
    public string ClientHost { get; } = remote switch
    {
        IPEndPoint ip => "/" + ip.Address,
        null => "/unknown",
        _ => "/" + remote,
    };

    /// <summary>The client's address and port, for audit lines.</summary>
    public string RemoteAddress { get; } = remote?.ToString() ?? "unknown";

    /// <summary>The listener the client connected to (address and port), for audit lines.</summary>
    public string Listener { get; } = local?.ToString() ?? "unknown";

    /// <summary>Who the client is: null until authenticated when anonymous access is off.</summary>
    public Principal? Principal { get; set; } = initialPrincipal;

    /// <summary>The SASL exchange in progress, if any.</summary>
    public SaslExchange? Sasl { get; set; }

    /// <summary>
    /// After SaslHandshake v0 the client sends raw, unframed-by-Kafka tokens (kafka-python 2.0.2 does):
    /// the next frames are SASL tokens, not requests.
    /// </summary>
    public bool ExpectRawSaslTokens { get; set; }
}
