using System.Buffers;
using System.Globalization;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshwork.Broker.Storage;

/// <summary>Outcome of <see cref="PartitionLog.Append(Span{byte}, long, bool)"/>, shaped like a Produce partition response.</summary>
/// <param name="Error">None, or the Kafka error to answer with.</param>
/// <param name="BaseOffset">Offset assigned to the first record (-1 on error).</param>
/// <param name="LastOffset">Offset assigned to the last record (-1 on error).</param>
/// <param name="LogAppendTimeMs">The broker timestamp under LogAppendTime, else -1.</param>
/// <param name="LogStartOffset">The partition's log start offset.</param>
/// <param name="FlushPending">The flush policy wants these records on disk before they are acknowledged and the caller deferred the
/// fsync: await <see cref="PartitionLog.WaitDurableAsync"/> for <paramref name="LastOffset"/> first.</param>
public readonly record struct AppendResult(ErrorCode Error, long BaseOffset, long LastOffset, long LogAppendTimeMs, long LogStartOffset, bool FlushPending = false);

/// <summary>
/// Stored bytes of whole batches for a Fetch, in a pooled buffer: write <see cref="Records"/> to the wire, then
/// dispose to return the buffer. Never use <see cref="Records"/> after disposing.
/// </summary>
public sealed class ReadResult : IDisposable
{
    private byte[]? _buffer;

    internal ReadResult(ErrorCode error, byte[]? buffer, int length, long logStartOffset, long highWatermark)
    {
        Error = error;
        _buffer = buffer;
        Records = buffer is null ? ReadOnlyMemory<byte>.Empty : buffer.AsMemory(0, length);
        LogStartOffset = logStartOffset;
        HighWatermark = highWatermark;
    }

    /// <summary>None, or OffsetOutOfRange.</summary>
    public ErrorCode Error { get; }

    /// <summary>Whole stored batches; empty at the end of the log.</summary>
    public ReadOnlyMemory<byte> Records { get; private set; }

    /// <summary>The partition's log start offset at the time of the read.</summary>
    public long LogStartOffset { get; }

    /// <summary>The high watermark (= next offset on a single node) at the time of the read.</summary>
    public long HighWatermark { get; }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        Records = ReadOnlyMemory<byte>.Empty;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// One topic partition: a directory <c>&lt;root&gt;/&lt;topic&gt;-&lt;partition&gt;/</c> of log segments (Kafka's layout),
/// the log start offset checkpoint and the producer state snapshot. Appends are serialized by a lock; reads run
/// concurrently against an immutable snapshot of the segment list.
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    /// <summary>The log start offset checkpoint file.</summary>
    public const string LogStartCheckpointFile = "log-start-offset.checkpoint";

    /// <summary>The idempotent producer state snapshot.</summary>
    public const string ProducerStateFile = "producer-state.json";

    private readonly Lock _lock = new();
    private readonly Lock _maintenanceLock = new();
    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BrokerStorageOptions _options;
    private readonly ProducerStateTable _producers = new();
    private volatile LogSegment[] _segments = [];
    private volatile TopicConfig _config;
    private TaskCompletionSource _appendSignal = NewSignal();
    private ITimer? _flushTimer;
    private long _nextOffset;

    // Offsets below this are fsynced. Appends with a deferred flush run ahead of it; one fsync in flight
    // (_groupFlush) then covers every batch appended before it started: group commit.
    private long _durableOffset;
    private Task? _groupFlush;
    private long _logStartOffset;
    private long _unflushedMessages;
    private long _cleanedUpTo;
    private bool _dirty;
    private bool _disposed;

    private PartitionLog(string directory, TopicConfig config, TimeProvider time, ILogger logger, BrokerStorageOptions options)
    {
        _directory = directory;
        _config = config;
        _time = time;
        _logger = logger;
        _options = options;
    }

    /// <summary>The partition directory.</summary>
    public string Directory => _directory;

    /// <summary>The first offset a consumer may read.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>The next offset to assign; also the high watermark (single node: everything appended is committed).</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    /// <summary>Bytes of all segments.</summary>
    public long SizeInBytes
    {
        get
        {
            long total = 0;
            foreach (var segment in _segments)
            {
                total += segment.Size;
            }

            return total;
        }
    }

    /// <summary>Number of segments, the active one included.</summary>
    public int SegmentCount => _segments.Length;

    /// <summary>The topic config in force.</summary>
    public TopicConfig Config => _config;

    /// <summary>Opens (or creates) a partition with default broker options.</summary>
    public static PartitionLog Open(string directory, TopicConfig config, TimeProvider time, ILogger logger) =>
        Open(directory, config, time, logger, new BrokerStorageOptions());

    /// <summary>
    /// Opens (or creates) the partition in <paramref name="directory"/> and recovers it: leftovers of interrupted
    /// compactions and atomic writes are discarded, the active segment is verified batch by batch and truncated at the
    /// first torn or corrupt batch, indexes are rebuilt where needed, and producer state is restored from its snapshot
    /// plus the batches after it.
    /// </summary>
    public static PartitionLog Open(string directory, TopicConfig config, TimeProvider time, ILogger? logger, BrokerStorageOptions options)
    {
        logger ??= NullLogger.Instance;
        System.IO.Directory.CreateDirectory(directory);
        var log = new PartitionLog(directory, config, time, logger, options);
        log.Load();
        return log;
    }

    /// <summary>
    /// Appends ONE client batch that the caller validated structurally (base offset 0, CRC): idempotence checks,
    /// offset assignment in place, LogAppendTime, write, index, roll and flush policy.
    /// </summary>
    public AppendResult Append(Span<byte> batch, long nowMs) => Append(batch, nowMs, deferFlush: false);

    /// <summary>
    /// Appends one validated client batch. With <paramref name="deferFlush"/>, an fsync the flush policy asks for is left to
    /// <see cref="WaitDurableAsync"/> (the result says <see cref="AppendResult.FlushPending"/>), so that batches appended
    /// while one fsync runs share the next one instead of each waiting for its own.
    /// </summary>
    public AppendResult Append(Span<byte> batch, long nowMs, bool deferFlush)
    {
        if (batch.Length < RecordBatch.HeaderSize || !StoredBatch.TryParse(batch, out var header) || header.TotalSize != batch.Length)
        {
            return Failed(ErrorCode.CorruptMessage);
        }

        var config = _config;
        if (batch.Length > config.MaxMessageBytes)
        {
            return Failed(ErrorCode.MessageTooLarge);
        }

        // The header gives the exact max timestamp and the first record's; Kafka checks every record, which would
        // need decompression here, so the past bound is checked against the first record only.
        if (config.TimestampType == TimestampType.CreateTime
            && (header.MaxTimestamp - nowMs > config.TimestampAfterMaxMs || nowMs - BaseTimestamp(batch) > config.TimestampBeforeMaxMs))
        {
            return Failed(ErrorCode.InvalidTimestamp);
        }

        lock (_lock)
        {
            if (_disposed)
            {
                // The topic was deleted (or the broker is stopping) while the request was in flight.
                return Failed(ErrorCode.UnknownTopicOrPartition);
            }

            var error = _producers.Check(header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.LastOffsetDelta, out var duplicate);
            if (error != ErrorCode.None)
            {
                return Failed(error);
            }

            if (duplicate is not null)
            {
                return new AppendResult(ErrorCode.None, duplicate.FirstOffset, duplicate.LastOffset, -1, LogStartOffset);
            }

            var baseOffset = _nextOffset;
            var lastOffset = baseOffset + header.LastOffsetDelta;
            RecordBatch.SetBaseOffset(batch, baseOffset);
            var maxTimestamp = header.MaxTimestamp;
            long appendTime = -1;
            if (config.TimestampType == TimestampType.LogAppendTime)
            {
                RecordBatch.SetMaxTimestamp(batch, TimestampType.LogAppendTime, nowMs);
                maxTimestamp = appendTime = nowMs;
            }

            var active = _segments[^1];
            var previousSize = active.Size;
            var flushPending = false;
            try
            {
                active = MaybeRollLocked(active, batch.Length, header.LastOffsetDelta, nowMs);
                previousSize = active.Size;
                active.Append(batch, baseOffset, lastOffset, maxTimestamp, nowMs);
                _dirty = true;
                _unflushedMessages += header.LastOffsetDelta + 1;
                if (ShouldFlushLocked(config))
                {
                    if (deferFlush)
                    {
                        flushPending = true;
                    }
                    else
                    {
                        active.Flush();
                        _unflushedMessages = 0;
                        _dirty = false;
                        Volatile.Write(ref _durableOffset, lastOffset + 1);
                    }
                }
            }
            catch (IOException ex)
            {
                // Never acknowledge what may not be on disk: cut the partial write off and report a storage error.
                _logger.AppendFailed(_directory, ex);
                TryTruncate(active, previousSize, baseOffset);
                return Failed(ErrorCode.KafkaStorageError);
            }

            _producers.Update(header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.LastOffsetDelta, baseOffset, lastOffset);
            Volatile.Write(ref _nextOffset, lastOffset + 1);
            var signal = _appendSignal;
            _appendSignal = NewSignal();
            signal.TrySetResult();
            return new AppendResult(ErrorCode.None, baseOffset, lastOffset, appendTime, LogStartOffset, flushPending);
        }
    }

    /// <summary>
    /// Completes once every record up to <paramref name="lastOffset"/> is fsynced. Waiters share fsyncs: the first one
    /// starts a flush of everything appended so far, the others wait for it (and start the next one if it did not
    /// cover them).
    /// </summary>
    /// <exception cref="IOException">The fsync failed: the records must not be acknowledged.</exception>
    public async ValueTask WaitDurableAsync(long lastOffset)
    {
        while (Volatile.Read(ref _durableOffset) <= lastOffset)
        {
            Task flush;
            lock (_lock)
            {
                if (_disposed || Volatile.Read(ref _durableOffset) > lastOffset)
                {
                    // Disposing flushes everything; a deleted topic has nothing left to make durable.
                    return;
                }

                if (_groupFlush is null || _groupFlush.IsCompleted)
                {
                    _groupFlush = FlushUpToAsync(_segments[^1], _nextOffset);
                }

                flush = _groupFlush;
            }

            await flush.ConfigureAwait(false);
        }
    }

    /// <summary>fsyncs <paramref name="segment"/> outside the lock (appends carry on meanwhile), then publishes what it covered.</summary>
    private async Task FlushUpToAsync(LogSegment segment, long target)
    {
        // A segment rolled away since was sealed (fsynced) by the roll, so the active one at start is the only one to flush.
        await Task.Yield();
        try
        {
            segment.Flush();
        }
        catch (ObjectDisposedException) when (_disposed)
        {
            return;
        }

        lock (_lock)
        {
            if (target > _durableOffset)
            {
                Volatile.Write(ref _durableOffset, target);
            }
        }
    }

    /// <summary>
    /// Reads whole stored batches starting with the batch that contains <paramref name="offset"/>: at least one
    /// batch even when larger than <paramref name="maxBytes"/> (KIP-74), then as many as fit; none whose base offset
    /// exceeds <paramref name="maxOffset"/>. OffsetOutOfRange below the log start or beyond the next offset; empty at
    /// the next offset.
    /// </summary>
    public ReadResult Read(long offset, int maxBytes, long maxOffset = long.MaxValue)
    {
        var logStart = LogStartOffset;
        var next = NextOffset;
        if (offset < logStart || offset > next)
        {
            return new ReadResult(ErrorCode.OffsetOutOfRange, null, 0, logStart, next);
        }

        if (offset == next)
        {
            return new ReadResult(ErrorCode.None, null, 0, logStart, next);
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var segments = _segments;
            var retired = false;
            for (var i = FloorSegment(segments, offset); i < segments.Length; i++)
            {
                var segment = segments[i];
                if (!segment.TryAcquire())
                {
                    // Retired by retention or compaction between the snapshot and here: retry on a fresh list.
                    retired = true;
                    break;
                }

                try
                {
                    // Never past the next offset read above: an append writes its batch (and fsyncs it) before it
                    // publishes the new next offset, and cuts the batch off again when that fails, so bytes beyond it are
                    // not acknowledged yet and may never be. Kafka likewise serves nothing above the high watermark.
                    if (segment.Read(offset, maxBytes, Math.Min(maxOffset, next - 1), out var buffer, out var length))
                    {
                        return new ReadResult(ErrorCode.None, buffer, length, LogStartOffset, next);
                    }
                }
                finally
                {
                    segment.Release();
                }
            }

            if (!retired)
            {
                break;
            }
        }

        return new ReadResult(ErrorCode.None, null, 0, LogStartOffset, next);
    }

    /// <summary>
    /// Completes when <see cref="NextOffset"/> exceeds <paramref name="offset"/> (Fetch long-polling), or when the
    /// log is disposed. Waiters hang off a signal that each append replaces, so none accumulate.
    /// </summary>
    public async Task WaitForAppendAsync(long offset, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (_lock)
            {
                if (_nextOffset > offset || _disposed)
                {
                    return;
                }

                signal = _appendSignal.Task;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// ListOffsets by timestamp: the base offset of the first batch whose max timestamp is ≥
    /// <paramref name="timestampMs"/> (never below the log start offset), or null when none is.
    /// </summary>
    public long? OffsetForTimestamp(long timestampMs)
    {
        foreach (var segment in _segments)
        {
            if (segment.MaxTimestamp < timestampMs || !segment.TryAcquire())
            {
                continue;
            }

            try
            {
                var found = segment.FindOffsetForTimestamp(timestampMs);
                if (found is { } offset)
                {
                    return Math.Max(offset, LogStartOffset);
                }
            }
            finally
            {
                segment.Release();
            }
        }

        return null;
    }

    /// <summary>
    /// DeleteRecords: moves the log start offset up to <paramref name="offset"/> (checkpointed) and deletes the
    /// segments entirely below it. OffsetOutOfRange beyond the next offset.
    /// </summary>
    public ErrorCode DeleteRecordsBefore(long offset)
    {
        lock (_maintenanceLock)
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return ErrorCode.UnknownTopicOrPartition;
                }

                if (offset < 0 || offset > _nextOffset)
                {
                    return ErrorCode.OffsetOutOfRange;
                }

                if (offset <= _logStartOffset)
                {
                    return ErrorCode.None;
                }

                // Everything is deleted: roll so the old active segment becomes sealed and deletable.
                if (offset == _nextOffset && _segments[^1].Size > 0)
                {
                    RollLocked(_time.GetUtcNow().ToUnixTimeMilliseconds());
                }

                SetLogStartOffsetLocked(offset);
                DeleteSegmentsBelowLocked(offset, "delete records");
                return ErrorCode.None;
            }
        }
    }

    /// <summary>
    /// Time and size retention for <c>cleanup.policy</c> containing delete: removes whole sealed segments whose newest
    /// batch is older than <c>retention.ms</c>, then the oldest sealed segments while the partition exceeds
    /// <c>retention.bytes</c>. Never the active segment. Returns the bytes deleted.
    /// </summary>
    public long EnforceRetention(long nowMs)
    {
        var config = _config;
        if (!config.Delete)
        {
            return 0;
        }

        lock (_maintenanceLock)
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return 0;
                }

                long deleted = 0;
                var total = SizeInBytes;
                while (_segments.Length > 1)
                {
                    var oldest = _segments[0];
                    var expired = config.RetentionMs >= 0 && oldest.MaxTimestamp >= 0 && nowMs - oldest.MaxTimestamp > config.RetentionMs;
                    var oversized = config.RetentionBytes >= 0 && total - oldest.Size >= config.RetentionBytes;
                    // A compacted-away (empty) segment has no timestamp; it goes when the next one is deleted.
                    if (!expired && !oversized)
                    {
                        break;
                    }

                    deleted += oldest.Size;
                    total -= oldest.Size;
                    _segments = _segments[1..];
                    oldest.Retire(deleteFiles: true);
                    _logger.DeletedSegment(_directory, Path.GetFileName(oldest.LogPath), expired ? "retention.ms" : "retention.bytes");
                }

                if (_segments[0].BaseOffset > _logStartOffset)
                {
                    SetLogStartOffsetLocked(_segments[0].BaseOffset);
                }

                return deleted;
            }
        }
    }

    /// <summary>fsync the active segment.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                FlushLocked();
            }
        }
    }

    /// <summary>Applies a changed topic config (AlterConfigs) to this partition.</summary>
    public void UpdateConfig(TopicConfig config)
    {
        lock (_lock)
        {
            _config = config;
            foreach (var segment in _segments)
            {
                segment.SetIndexInterval(config.IndexIntervalBytes);
            }

            ConfigureFlushTimerLocked();
        }
    }

    /// <summary>Flushes, writes the active segment's indexes and the producer snapshot, and closes every file.</summary>
    public void Dispose()
    {
        lock (_maintenanceLock)
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                _flushTimer?.Dispose();
                try
                {
                    var active = _segments[^1];
                    active.Flush();
                    active.WriteIndexes();
                    _producers.Save(Path.Combine(_directory, ProducerStateFile), _nextOffset);
                }
                finally
                {
                    foreach (var segment in _segments)
                    {
                        segment.Release();
                    }

                    _appendSignal.TrySetResult();
                }
            }
        }
    }

    /// <summary>Disposes the log and removes its directory (DeleteTopic).</summary>
    public void DeleteFiles()
    {
        Dispose();
        if (System.IO.Directory.Exists(_directory))
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppendResult Failed(ErrorCode error) => new(error, -1, -1, -1, LogStartOffset);

    private static long BaseTimestamp(ReadOnlySpan<byte> batch) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatch.BaseTimestampOffset..]);

    private static int FloorSegment(LogSegment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1, found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    private LogSegment MaybeRollLocked(LogSegment active, int batchSize, int lastOffsetDelta, long nowMs)
    {
        var config = _config;
        var full = active.Size > 0 && active.Size + batchSize > config.SegmentBytes;
        var old = active.Size > 0 && active.RollStartMs is { } start && nowMs - start >= config.SegmentMs;
        // Index entries store offsets relative to the segment base as int32.
        var offsetOverflow = _nextOffset + lastOffsetDelta - active.BaseOffset > int.MaxValue;
        return full || old || offsetOverflow ? RollLocked(nowMs) : active;
    }

    private LogSegment RollLocked(long nowMs)
    {
        _ = nowMs;
        var active = _segments[^1];
        // Sealing fsyncs before the next segment file exists, so recovery only ever has to verify the last segment.
        active.Seal();
        _unflushedMessages = 0;
        _dirty = false;
        Volatile.Write(ref _durableOffset, _nextOffset);
        _producers.Save(Path.Combine(_directory, ProducerStateFile), _nextOffset);
        var next = LogSegment.Create(_directory, _nextOffset, _config.IndexIntervalBytes);
        _segments = [.. _segments, next];
        return next;
    }

    private bool ShouldFlushLocked(TopicConfig config)
    {
        if (_options.FlushPolicy == FlushPolicy.EveryBatch || _unflushedMessages >= config.FlushMessages)
        {
            return true;
        }

        return _options.FlushPolicy == FlushPolicy.Messages && _unflushedMessages >= _options.FlushMessages;
    }

    private void FlushLocked()
    {
        if (_dirty)
        {
            _segments[^1].Flush();
            _dirty = false;
            _unflushedMessages = 0;
            Volatile.Write(ref _durableOffset, _nextOffset);
        }
    }

    private void ConfigureFlushTimerLocked()
    {
        var periodMs = _config.FlushMs;
        if (_options.FlushPolicy == FlushPolicy.Interval)
        {
            periodMs = Math.Min(periodMs, _options.FlushIntervalMs);
        }

        _flushTimer?.Dispose();
        _flushTimer = null;
        // Long.MaxValue means "never" (Kafka's default), which TimeSpan cannot hold anyway.
        if (periodMs > 0 && periodMs < (long)TimeSpan.FromDays(365).TotalMilliseconds)
        {
            var period = TimeSpan.FromMilliseconds(periodMs);
            _flushTimer = _time.CreateTimer(static state => ((PartitionLog)state!).OnFlushTimer(), this, period, period);
        }
    }

    private void OnFlushTimer()
    {
        try
        {
            Flush();
        }
        catch (IOException ex)
        {
            _logger.FlushFailed(_directory, ex);
        }
    }

    private void TryTruncate(LogSegment active, long size, long nextOffset)
    {
        try
        {
            active.TruncateTo(size, nextOffset);
        }
        catch (IOException ex)
        {
            _logger.AppendFailed(_directory, ex);
        }
    }

    private void SetLogStartOffsetLocked(long offset)
    {
        Volatile.Write(ref _logStartOffset, offset);
        AtomicFile.Write(Path.Combine(_directory, LogStartCheckpointFile), System.Text.Encoding.ASCII.GetBytes(offset.ToString(CultureInfo.InvariantCulture)));
    }

    private void DeleteSegmentsBelowLocked(long offset, string reason)
    {
        // A segment is entirely below the offset when the next segment starts at or before it.
        while (_segments.Length > 1 && _segments[1].BaseOffset <= offset)
        {
            var oldest = _segments[0];
            _segments = _segments[1..];
            oldest.Retire(deleteFiles: true);
            _logger.DeletedSegment(_directory, Path.GetFileName(oldest.LogPath), reason);
        }
    }

    private void Load()
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(_directory))
        {
            if (file.EndsWith(LogSegment.CleanedSuffix, StringComparison.Ordinal) || file.EndsWith(AtomicFile.TempSuffix, StringComparison.Ordinal))
            {
                // An interrupted compaction or atomic write: the original file is still intact.
                _logger.DiscardedLeftover(file);
                File.Delete(file);
            }
        }

        var bases = new List<long>();
        foreach (var file in System.IO.Directory.EnumerateFiles(_directory, "*" + LogSegment.LogSuffix))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var baseOffset))
            {
                bases.Add(baseOffset);
            }
        }

        bases.Sort();
        var segments = new List<LogSegment>(Math.Max(bases.Count, 1));
        var interval = _config.IndexIntervalBytes;
        try
        {
            for (var i = 0; i < bases.Count - 1; i++)
            {
                segments.Add(LogSegment.OpenSealed(_directory, bases[i], interval, _logger));
            }

            segments.Add(bases.Count == 0
                ? LogSegment.Create(_directory, 0, interval)
                : LogSegment.OpenActive(_directory, bases[^1], interval, _logger));
        }
        catch
        {
            foreach (var segment in segments)
            {
                segment.Close();
            }

            throw;
        }

        _segments = [.. segments];
        _nextOffset = segments[^1].NextOffset;
        _durableOffset = _nextOffset;
        _logStartOffset = Math.Min(Math.Max(ReadCheckpoint(), segments[0].BaseOffset), _nextOffset);
        RestoreProducerState();
        ConfigureFlushTimerLocked();
        _logger.Opened(_directory, segments.Count, _logStartOffset, _nextOffset);
    }

    private long ReadCheckpoint()
    {
        var path = Path.Combine(_directory, LogStartCheckpointFile);
        return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? offset
            : 0;
    }

    private void RestoreProducerState()
    {
        var path = Path.Combine(_directory, ProducerStateFile);
        var validUpTo = _producers.Load(path, out var problem);
        if (problem is not null)
        {
            _logger.IgnoredProducerSnapshot(path, problem);
        }

        if (validUpTo is null || validUpTo > _nextOffset)
        {
            if (validUpTo is not null)
            {
                _logger.IgnoredProducerSnapshot(path, $"it covers offsets up to {validUpTo} but the log ends at {_nextOffset}");
            }

            _producers.Clear();
            validUpTo = _segments[0].BaseOffset;
        }

        var from = validUpTo.Value;
        foreach (var segment in _segments)
        {
            if (segment.NextOffset <= from)
            {
                continue;
            }

            segment.ForEachHeader(from, header =>
            {
                if (header.BaseOffset >= from)
                {
                    _producers.Update(header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.LastOffsetDelta, header.BaseOffset, header.LastOffset);
                }
            });
        }
    }
}
