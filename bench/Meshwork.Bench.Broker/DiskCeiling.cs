using System.Diagnostics;

namespace Meshwork.Bench.Broker;

/// <summary>A measured rate: bytes over seconds.</summary>
internal readonly record struct Rate(long Bytes, double Seconds)
{
    public double MegabytesPerSecond => Bytes / 1_000_000.0 / Seconds;
}

/// <summary>
/// The machine's own ceilings, measured on the filesystem of the broker's data directory in the same run: sequential
/// writes under the broker's fsync policy, and sequential reads of the files the broker wrote.
/// </summary>
internal static class DiskCeiling
{
    /// <summary>
    /// Sequential appends of <paramref name="chunkBytes"/> each followed by an fsync, the way the broker stores one
    /// batch under <c>broker.flush=every-batch</c>; <paramref name="totalBytes"/> in all.
    /// </summary>
    public static Rate WriteWithFsyncPerChunk(string directory, int chunkBytes, long totalBytes)
    {
        var path = Path.Combine(directory, $"ceiling-{Guid.NewGuid():n}.bin");
        var chunk = new byte[chunkBytes];
        Random.Shared.NextBytes(chunk);
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            var started = Stopwatch.GetTimestamp();
            long written = 0;
            while (written < totalBytes)
            {
                file.Write(chunk);
                file.Flush(flushToDisk: true);
                written += chunk.Length;
            }

            return new Rate(written, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Reads <paramref name="files"/> front to back in 1 MiB chunks (what a consumer's fetches amount to).</summary>
    public static Rate ReadSequential(IReadOnlyList<string> files)
    {
        var buffer = new byte[1 << 20];
        long read = 0;
        var started = Stopwatch.GetTimestamp();
        foreach (var path in files)
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            long position = 0;
            int n;
            while ((n = RandomAccess.Read(handle, buffer, position)) > 0)
            {
                position += n;
            }

            read += position;
        }

        return new Rate(read, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>
    /// Loopback TCP: <paramref name="totalBytes"/> sent in 1 MiB writes to a reader on another thread, the most a
    /// consumer on this machine could receive however fast the broker served it.
    /// </summary>
    public static Rate LoopbackTcp(long totalBytes)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var reader = Task.Run(() =>
        {
            using var client = listener.AcceptTcpClient();
            using var stream = client.GetStream();
            var buffer = new byte[1 << 20];
            long received = 0;
            int n;
            while ((n = stream.Read(buffer)) > 0)
            {
                received += n;
            }

            return received;
        });
        using var sender = new System.Net.Sockets.TcpClient();
        sender.Connect(System.Net.IPAddress.Loopback, ((System.Net.IPEndPoint)listener.LocalEndpoint).Port);
        var chunk = new byte[1 << 20];
        var started = Stopwatch.GetTimestamp();
        using (var stream = sender.GetStream())
        {
            for (long sent = 0; sent < totalBytes; sent += chunk.Length)
            {
                stream.Write(chunk);
            }

            sender.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            var received = reader.GetAwaiter().GetResult();
            return new Rate(received, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
