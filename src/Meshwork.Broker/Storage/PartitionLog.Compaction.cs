using Meshwork.Kafka.Protocol.Records;

namespace Meshwork.Broker.Storage;

/// <summary>Log compaction (<c>cleanup.policy</c> containing compact).</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Rewrites the sealed segments so each key keeps only its latest record (records in the active segment count as
    /// later), dropping tombstones whose batch is older than <c>delete.retention.ms</c>. Segments younger than
    /// <c>min.compaction.lag.ms</c> and everything after them stay untouched. Offsets and batch timestamps are kept;
    /// rewritten batches have offset gaps. Each segment is replaced atomically (<c>.cleaned</c>, fsync, rename), so a
    /// crash leaves the old or the new file. Runs only when the uncleaned share of the cleanable segments reaches
    /// <c>min.cleanable.dirty.ratio</c>. Returns the bytes reclaimed.
    /// </summary>
    public long Compact(long nowMs)
    {
        var config = _config;
        if (!config.Compact)
        {
            return 0;
        }

        lock (_maintenanceLock)
        {
            LogSegment[] segments;
            lock (_lock)
            {
                if (_disposed)
                {
                    return 0;
                }

                segments = _segments;
            }

            var cleanable = 0;
            while (cleanable < segments.Length - 1
                && (config.MinCompactionLagMs == 0 || segments[cleanable].MaxTimestamp <= nowMs - config.MinCompactionLagMs))
            {
                cleanable++;
            }

            if (cleanable == 0 || !IsDirtyEnough(segments, cleanable, config.MinCleanableDirtyRatio))
            {
                return 0;
            }

            var latest = BuildOffsetMap(segments);
            long before = 0, after = 0;
            var rewritten = 0;
            for (var i = 0; i < cleanable; i++)
            {
                var segment = segments[i];
                var cleanedPath = segment.LogPath + LogSegment.CleanedSuffix;
                long newSize;
                using (var output = new FileStream(cleanedPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024))
                {
                    foreach (var (_, bytes) in segment.ReadAllBatches())
                    {
                        var kept = CleanBatch(bytes, latest, nowMs - config.DeleteRetentionMs);
                        if (kept is not null)
                        {
                            output.Write(kept);
                        }
                    }

                    output.Flush(flushToDisk: true);
                    newSize = output.Length;
                }

                if (newSize == segment.Size)
                {
                    File.Delete(cleanedPath);
                    continue;
                }

                if (SwapCleaned(segment, cleanedPath))
                {
                    before += segment.Size;
                    after += newSize;
                    rewritten++;
                }
            }

            _cleanedUpTo = segments[cleanable - 1].NextOffset;
            if (rewritten > 0)
            {
                _logger.Compacted(_directory, rewritten, before, after);
            }

            return before - after;
        }
    }

    /// <summary>
    /// Kafka's <c>min.cleanable.dirty.ratio</c>: clean only when the not-yet-cleaned share of the cleanable segments
    /// reaches the ratio. What has been cleaned is remembered in memory only, so the first pass after a restart always
    /// runs (and finds little to do on a clean log).
    /// </summary>
    private bool IsDirtyEnough(LogSegment[] segments, int cleanable, double ratio)
    {
        long clean = 0, total = 0;
        for (var i = 0; i < cleanable; i++)
        {
            total += segments[i].Size;
            if (segments[i].NextOffset <= _cleanedUpTo)
            {
                clean += segments[i].Size;
            }
        }

        return total > 0 && (total - clean) >= ratio * total;
    }

    private static Dictionary<string, long> BuildOffsetMap(LogSegment[] segments)
    {
        var latest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var segment in segments)
        {
            foreach (var (_, bytes) in segment.ReadAllBatches())
            {
                if (!IsDataBatch(bytes))
                {
                    continue;
                }

                foreach (var record in RecordBatch.ReadRecords(bytes, KafkaCompression.Instance))
                {
                    if (record.Key is { } key)
                    {
                        latest[Convert.ToBase64String(key.Span)] = record.Offset;
                    }
                }
            }
        }

        return latest;
    }

    private static bool IsDataBatch(byte[] bytes) => !RecordBatch.ReadHeader(bytes).IsControl;

    /// <summary>The batch as it should be stored after cleaning: the same bytes, a rebuilt batch, or null when empty.</summary>
    private static byte[]? CleanBatch(byte[] bytes, Dictionary<string, long> latest, long tombstoneHorizonMs)
    {
        var header = RecordBatch.ReadHeader(bytes);
        if (header.IsControl)
        {
            return bytes;
        }

        var records = RecordBatch.ReadRecords(bytes, KafkaCompression.Instance);
        var dropTombstones = header.MaxTimestamp < tombstoneHorizonMs;
        List<Record>? kept = null;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var keep = record.Key is not { } key
                || (latest.TryGetValue(Convert.ToBase64String(key.Span), out var newest) && newest == record.Offset && !(record.Value is null && dropTombstones));
            if (keep)
            {
                kept?.Add(record);
            }
            else if (kept is null)
            {
                kept = records.GetRange(0, i);
            }
        }

        if (kept is null)
        {
            return bytes;
        }

        if (kept.Count == 0)
        {
            return null;
        }

        // Producer fields are cleared: rewritten batches are no longer the producer's and must not feed
        // idempotence state on recovery.
        var builder = new RecordBatchBuilder
        {
            BaseOffset = header.BaseOffset,
            PartitionLeaderEpoch = header.PartitionLeaderEpoch,
            TimestampType = header.TimestampType,
            Compression = header.Compression,
            Compressor = KafkaCompression.Instance,
        };
        foreach (var record in kept)
        {
            builder.Add(record.Timestamp, record.Key, record.Value, record.Headers, record.OffsetDelta);
        }

        return builder.Build();
    }

    private bool SwapCleaned(LogSegment segment, string cleanedPath)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_segments, segment);
            if (_disposed || index < 0)
            {
                File.Delete(cleanedPath);
                return false;
            }

            // Stale index files go first: a crash after the rename then finds no index and rebuilds it by scanning.
            File.Delete(LogSegment.PathFor(_directory, segment.BaseOffset, LogSegment.IndexSuffix));
            File.Delete(LogSegment.PathFor(_directory, segment.BaseOffset, LogSegment.TimeIndexSuffix));
            File.Move(cleanedPath, segment.LogPath, overwrite: true);
            var replacement = LogSegment.OpenSealed(_directory, segment.BaseOffset, _config.IndexIntervalBytes, _logger, logRebuild: false);
            var updated = (LogSegment[])_segments.Clone();
            updated[index] = replacement;
            _segments = updated;
            // Readers that acquired the old segment keep reading the old (now unlinked) inode until they release it.
            segment.Retire(deleteFiles: false);
            return true;
        }
    }
}
