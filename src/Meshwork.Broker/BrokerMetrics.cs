using System.Collections.Concurrent;
using Meshwork.Kafka.Protocol;

namespace Meshwork.Broker;

/// <summary>Counters per topic and latency per API, read by the HTTP API and <c>mesh topics</c>.</summary>
public sealed class BrokerMetrics(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TopicCounters> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ApiKey, LatencyHistogram> _latency = new();
    private long _openConnections;
    private long _acceptedConnections;
    private long _protocolErrorClosures;

    /// <summary>When counting started.</summary>
    public DateTimeOffset Since { get; } = time.GetUtcNow();

    /// <summary>Counts produced bytes and records.</summary>
    public void RecordIn(string topic, long bytes, long records)
    {
        var counters = _topics.GetOrAdd(topic, _ => new TopicCounters());
        Interlocked.Add(ref counters.BytesIn, bytes);
        Interlocked.Add(ref counters.RecordsIn, records);
    }

    /// <summary>Counts fetched bytes (records are counted by batch header record counts).</summary>
    public void RecordOut(string topic, long bytes, long records)
    {
        var counters = _topics.GetOrAdd(topic, _ => new TopicCounters());
        Interlocked.Add(ref counters.BytesOut, bytes);
        Interlocked.Add(ref counters.RecordsOut, records);
    }

    /// <summary>Records how long one request of <paramref name="api"/> took.</summary>
    public void RecordLatency(ApiKey api, TimeSpan elapsed) =>
        _latency.GetOrAdd(api, _ => new LatencyHistogram()).Record(elapsed);

    /// <summary>Per-topic totals since start.</summary>
    public IReadOnlyDictionary<string, TopicTotals> Topics =>
        _topics.ToDictionary(t => t.Key, t => new TopicTotals(
            Interlocked.Read(ref t.Value.BytesIn), Interlocked.Read(ref t.Value.RecordsIn),
            Interlocked.Read(ref t.Value.BytesOut), Interlocked.Read(ref t.Value.RecordsOut)), StringComparer.Ordinal);

    /// <summary>Per-API request counts and latency percentiles since start.</summary>
    public IReadOnlyDictionary<string, ApiLatency> Latency =>
        _latency.ToDictionary(l => l.Key.ToString(), l => l.Value.Summary(), StringComparer.Ordinal);

    /// <summary>Kafka client connections open right now.</summary>
    public long OpenConnections => Interlocked.Read(ref _openConnections);

    /// <summary>Connection figures since start: open now, accepted, and closed because the client broke the protocol.</summary>
    public ConnectionTotals Connections => new(OpenConnections, Interlocked.Read(ref _acceptedConnections), Interlocked.Read(ref _protocolErrorClosures));

    /// <summary>Counts a connection the listener accepted.</summary>
    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _openConnections);
        Interlocked.Increment(ref _acceptedConnections);
    }

    /// <summary>Counts a connection that ended, for whatever reason.</summary>
    public void ConnectionClosed() => Interlocked.Decrement(ref _openConnections);

    /// <summary>Counts a connection closed because of a malformed frame, an unknown API or an absurd length.</summary>
    public void ProtocolErrorClosure() => Interlocked.Increment(ref _protocolErrorClosures);

    /// <summary>Forgets a deleted topic's counters.</summary>
    public void Forget(string topic) => _topics.TryRemove(topic, out _);

    private sealed class TopicCounters
    {
        public long BytesIn;
        public long RecordsIn;
        public long BytesOut;
        public long RecordsOut;
    }
}

/// <summary>Kafka connections: open now, accepted since start, closed for protocol errors since start.</summary>
public sealed record ConnectionTotals(long Open, long Accepted, long ClosedForProtocolErrors);

/// <summary>A topic's throughput totals.</summary>
public sealed record TopicTotals(long BytesIn, long RecordsIn, long BytesOut, long RecordsOut);

/// <summary>An API's request count and latency percentiles, in milliseconds.</summary>
public sealed record ApiLatency(long Requests, double P50Ms, double P99Ms, double MaxMs);

/// <summary>
/// Latency in logarithmic buckets (each about 19% wide, 1 µs to ~70 s): constant memory, lock-free
/// recording, percentiles accurate to a bucket.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Buckets = 100;
    private const double Base = 1.19;
    private readonly long[] _counts = new long[Buckets];
    private long _maxTicks;

    public void Record(TimeSpan elapsed)
    {
        var micros = Math.Max(1.0, elapsed.TotalMicroseconds);
        var bucket = Math.Min(Buckets - 1, (int)(Math.Log(micros) / Math.Log(Base)));
        Interlocked.Increment(ref _counts[bucket]);
        long seen;
        while (elapsed.Ticks > (seen = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, elapsed.Ticks, seen) != seen)
        {
        }
    }

    public ApiLatency Summary()
    {
        var counts = _counts.Select(c => Interlocked.Read(ref c)).ToArray();
        var total = counts.Sum();
        return new ApiLatency(total, Percentile(counts, total, 0.50), Percentile(counts, total, 0.99), TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks)).TotalMilliseconds);
    }

    private static double Percentile(long[] counts, long total, double quantile)
    {
        if (total == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(total * quantile);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return Math.Pow(Base, i + 1) / 1000.0;
            }
        }

        return Math.Pow(Base, counts.Length) / 1000.0;
    }
}
