using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Meshwork.Kafka.Protocol;
using Meshwork.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Meshwork.Broker.Network;

/// <summary>
/// One Kafka client connection over Kestrel's transport: a framing loop over the pipe, requests
/// answered strictly in order (clients match responses by position as well as correlation id).
/// A malformed frame closes this connection only; the broker and every other client carry on.
/// </summary>
public sealed partial class KafkaConnectionHandler(KafkaBroker broker, ILogger<KafkaConnectionHandler> logger) : ConnectionHandler
{
    /// <inheritdoc/>
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var session = new KafkaSession(connection.ConnectionId, connection.RemoteEndPoint, broker.Options.AllowAnonymous ? Principal.Anonymous : null, connection.LocalEndPoint);
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        var closing = connection.ConnectionClosed;
        broker.Metrics.ConnectionOpened();
        try
        {
            while (!closing.IsCancellationRequested)
            {
                var read = await input.ReadAsync(closing).ConfigureAwait(false);
                var buffer = read.Buffer;
                try
                {
                    while (KafkaFraming.TryReadFrame(ref buffer, broker.Options.MaxRequestBytes, out var frame))
                    {
                        if (!await HandleFrameAsync(frame, output, session, closing).ConfigureAwait(false))
                        {
                            return;
                        }
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (KafkaProtocolException e)
        {
            broker.Metrics.ProtocolErrorClosure();
            LogMalformed(logger, session.RemoteAddress, session.ConnectionId, e.Message);
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or ConnectionAbortedException or IOException)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug in a handler must cost this connection only, never the listener: log it with the request's
            // client so it can be reproduced, and close.
            LogFailed(logger, session.RemoteAddress, session.ConnectionId, e);
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
            broker.Metrics.ConnectionClosed();
        }
    }

    /// <summary>Handles one frame; false means close the connection.</summary>
    private async ValueTask<bool> HandleFrameAsync(ReadOnlySequence<byte> frame, PipeWriter output, KafkaSession session, CancellationToken cancellationToken)
    {
        // Records in a Produce request point into the frame, so it must stay valid until the request
        // is handled; a frame split across pipe segments is copied into one pooled array.
        byte[]? rented = null;
        ReadOnlyMemory<byte> bytes;
        if (frame.IsSingleSegment)
        {
            bytes = frame.First;
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent((int)frame.Length);
            frame.CopyTo(rented);
            bytes = rented.AsMemory(0, (int)frame.Length);
        }

        try
        {
            if (session.ExpectRawSaslTokens)
            {
                var reply = await broker.Dispatcher.HandleRawSaslTokenAsync(session, bytes, cancellationToken).ConfigureAwait(false);
                if (reply is null)
                {
                    return false;
                }

                WriteRawToken(output, reply);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }

            var outcome = await broker.Dispatcher.HandleAsync(session, bytes, output, cancellationToken).ConfigureAwait(false);
            if (outcome.Responded)
            {
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            return !outcome.Close;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static void WriteRawToken(PipeWriter output, byte[] token)
    {
        var span = output.GetSpan(sizeof(int) + token.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, token.Length);
        token.CopyTo(span[sizeof(int)..]);
        output.Advance(sizeof(int) + token.Length);
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Closing Kafka connection {ConnectionId} from {Client}: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string client, string connectionId, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Closing Kafka connection {ConnectionId} from {Client} after an unexpected error")]
    private static partial void LogFailed(ILogger logger, string client, string connectionId, Exception exception);
}
