using System.Collections.Concurrent;
using System.Text.Json;
using Meshwork.Broker;
using Meshwork.Broker.Storage;
using Meshwork.Catalog;
using Meshwork.Formats.Avro;
using Meshwork.Governance.Classification;
using Meshwork.Registry;
using Microsoft.Extensions.Logging;

namespace Meshwork.Server.ControlPlane;

/// <summary>
/// Value-level classification: on an interval, samples the events each product received since the
/// last pass (at most <see cref="SampleSize"/> per partition), decodes them with the schema their
/// id names, and records a finding in the catalog for every field whose values carry PII that the
/// field's labels do not declare (<c>mesh findings</c>).
/// </summary>
public sealed partial class FindingsMonitor : IAsyncDisposable
{
    /// <summary>Most events read per partition per pass.</summary>
    public const int SampleSize = 200;

    private readonly KafkaBroker _broker;
    private readonly WireValueDecoder _decoder;
    private readonly MeshCatalog _catalog;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Topic, int Partition), long> _scanned = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Creates the monitor; <see cref="Start"/> begins sampling.</summary>
    public FindingsMonitor(KafkaBroker broker, SchemaRegistry registry, MeshCatalog catalog, TimeSpan interval, TimeProvider time, ILogger<FindingsMonitor> logger)
    {
        _broker = broker;
        _decoder = new WireValueDecoder(registry);
        _catalog = catalog;
        _interval = interval;
        _time = time;
        _logger = logger;
    }

    /// <summary>Starts sampling in the background (nothing when the interval is zero).</summary>
    public void Start()
    {
        if (_interval > TimeSpan.Zero)
        {
            _loop = Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>One pass over every product: what each tick does. Returns the findings recorded.</summary>
    public async Task<int> ScanOnceAsync(CancellationToken cancellationToken = default)
    {
        var recorded = 0;
        for (var offset = 0; ; offset += MeshCatalog.MaxPageSize)
        {
            var page = await _catalog.ProductsAsync(limit: MeshCatalog.MaxPageSize, offset: offset, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var product in page.Items)
            {
                recorded += await ScanProductAsync(product, cancellationToken).ConfigureAwait(false);
            }

            if (page.NextOffset is null)
            {
                return recorded;
            }
        }
    }

    private async Task<int> ScanProductAsync(ProductSummary product, CancellationToken cancellationToken)
    {
        if (_broker.Logs.GetTopic(product.Topic) is not { } topic)
        {
            return 0;
        }

        var events = new List<IReadOnlyDictionary<string, object?>>();
        for (var partition = 0; partition < topic.Partitions.Count; partition++)
        {
            var log = topic.Partitions[partition];
            var from = Math.Max(log.LogStartOffset, _scanned.GetValueOrDefault((topic.Name, partition), log.LogStartOffset));
            // Only the newest SampleSize events: a backlog is sampled, not read in full.
            from = Math.Max(from, log.NextOffset - SampleSize);
            var values = LogReader.Read(log, from, SampleSize, r => (r.Offset, Value: r.Value?.ToArray()));
            foreach (var (_, value) in values)
            {
                if (value is not null && await DecodeAsync(value, cancellationToken).ConfigureAwait(false) is { } fields)
                {
                    events.Add(fields);
                }
            }

            _scanned[(topic.Name, partition)] = values.Count == 0 ? from : values[^1].Offset + 1;
        }

        if (events.Count == 0)
        {
            return 0;
        }

        var labels = await _catalog.FieldLabelsAsync(product.FullName, cancellationToken).ConfigureAwait(false);
        var findings = FindingScanner.Scan(labels, events);
        if (findings.Count > 0)
        {
            await _catalog.RecordFindingsAsync(product.FullName, findings, cancellationToken).ConfigureAwait(false);
            foreach (var finding in findings)
            {
                LogFinding(_logger, product.FullName, finding.Field, finding.Kind, finding.Label, finding.Occurrences);
            }
        }

        return findings.Count;
    }

    /// <summary>The top-level fields of one value in the registry wire format (Avro or JSON), or null when it cannot be decoded.</summary>
    private async Task<IReadOnlyDictionary<string, object?>?> DecodeAsync(byte[] value, CancellationToken cancellationToken)
    {
        try
        {
            return (await _decoder.DecodeAsync(value, cancellationToken: cancellationToken).ConfigureAwait(false)).Fields()?
                .ToDictionary(f => f.Key, f => Plain(f.Value), StringComparer.Ordinal);
        }
        catch (WireFormatException)
        {
            // Not ours to judge here: the broker's validation decides what gets in; the detectors look at what decodes.
            return null;
        }
    }

    /// <summary>Enum symbols and JSON values as the text the detectors look at.</summary>
    private static object? Plain(object? value) => value switch
    {
        AvroEnum e => e.Symbol,
        JsonElement json => json.ToString(),
        _ => value,
    };

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await ScanOnceAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogScanFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Undeclared PII in {Product}.{Field}: {Kind} ({Label}) in {Occurrences} sampled event(s); label the field or fix the producer")]
    private static partial void LogFinding(ILogger logger, string product, string field, PiiKind kind, string label, int occurrences);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PII sampling pass failed; retrying at the next interval")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
