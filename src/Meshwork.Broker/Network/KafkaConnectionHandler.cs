using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Threading.Channels;
using Meshwork.Kafka.Protocol;
using Meshwork.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Meshwork.Broker.Network;

/// <summary>
/// One Kafka client connection over Kestrel's transport: a framing loop over the pipe, responses written strictly in
/// request order (clients match responses by position as well as correlation id). Requests are handled one at a time,
/// as Kafka does, with one exception: once a Produce request's batches are appended, the next request is read while
/// its fsync is still running, so a producer's pipelined batches share fsyncs (group commit); their responses still
/// leave in order, each only after its records are durable. A malformed frame closes this connection only.
/// </summary>
public sealed partial class KafkaConnectionHandler(KafkaBroker broker, ILogger<KafkaConnectionHandler> logger) : ConnectionHandler
{
    /// <summary>Produce requests that may wait for their fsync at once on one connection (librdkafka sends up to 5).</summary>
    private const int MaxPendingProduces = 8;

    /// <inheritdoc/>
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var session = new KafkaSession(connection.ConnectionId, connection.RemoteEndPoint, broker.Options.AllowAnonymous ? Principal.Anonymous : null, connection.LocalEndPoint);
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        var replies = Channel.CreateBounded<Task<Reply>>(new BoundedChannelOptions(MaxPendingProduces) { SingleReader = true, SingleWriter = true });
        var writer = WriteRepliesAsync(replies.Reader, output, session, stop);
        broker.Metrics.ConnectionOpened();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var read = await input.ReadAsync(stop.Token).ConfigureAwait(false);
                var buffer = read.Buffer;
                try
                {
                    while (KafkaFraming.TryReadFrame(ref buffer, broker.Options.MaxRequestBytes, out var frame))
                    {
                        // Runs synchronously up to the request's first real wait: for a Produce, until its batches are appended.
                        var reply = HandleFrameAsync(frame, session, stop.Token);
                        await replies.Writer.WriteAsync(reply, stop.Token).ConfigureAwait(false);
                        // Everything but Produce is answered before the next request is read, as Kafka does; so is a
                        // Produce that already finished (or failed: a malformed frame closes the connection here).
                        if ((!IsProduce(frame) || reply.IsCompleted) && (await reply.ConfigureAwait(false)).Close)
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
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or ConnectionAbortedException or IOException or ChannelClosedException)
        {
            // The client went away, or a reply closed the connection; nothing more to answer.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug in a handler must cost this connection only, never the listener: log it with the request's
            // client so it can be reproduced, and close.
            LogFailed(logger, session.RemoteAddress, session.ConnectionId, e);
        }
        finally
        {
            replies.Writer.TryComplete();
            await writer.ConfigureAwait(false);
            while (replies.Reader.TryRead(out var unanswered))
            {
                // Left behind when the connection closed early: let them finish and give their buffers back.
                try
                {
                    (await unanswered.ConfigureAwait(false)).Bytes?.Dispose();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The connection is gone; there is no one to tell.
                }
            }

            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
            broker.Metrics.ConnectionClosed();
        }
    }

    /// <summary>
    /// Writes each reply when it is ready, in request order. A reply that closes the connection, or a failed request,
    /// stops the connection after what came before it was written.
    /// </summary>
    private async Task WriteRepliesAsync(ChannelReader<Task<Reply>> replies, PipeWriter output, KafkaSession session, CancellationTokenSource stop)
    {
        try
        {
            await foreach (var pending in replies.ReadAllAsync().ConfigureAwait(false))
            {
                var reply = await pending.ConfigureAwait(false);
                if (reply.Bytes is { } bytes)
                {
                    using (bytes)
                    {
                        output.Write(bytes.WrittenSpan);
                    }

                    await output.FlushAsync(stop.Token).ConfigureAwait(false);
                }

                if (reply.Close)
                {
                    break;
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
            // The client went away.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(logger, session.RemoteAddress, session.ConnectionId, e);
        }
        finally
        {
            // The reader must not go on once the writer stopped: nothing after this point would be answered.
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Handles one frame into a reply buffer; <see cref="Reply.Close"/> means close the connection after it.</summary>
    private async Task<Reply> HandleFrameAsync(ReadOnlySequence<byte> frame, KafkaSession session, CancellationToken cancellationToken)
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

        var output = new PooledBufferWriter();
        try
        {
            if (session.ExpectRawSaslTokens)
            {
                var token = await broker.Dispatcher.HandleRawSaslTokenAsync(session, bytes, cancellationToken).ConfigureAwait(false);
                if (token is null)
                {
                    output.Dispose();
                    return new Reply(null, Close: true);
                }

                WriteRawToken(output, token);
                return new Reply(output, Close: false);
            }

            var outcome = await broker.Dispatcher.HandleAsync(session, bytes, output, cancellationToken).ConfigureAwait(false);
            if (!outcome.Responded)
            {
                output.Dispose();
                return new Reply(null, outcome.Close);
            }

            return new Reply(output, outcome.Close);
        }
        catch
        {
            output.Dispose();
            throw;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>True for a Produce frame (API key 0 in the first two bytes of the request header).</summary>
    private static bool IsProduce(ReadOnlySequence<byte> frame)
    {
        if (frame.Length < sizeof(short))
        {
            return false;
        }

        Span<byte> key = stackalloc byte[sizeof(short)];
        frame.Slice(0, sizeof(short)).CopyTo(key);
        return BinaryPrimitives.ReadInt16BigEndian(key) == (short)ApiKey.Produce;
    }

    private static void WriteRawToken(IBufferWriter<byte> output, byte[] token)
    {
        var span = output.GetSpan(sizeof(int) + token.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, token.Length);
        token.CopyTo(span[sizeof(int)..]);
        output.Advance(sizeof(int) + token.Length);
    }

    /// <summary>A request's answer: the bytes to write (null for none, as after acks=0) and whether to close after them.</summary>
    private readonly record struct Reply(PooledBufferWriter? Bytes, bool Close);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Closing Kafka connection {ConnectionId} from {Client}: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string client, string connectionId, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Closing Kafka connection {ConnectionId} from {Client} after an unexpected error")]
    private static partial void LogFailed(ILogger logger, string client, string connectionId, Exception exception);
}
