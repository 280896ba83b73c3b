using System.Text;
using Meshwork.Lake;
using Meshwork.Lake.Metadata;
using Meshwork.Processing.Sources;
using Meshwork.Registry;
using Meshwork.Registry.Formats;
using Microsoft.Extensions.Logging;

namespace Meshwork.Processing;

/// <summary>
/// Materializes one product: reads its topic from where its tables say they are, decodes each record with its writer
/// schema, and commits batches to the current-state table (upsert by key, tombstones delete) and the history table
/// (every record). Each table's snapshot carries the offsets it consumed, committed atomically with its rows; on start,
/// and after any failure, each table resumes from its own offsets, and a record below them is never applied to it again.
/// </summary>
internal sealed partial class ProductMaterializer : IAsyncDisposable
{
    // How long a fetch waits for new records when nothing is pending: bounds how stale the status's end offsets get.
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PartitionRefreshInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    private readonly LakeCatalog _lake;
    private readonly SchemaRegistry _registry;
    private readonly WireValueDecoder _decoder;
    private readonly IRecordSource _source;
    private readonly MaterializerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<int, SubjectSchema> _versionsById = [];
    private Task? _loop;

    // Status, under _gate.
    private string _state = MaterializationState.Starting;
    private ProductTables? _tables;
    private readonly Dictionary<int, long> _ends = [];
    private DateTimeOffset? _lastCommitAt;
    private long _committed;
    private long _skipped;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;

    public ProductMaterializer(ProductSource product, LakeCatalog lake, SchemaRegistry registry, IRecordSource source, MaterializerOptions options, TimeProvider time, ILogger logger)
    {
        Product = product;
        _lake = lake;
        _registry = registry;
        _decoder = new WireValueDecoder(registry);
        _source = source;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The product.</summary>
    public ProductSource Product { get; }

    /// <summary>The consumer group its progress is committed to.</summary>
    public string Group => Materializer.GroupPrefix + Product.FullName;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Where the product is now.</summary>
    public MaterializationStatus Status()
    {
        lock (_gate)
        {
            var current = _tables?.Current is { } c ? Describe(c) : null;
            var history = _tables is { } t ? Describe(t.History) : null;
            var committed = new Dictionary<int, long>();
            foreach (var p in _ends.Keys.Concat(history?.Offsets.Keys ?? []).Distinct().Order())
            {
                committed[p] = Math.Min(current?.Offsets.GetValueOrDefault(p) ?? long.MaxValue, history?.Offsets.GetValueOrDefault(p) ?? 0);
            }

            var lag = _ends.Sum(e => Math.Max(0, e.Value - committed.GetValueOrDefault(e.Key)));
            return new MaterializationStatus(Product.FullName, Product.Topic, Group, _state, current, history, committed, new Dictionary<int, long>(_ends), lag,
                _lastCommitAt, _committed, _skipped, _lastError, _lastErrorAt);
        }
    }

    private static TableStatus Describe(LakeTable table)
    {
        var snapshot = table.CurrentSnapshot;
        return new TableStatus(table.Identifier?.ToString() ?? table.Location, snapshot?.SnapshotId,
            snapshot is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(snapshot.TimestampMs),
            (int)table.Metadata.Property(ProductTables.SchemaVersionProperty, 0),
            ConsumedOffsets.Latest(table.Metadata)?.Partitions ?? new Dictionary<int, long>());
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            var committedBefore = Interlocked.Read(ref _committed);
            try
            {
                await MaterializeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A run that got work done before failing starts the back-off afresh.
                if (Interlocked.Read(ref _committed) != committedBefore)
                {
                    delay = FirstRetryDelay;
                }

                lock (_gate)
                {
                    _state = MaterializationState.Failed;
                    _lastError = e.Message;
                    _lastErrorAt = _time.GetUtcNow();
                }

                if (e is RecordSourceException)
                {
                    // The bus said no (a topic deleted with its product, an authorization change): the message says it all.
                    LogSourceFailed(_logger, Product.FullName, delay.TotalSeconds, e.Message);
                }
                else
                {
                    LogFailed(_logger, Product.FullName, delay.TotalSeconds, e);
                }
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>One run: open the tables, resume from their offsets, and consume until cancelled or something fails.</summary>
    private async Task MaterializeAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_state != MaterializationState.Failed)
            {
                _state = MaterializationState.Starting;
            }
        }

        var tables = await ProductTables.OpenAsync(_lake, _registry, Product, cancellationToken).ConfigureAwait(false);
        var run = new Run(this, tables);
        lock (_gate)
        {
            _tables = tables;
        }

        await run.ResumeAsync(cancellationToken).ConfigureAwait(false);
        await run.ConsumeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        await _source.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>The state of one run: positions, each table's offsets, and the batch not yet committed.</summary>
    private sealed class Run(ProductMaterializer owner, ProductTables tables)
    {
        private readonly Dictionary<int, long> _positions = [];
        private readonly Dictionary<int, long> _currentOffsets = [];
        private readonly Dictionary<int, long> _historyOffsets = [];
        private readonly List<(object?[] Values, bool Delete)> _currentOps = [];
        private readonly List<object?[]> _historyRows = [];
        private int _pending;
        private DateTimeOffset _deadline;
        private DateTimeOffset _nextPartitionRefresh;
        private DateTimeOffset _nextMaintenance;

        private ProductSource Product => owner.Product;

        public async Task ResumeAsync(CancellationToken cancellationToken)
        {
            Load(tables.Current, _currentOffsets);
            Load(tables.History, _historyOffsets);
            await RefreshPartitionsAsync(cancellationToken).ConfigureAwait(false);
            _nextMaintenance = owner._time.GetUtcNow() + TablePolicy.Interval;
            await CommitGroupAsync(cancellationToken).ConfigureAwait(false);
        }

        public async Task ConsumeAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var now = owner._time.GetUtcNow();
                if (now >= _nextPartitionRefresh)
                {
                    await RefreshPartitionsAsync(cancellationToken).ConfigureAwait(false);
                }

                var wait = _pending == 0 ? IdleWait : _deadline - now;
                var fetched = await owner._source.FetchAsync(Product.Topic, _positions, wait < TimeSpan.Zero ? TimeSpan.Zero : wait, cancellationToken).ConfigureAwait(false);
                foreach (var (partition, range) in fetched.OutOfRange)
                {
                    if (_positions[partition] > range.End)
                    {
                        // The tables have consumed past the end of the topic: it was deleted and created again under the
                        // same name. Starting over would write its records next to the old ones; that is the operator's
                        // call (drop the tables), not ours.
                        throw new InvalidOperationException($"the tables of {Product.FullName} have consumed {Product.Topic} partition {partition} up to offset {_positions[partition]}, but it ends at {range.End}: the topic was created again; drop tables {ProductTables.CurrentId(Product)} and {ProductTables.HistoryId(Product)} to materialize it from the start");
                    }

                    // Retention removed records the tables had not read yet: they are gone from the topic.
                    LogOutOfRange(owner._logger, Product.FullName, partition, _positions[partition], range.Start, range.End);
                    _positions[partition] = range.Start;
                }

                foreach (var record in fetched.Records)
                {
                    await AddAsync(record, cancellationToken).ConfigureAwait(false);
                    _positions[record.Partition] = record.Offset + 1;
                    if (_pending >= owner._options.CommitRecords)
                    {
                        await CommitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                foreach (var (partition, next) in fetched.NextOffsets)
                {
                    _positions[partition] = Math.Max(_positions[partition], next);
                }

                lock (owner._gate)
                {
                    foreach (var (partition, end) in fetched.EndOffsets)
                    {
                        owner._ends[partition] = end;
                    }
                }

                if (_pending > 0 && owner._time.GetUtcNow() >= _deadline)
                {
                    await CommitAsync(cancellationToken).ConfigureAwait(false);
                }

                lock (owner._gate)
                {
                    var caughtUp = _pending == 0 && owner._ends.All(e => _positions.GetValueOrDefault(e.Key) >= e.Value);
                    owner._state = caughtUp ? MaterializationState.CaughtUp : MaterializationState.Running;
                }
            }
        }

        private void Load(LakeTable? table, Dictionary<int, long> offsets)
        {
            if (table is null)
            {
                return;
            }

            var consumed = ConsumedOffsets.Latest(table.Metadata);
            if (consumed is null && table.CurrentSnapshot is not null)
            {
                throw new InvalidOperationException($"table {table.Identifier} has snapshots but none records the Kafka offsets it consumed ({ConsumedOffsets.SummaryProperty}): it was not written by the materializer; drop it or move it away");
            }

            // A new major version is a new topic: its offsets start over.
            if (consumed is not null && consumed.Topic == Product.Topic)
            {
                foreach (var (partition, offset) in consumed.Partitions)
                {
                    offsets[partition] = offset;
                }
            }
        }

        private async Task RefreshPartitionsAsync(CancellationToken cancellationToken)
        {
            var count = await owner._source.PartitionCountAsync(Product.Topic, cancellationToken).ConfigureAwait(false);
            for (var p = 0; p < count; p++)
            {
                if (!_positions.ContainsKey(p))
                {
                    _positions[p] = tables.Current is null ? _historyOffsets.GetValueOrDefault(p) : Math.Min(_currentOffsets.GetValueOrDefault(p), _historyOffsets.GetValueOrDefault(p));
                }
            }

            _nextPartitionRefresh = owner._time.GetUtcNow() + PartitionRefreshInterval;
        }

        /// <summary>Adds one record to the batch of each table that has not consumed it yet.</summary>
        private async Task AddAsync(SourceRecord record, CancellationToken cancellationToken)
        {
            var forCurrent = tables.Current is not null && record.Offset >= _currentOffsets.GetValueOrDefault(record.Partition);
            var forHistory = record.Offset >= _historyOffsets.GetValueOrDefault(record.Partition);
            if (!forCurrent && !forHistory)
            {
                return;
            }

            try
            {
                if (record.Value is null)
                {
                    AddTombstone(record, forCurrent, forHistory, await KeyOfAsync(record, cancellationToken).ConfigureAwait(false));
                }
                else
                {
                    await AddValueAsync(record, forCurrent, forHistory, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is WireFormatException or RowMappingException)
            {
                // The broker validated the value on the way in, so this is a key we cannot read or a value a table column
                // cannot hold; stopping here would stop the product for good. The record stays in the topic.
                LogSkipped(owner._logger, Product.FullName, record.Partition, record.Offset, e.Message);
                lock (owner._gate)
                {
                    owner._skipped++;
                }
            }

            if (_pending++ == 0)
            {
                _deadline = owner._time.GetUtcNow() + owner._options.CommitInterval;
            }
        }

        private async Task AddValueAsync(SourceRecord record, bool forCurrent, bool forHistory, CancellationToken cancellationToken)
        {
            var (id, _) = await owner._decoder.WriterSchemaAsync(record.Value, cancellationToken).ConfigureAwait(false);
            if (id != tables.Schema.Id)
            {
                var writer = await VersionOfAsync(id, cancellationToken).ConfigureAwait(false);
                if (writer.Version > tables.Schema.Version)
                {
                    // Rows already batched follow the current schema: commit them before the tables change.
                    await CommitAsync(cancellationToken).ConfigureAwait(false);
                    await tables.EvolveAsync(writer, cancellationToken).ConfigureAwait(false);
                    LogEvolved(owner._logger, Product.FullName, writer.Version);
                }
            }

            var reader = tables.Schema.Parsed.SchemaType == AvroSchemaFormat.TypeName ? AvroSchemaFormat.AvroSchemaOf(tables.Schema.Parsed) : null;
            var decoded = await owner._decoder.DecodeAsync(record.Value, reader, cancellationToken).ConfigureAwait(false);
            var fields = decoded.Fields() ?? throw new WireFormatException($"the value is not a record but {decoded.Value?.GetType().Name ?? "null"}");
            var currentRow = forCurrent ? RowMapper.Row(tables.Current!.Schema, fields) : null;
            if (currentRow is not null && KeyColumns(tables.Current!.Schema).Any(c => currentRow[c] is null))
            {
                throw new RowMappingException($"a key field ({string.Join(", ", Product.KeyFields)}) is null");
            }

            var historyRow = forHistory ? HistoryRow(RowMapper.Row(tables.History.Schema, fields), record, deleted: false) : null;
            if (currentRow is not null)
            {
                _currentOps.Add((currentRow, Delete: false));
            }

            if (historyRow is not null)
            {
                _historyRows.Add(historyRow);
            }
        }

        private void AddTombstone(SourceRecord record, bool forCurrent, bool forHistory, IReadOnlyDictionary<string, object?> key)
        {
            if (forCurrent)
            {
                var schema = tables.Current!.Schema;
                _currentOps.Add(([.. KeyColumns(schema).Select(c => key[schema.Fields[c].Name])], Delete: true));
            }

            if (forHistory)
            {
                var schema = tables.History.Schema;
                var row = new object?[schema.Fields.Count];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = key.GetValueOrDefault(schema.Fields[i].Name);
                }

                _historyRows.Add(HistoryRow(row, record, deleted: true));
            }
        }

        /// <summary>
        /// The key of a tombstone by key field name: from a key in the wire format (a record with the key fields, or one
        /// value for a single key field), else from the key fields' values joined by '|' (what the generators write).
        /// </summary>
        private async Task<IReadOnlyDictionary<string, object?>> KeyOfAsync(SourceRecord record, CancellationToken cancellationToken)
        {
            if (Product.KeyFields.Count == 0)
            {
                return new Dictionary<string, object?>();
            }

            if (record.Key is null)
            {
                throw new RowMappingException("a tombstone without a key deletes nothing");
            }

            var schema = tables.Current?.Schema ?? tables.History.Schema;
            var keyFields = Product.KeyFields.Select(n => schema.FindField(n) ?? throw new RowMappingException($"key field {n} is not a column of {schema}")).ToList();
            if (WireFormat.TryReadSchemaId(record.Key, out _) && await TryDecodeKeyAsync(record.Key, cancellationToken).ConfigureAwait(false) is { } decoded)
            {
                var values = decoded.Fields() ?? (keyFields.Count == 1 ? new Dictionary<string, object?> { [keyFields[0].Name] = decoded.Value } : null)
                    ?? throw new RowMappingException($"the key decodes to a {decoded.Value?.GetType().Name ?? "null"}, not a record of the key fields");
                return keyFields.ToDictionary(f => f.Name, f => RowMapper.Convert(f.Type, values.GetValueOrDefault(f.Name), f.Name));
            }

            var parsed = RowMapper.KeyFromText(keyFields, Encoding.UTF8.GetString(record.Key));
            return keyFields.Select((f, i) => (f.Name, parsed[i])).ToDictionary(p => p.Name, p => p.Item2);
        }

        private async Task<WireValue?> TryDecodeKeyAsync(byte[] key, CancellationToken cancellationToken)
        {
            try
            {
                return await owner._decoder.DecodeAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (WireFormatException)
            {
                // A text key that happens to start with a zero byte.
                return null;
            }
        }

        private object?[] HistoryRow(object?[] row, SourceRecord record, bool deleted)
        {
            var schema = tables.History.Schema;
            row[schema.Fields.Count - 4] = record.Partition;
            row[schema.Fields.Count - 3] = record.Offset;
            row[schema.Fields.Count - 2] = record.Timestamp;
            row[schema.Fields.Count - 1] = deleted;
            return row;
        }

        private static IEnumerable<int> KeyColumns(IcebergSchema schema) => schema.IdentifierFieldIds.Select(schema.IndexOf);

        private async Task<SubjectSchema> VersionOfAsync(int id, CancellationToken cancellationToken)
        {
            if (!owner._versionsById.TryGetValue(id, out var version))
            {
                owner._versionsById[id] = version = await tables.SchemaOfIdAsync(id, cancellationToken).ConfigureAwait(false);
            }

            return version;
        }

        /// <summary>Commits the batch: each table that has not consumed up to the current positions gets one snapshot with its rows and the new offsets.</summary>
        private async Task CommitAsync(CancellationToken cancellationToken)
        {
            if (_pending == 0)
            {
                return;
            }

            if (tables.Current is { } current && Behind(_currentOffsets))
            {
                var transaction = current.NewTransaction();
                foreach (var (values, delete) in _currentOps)
                {
                    _ = delete ? transaction.Delete([values]) : transaction.Upsert([values]);
                }

                await CommitAsync(transaction, _currentOffsets, cancellationToken).ConfigureAwait(false);
            }

            if (Behind(_historyOffsets))
            {
                await CommitAsync(tables.History.NewTransaction().Append(_historyRows), _historyOffsets, cancellationToken).ConfigureAwait(false);
            }

            var now = owner._time.GetUtcNow();
            lock (owner._gate)
            {
                owner._committed += _pending;
                owner._lastCommitAt = now;
            }

            _currentOps.Clear();
            _historyRows.Clear();
            _pending = 0;
            await CommitGroupAsync(cancellationToken).ConfigureAwait(false);
            if (now >= _nextMaintenance)
            {
                _nextMaintenance = now + TablePolicy.Interval;
                await MaintainAsync(now, cancellationToken).ConfigureAwait(false);
            }
        }

        private bool Behind(Dictionary<int, long> offsets) => _positions.Any(p => offsets.GetValueOrDefault(p.Key) < p.Value);

        private async Task CommitAsync(LakeTransaction transaction, Dictionary<int, long> offsets, CancellationToken cancellationToken)
        {
            var consumed = new Dictionary<int, long>(offsets);
            foreach (var (partition, position) in _positions)
            {
                consumed[partition] = Math.Max(consumed.GetValueOrDefault(partition), position);
            }

            transaction.SetSummaryProperty(ConsumedOffsets.SummaryProperty, new ConsumedOffsets(Product.Topic, consumed).ToJson());

            // Not cancellable: a commit abandoned half-way would only leave orphan files, but one that completes must be
            // known to have completed, or the next run would not know its offsets.
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var (partition, offset) in consumed)
            {
                offsets[partition] = offset;
            }
        }

        private async Task CommitGroupAsync(CancellationToken cancellationToken)
        {
            var committed = owner.Status().CommittedOffsets;
            if (committed.Count == 0)
            {
                return;
            }

            try
            {
                await owner._source.CommitGroupOffsetsAsync(owner.Group, Product.Topic, committed, cancellationToken).ConfigureAwait(false);
            }
            catch (RecordSourceException e)
            {
                // Only what `mesh groups` shows; the tables are the resume point.
                LogGroupCommitFailed(owner._logger, owner.Group, e.Message);
            }
        }

        private async Task MaintainAsync(DateTimeOffset now, CancellationToken cancellationToken)
        {
            foreach (var table in tables.All)
            {
                try
                {
                    await TablePolicy.MaintainAsync(table, table == tables.History, now, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    LogMaintenanceFailed(owner._logger, table.Identifier?.ToString() ?? table.Location, e);
                    await table.RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Materializing {Product} failed; starting over from its tables in {Seconds} s")]
    private static partial void LogFailed(ILogger logger, string product, double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Materializing {Product} stopped: {Reason}; starting over from its tables in {Seconds} s")]
    private static partial void LogSourceFailed(ILogger logger, string product, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Materializing {Product}: skipped partition {Partition} offset {Offset}: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string product, int partition, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Materializing {Product}: partition {Partition} offset {Offset} is outside the log (offsets {Start} to {End}); continuing at {Start}")]
    private static partial void LogOutOfRange(ILogger logger, string product, int partition, long offset, long start, long end);

    [LoggerMessage(Level = LogLevel.Information, Message = "Materializing {Product}: tables evolved to schema version {Version}")]
    private static partial void LogEvolved(ILogger logger, string product, int version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Committing offsets of group {Group} failed: {Reason}")]
    private static partial void LogGroupCommitFailed(ILogger logger, string group, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upkeep of table {Table} failed; trying again later")]
    private static partial void LogMaintenanceFailed(ILogger logger, string table, Exception exception);
}
