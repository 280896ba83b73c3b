using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Meshwork.Broker.Storage;

/// <summary>
/// One <c>{baseOffset:D20}.log</c> file with its sparse offset index (<c>.index</c>: int32 relative offset, int32
/// position) and time index (<c>.timeindex</c>: int64 max timestamp so far, int32 relative offset). Indexes live in
/// memory and are written when the segment is sealed or closed. Appends come from one writer at a time (the
/// partition lock); reads are lock-free and may run concurrently, bounded by the published <see cref="Size"/>.
/// Reference-counted so a reader holding a segment that compaction or retention retires never sees a closed handle.
/// </summary>
internal sealed class LogSegment
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string CleanedSuffix = ".cleaned";
    private const int OffsetEntrySize = 8;
    private const int TimeEntrySize = 12;
    private const int RecoveryBufferSize = 64 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly FileStream _stream;
    private readonly SparseIndex _offsetIndex = new();
    private readonly SparseIndex _timeIndex = new();
    private readonly string _directory;
    private int _indexIntervalBytes;
    private long _size;
    private long _nextOffset;
    private long _maxTimestamp = -1;
    private long _offsetOfMaxTimestamp;
    private int _bytesSinceIndexEntry;
    private int _refCount = 1;

    private LogSegment(string directory, long baseOffset, int indexIntervalBytes, FileMode mode)
    {
        _directory = directory;
        BaseOffset = baseOffset;
        _indexIntervalBytes = indexIntervalBytes;
        _nextOffset = baseOffset;
        LogPath = PathFor(directory, baseOffset, LogSuffix);
        // FileShare.Delete: retention may unlink the file while a reader still holds it (POSIX keeps the inode).
        _handle = File.OpenHandle(LogPath, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        _stream = new FileStream(_handle, FileAccess.ReadWrite, bufferSize: 0);
    }

    /// <summary>Offset of the first batch the segment may hold (its file name).</summary>
    public long BaseOffset { get; }

    /// <summary>Full path of the <c>.log</c> file.</summary>
    public string LogPath { get; }

    /// <summary>Bytes of whole batches in the file.</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>Last offset in the segment + 1 (equals <see cref="BaseOffset"/> when empty).</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    /// <summary>Largest batch max timestamp, or -1 when empty.</summary>
    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    /// <summary>Wall-clock ms of the first append (or the first batch's timestamp after a restart), for <c>segment.ms</c>.</summary>
    public long? RollStartMs { get; private set; }

    /// <summary>True once <see cref="Seal"/> ran: no more appends.</summary>
    public bool IsSealed { get; private set; }

    public static string PathFor(string directory, long baseOffset, string suffix) =>
        Path.Combine(directory, baseOffset.ToString("D20", CultureInfo.InvariantCulture) + suffix);

    /// <summary>Creates a new, empty active segment.</summary>
    public static LogSegment Create(string directory, long baseOffset, int indexIntervalBytes)
    {
        foreach (var suffix in (ReadOnlySpan<string>)[IndexSuffix, TimeIndexSuffix])
        {
            File.Delete(PathFor(directory, baseOffset, suffix));
        }

        return new LogSegment(directory, baseOffset, indexIntervalBytes, FileMode.Create);
    }

    /// <summary>
    /// Opens the active segment and recovers it: every batch is checked (sane header, fits in the file, CRC,
    /// offsets contiguous from <see cref="BaseOffset"/>); the file is truncated at the first bad batch and the
    /// indexes are rebuilt. <paramref name="onBatch"/> sees every surviving batch header (producer state).
    /// </summary>
    public static LogSegment OpenActive(string directory, long baseOffset, int indexIntervalBytes, ILogger logger, Action<StoredBatch, long>? onBatch = null)
    {
        var segment = new LogSegment(directory, baseOffset, indexIntervalBytes, FileMode.OpenOrCreate);
        try
        {
            segment.Recover(logger, onBatch);
            return segment;
        }
        catch
        {
            segment.Close();
            throw;
        }
    }

    /// <summary>Opens a sealed segment, loading its index files or rebuilding them when missing or inconsistent.</summary>
    public static LogSegment OpenSealed(string directory, long baseOffset, int indexIntervalBytes, ILogger logger, bool logRebuild = true)
    {
        var segment = new LogSegment(directory, baseOffset, indexIntervalBytes, FileMode.Open) { IsSealed = true };
        try
        {
            segment._size = RandomAccess.GetLength(segment._handle);
            var problem = segment.TryLoadIndexes();
            if (problem is not null)
            {
                if (logRebuild)
                {
                    logger.RebuiltIndex(segment.LogPath, problem);
                }

                segment._offsetIndex.Clear();
                segment._timeIndex.Clear();
                segment.ScanHeaders(0, addIndexEntries: true);
                segment.AddFinalTimeEntry();
                segment.WriteIndexes();
            }
            else
            {
                var view = segment._offsetIndex.Current;
                segment.ScanHeaders(view.Count == 0 ? 0 : view.Values[view.Count - 1], addIndexEntries: false);
            }

            segment.RollStartMs = segment.MaxTimestamp;
            return segment;
        }
        catch
        {
            segment.Close();
            throw;
        }
    }

    /// <summary>Changes the index interval (topic config altered).</summary>
    public void SetIndexInterval(int indexIntervalBytes) => _indexIntervalBytes = indexIntervalBytes;

    /// <summary>Appends one batch whose offsets are already assigned. Caller holds the partition lock.</summary>
    public void Append(ReadOnlySpan<byte> batch, long baseOffset, long lastOffset, long maxTimestamp, long nowMs)
    {
        var position = _size;
        RandomAccess.Write(_handle, batch, position);
        RollStartMs ??= nowMs;
        OnBatch(baseOffset, maxTimestamp, position, batch.Length, addIndexEntries: true);
        Volatile.Write(ref _nextOffset, lastOffset + 1);
        // Published last: a reader that sees the new size also sees the index entries pointing into it.
        Volatile.Write(ref _size, position + batch.Length);
    }

    /// <summary>Cuts the file back to <paramref name="size"/> after a failed append.</summary>
    public void TruncateTo(long size, long nextOffset)
    {
        _stream.SetLength(size);
        Volatile.Write(ref _size, size);
        Volatile.Write(ref _nextOffset, nextOffset);
    }

    /// <summary>fsync the log file.</summary>
    public void Flush() => _stream.Flush(flushToDisk: true);

    /// <summary>Flushes, writes the index files and stops accepting appends.</summary>
    public void Seal()
    {
        Flush();
        AddFinalTimeEntry();
        WriteIndexes();
        IsSealed = true;
    }

    /// <summary>Writes both index files atomically.</summary>
    public void WriteIndexes()
    {
        var offsets = _offsetIndex.Current;
        var buffer = new byte[Math.Max(offsets.Count * OffsetEntrySize, _timeIndex.Current.Count * TimeEntrySize)];
        for (var i = 0; i < offsets.Count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(i * OffsetEntrySize), (int)offsets.Keys[i]);
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan((i * OffsetEntrySize) + 4), (int)offsets.Values[i]);
        }

        AtomicFile.Write(PathFor(_directory, BaseOffset, IndexSuffix), buffer.AsSpan(0, offsets.Count * OffsetEntrySize));
        var times = _timeIndex.Current;
        for (var i = 0; i < times.Count; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(i * TimeEntrySize), times.Keys[i]);
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan((i * TimeEntrySize) + 8), (int)times.Values[i]);
        }

        AtomicFile.Write(PathFor(_directory, BaseOffset, TimeIndexSuffix), buffer.AsSpan(0, times.Count * TimeEntrySize));
    }

    /// <summary>Takes a reference for a read; false when the segment was retired meanwhile.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var count = Volatile.Read(ref _refCount);
            if (count == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _refCount, count + 1, count) == count)
            {
                return true;
            }
        }
    }

    /// <summary>Drops a reference; the last one closes the file.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _refCount) == 0)
        {
            Close();
        }
    }

    /// <summary>
    /// Removes the segment from service: optionally unlinks its files now (open readers keep the inode), and closes
    /// the handle once the last reader releases it.
    /// </summary>
    public void Retire(bool deleteFiles)
    {
        if (deleteFiles)
        {
            DeleteFiles();
        }

        Release();
    }

    /// <summary>Unlinks the log and index files.</summary>
    public void DeleteFiles()
    {
        foreach (var suffix in (ReadOnlySpan<string>)[LogSuffix, IndexSuffix, TimeIndexSuffix])
        {
            File.Delete(PathFor(_directory, BaseOffset, suffix));
        }
    }

    /// <summary>
    /// Finds the batch containing <paramref name="offset"/> (or the first batch after it, across compaction gaps).
    /// Returns its file position, or -1 when no batch in the segment ends at or after <paramref name="offset"/>.
    /// </summary>
    public long FindPosition(long offset, out StoredBatch batch)
    {
        var view = _offsetIndex.Current;
        var entry = view.Floor(offset - BaseOffset);
        var position = entry < 0 ? 0 : view.Values[entry];
        return ScanTo(position, b => b.LastOffset >= offset, out batch);
    }

    /// <summary>
    /// Reads whole batches starting at the one containing <paramref name="offset"/>: at least one batch (KIP-74),
    /// then as many as fit in <paramref name="maxBytes"/>, none whose base offset is beyond <paramref name="maxOffset"/>.
    /// Returns false when the segment holds nothing at or after <paramref name="offset"/>.
    /// </summary>
    public bool Read(long offset, int maxBytes, long maxOffset, out byte[]? buffer, out int length)
    {
        buffer = null;
        length = 0;
        var size = Size;
        var position = FindPosition(offset, out var first);
        if (position < 0)
        {
            return false;
        }

        if (first.BaseOffset > maxOffset)
        {
            return true;
        }

        var want = (int)Math.Max(first.TotalSize, Math.Min(maxBytes, size - position));
        buffer = ArrayPool<byte>.Shared.Rent(want);
        ReadExactly(buffer.AsSpan(0, want), position);
        var span = buffer.AsSpan(0, want);
        var end = 0;
        while (span.Length - end >= RecordBatch.HeaderSize)
        {
            var batchLength = BinaryPrimitives.ReadInt32BigEndian(span[(end + RecordBatch.BatchLengthOffset)..]);
            var baseOffset = BinaryPrimitives.ReadInt64BigEndian(span[end..]);
            if ((long)end + RecordBatch.LogOverhead + batchLength > span.Length || (end > 0 && baseOffset > maxOffset))
            {
                break;
            }

            end += RecordBatch.LogOverhead + batchLength;
        }

        length = end;
        return true;
    }

    /// <summary>Reads the segment's batches as (position, header, bytes) for compaction; bytes are a fresh array.</summary>
    public IEnumerable<(StoredBatch Header, byte[] Bytes)> ReadAllBatches()
    {
        var size = Size;
        long position = 0;
        var scratch = new byte[RecordBatch.HeaderSize];
        while (position + RecordBatch.HeaderSize <= size)
        {
            ReadExactly(scratch, position);
            if (!StoredBatch.TryParse(scratch, out var header) || position + header.TotalSize > size)
            {
                yield break;
            }

            var bytes = new byte[header.TotalSize];
            ReadExactly(bytes, position);
            yield return (header, bytes);
            position += header.TotalSize;
        }
    }

    /// <summary>Batch headers from <paramref name="fromOffset"/> on, for rebuilding producer state.</summary>
    public void ForEachHeader(long fromOffset, Action<StoredBatch> action)
    {
        var position = FindPosition(fromOffset, out _);
        if (position < 0)
        {
            return;
        }

        var size = Size;
        Span<byte> scratch = stackalloc byte[RecordBatch.HeaderSize];
        while (position + RecordBatch.HeaderSize <= size)
        {
            ReadExactly(scratch, position);
            if (!StoredBatch.TryParse(scratch, out var header))
            {
                return;
            }

            action(header);
            position += header.TotalSize;
        }
    }

    /// <summary>
    /// The base offset of the first batch whose max timestamp is ≥ <paramref name="timestampMs"/>, or null.
    /// Entries of the time index hold the running max, so everything up to an entry whose timestamp is below the
    /// target is also below it: scanning starts there.
    /// </summary>
    public long? FindOffsetForTimestamp(long timestampMs)
    {
        if (MaxTimestamp < timestampMs)
        {
            return null;
        }

        var times = _timeIndex.Current;
        var entry = times.Lower(timestampMs);
        long position = 0;
        if (entry >= 0)
        {
            var offsets = _offsetIndex.Current;
            var floor = offsets.Floor(times.Values[entry]);
            position = floor < 0 ? 0 : offsets.Values[floor];
        }

        var found = ScanTo(position, b => b.MaxTimestamp >= timestampMs, out var batch);
        return found < 0 ? null : batch.BaseOffset;
    }

    /// <summary>Closes the file handle (no flush).</summary>
    public void Close()
    {
        _stream.Dispose();
        _handle.Dispose();
    }

    private long ScanTo(long position, Func<StoredBatch, bool> match, out StoredBatch batch)
    {
        var size = Size;
        Span<byte> scratch = stackalloc byte[RecordBatch.HeaderSize];
        while (position + RecordBatch.HeaderSize <= size)
        {
            ReadExactly(scratch, position);
            if (!StoredBatch.TryParse(scratch, out batch))
            {
                break;
            }

            if (match(batch))
            {
                return position;
            }

            position += batch.TotalSize;
        }

        batch = default;
        return -1;
    }

    private void ReadExactly(Span<byte> destination, long position)
    {
        while (destination.Length > 0)
        {
            var read = RandomAccess.Read(_handle, destination, position);
            if (read <= 0)
            {
                throw new IOException($"Unexpected end of segment {LogPath} at position {position}.");
            }

            destination = destination[read..];
            position += read;
        }
    }

    private void OnBatch(long baseOffset, long maxTimestamp, long position, int size, bool addIndexEntries)
    {
        if (maxTimestamp > _maxTimestamp)
        {
            Volatile.Write(ref _maxTimestamp, maxTimestamp);
            _offsetOfMaxTimestamp = baseOffset;
        }

        if (addIndexEntries && _bytesSinceIndexEntry > _indexIntervalBytes)
        {
            _offsetIndex.Add(baseOffset - BaseOffset, position);
            AddFinalTimeEntry();
            _bytesSinceIndexEntry = 0;
        }

        _bytesSinceIndexEntry += size;
    }

    private void AddFinalTimeEntry()
    {
        var times = _timeIndex.Current;
        if (_maxTimestamp >= 0 && (times.Count == 0 || times.Keys[times.Count - 1] < _maxTimestamp))
        {
            _timeIndex.Add(_maxTimestamp, _offsetOfMaxTimestamp - BaseOffset);
        }
    }

    private void ScanHeaders(long position, bool addIndexEntries)
    {
        var size = _size;
        Span<byte> scratch = stackalloc byte[RecordBatch.HeaderSize];
        while (position + RecordBatch.HeaderSize <= size)
        {
            ReadExactly(scratch, position);
            if (!StoredBatch.TryParse(scratch, out var header) || position + header.TotalSize > size)
            {
                break;
            }

            OnBatch(header.BaseOffset, header.MaxTimestamp, position, header.TotalSize, addIndexEntries);
            _nextOffset = header.LastOffset + 1;
            position += header.TotalSize;
        }
    }

    private void Recover(ILogger logger, Action<StoredBatch, long>? onBatch)
    {
        var fileLength = RandomAccess.GetLength(_handle);
        var buffer = ArrayPool<byte>.Shared.Rent(RecoveryBufferSize);
        long position = 0;
        var expected = BaseOffset;
        string? reason = null;
        try
        {
            while (position < fileLength)
            {
                if (fileLength - position < RecordBatch.HeaderSize)
                {
                    reason = "partial batch header";
                    break;
                }

                ReadExactly(buffer.AsSpan(0, RecordBatch.HeaderSize), position);
                if (!StoredBatch.TryParse(buffer, out var stored))
                {
                    reason = "implausible batch header";
                    break;
                }

                if (stored.TotalSize > fileLength - position)
                {
                    reason = $"batch of {stored.TotalSize} bytes runs past the end of the file";
                    break;
                }

                if (stored.BaseOffset != expected)
                {
                    reason = $"base offset {stored.BaseOffset} where {expected} was expected";
                    break;
                }

                if (buffer.Length < stored.TotalSize)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(stored.TotalSize);
                }

                var batch = buffer.AsSpan(0, stored.TotalSize);
                ReadExactly(batch, position);
                try
                {
                    if (!RecordBatch.IsCrcValid(batch))
                    {
                        reason = "CRC mismatch";
                        break;
                    }
                }
                catch (KafkaProtocolException ex)
                {
                    reason = ex.Message;
                    break;
                }

                onBatch?.Invoke(stored, position);
                OnBatch(stored.BaseOffset, stored.MaxTimestamp, position, stored.TotalSize, addIndexEntries: true);
                RollStartMs ??= stored.MaxTimestamp;
                expected = stored.LastOffset + 1;
                position += stored.TotalSize;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (position < fileLength)
        {
            logger.TruncatedTail(_directory, fileLength - position, position, Path.GetFileName(LogPath), reason ?? "unknown");
            _stream.SetLength(position);
            _stream.Flush(flushToDisk: true);
        }

        _size = position;
        _nextOffset = expected;
    }

    private string? TryLoadIndexes()
    {
        var indexPath = PathFor(_directory, BaseOffset, IndexSuffix);
        var timePath = PathFor(_directory, BaseOffset, TimeIndexSuffix);
        if (!File.Exists(indexPath) || !File.Exists(timePath))
        {
            return "index file missing";
        }

        var offsets = File.ReadAllBytes(indexPath);
        var times = File.ReadAllBytes(timePath);
        if (offsets.Length % OffsetEntrySize != 0 || times.Length % TimeEntrySize != 0)
        {
            return "index file has a partial entry";
        }

        long previousRelative = -1, previousPosition = -1;
        for (var i = 0; i < offsets.Length; i += OffsetEntrySize)
        {
            var relative = BinaryPrimitives.ReadInt32BigEndian(offsets.AsSpan(i));
            var position = BinaryPrimitives.ReadInt32BigEndian(offsets.AsSpan(i + 4));
            if (relative <= previousRelative || position <= previousPosition || position + RecordBatch.HeaderSize > _size)
            {
                return $"offset index entry {i / OffsetEntrySize} is out of order or past the end of the log";
            }

            _offsetIndex.Add(relative, position);
            previousRelative = relative;
            previousPosition = position;
        }

        var view = _offsetIndex.Current;
        if (view.Count > 0)
        {
            Span<byte> scratch = stackalloc byte[RecordBatch.HeaderSize];
            ReadExactly(scratch, view.Values[view.Count - 1]);
            if (!StoredBatch.TryParse(scratch, out var last) || last.BaseOffset != BaseOffset + view.Keys[view.Count - 1])
            {
                return "the last offset index entry does not point at its batch";
            }
        }

        long previousTimestamp = long.MinValue;
        for (var i = 0; i < times.Length; i += TimeEntrySize)
        {
            var timestamp = BinaryPrimitives.ReadInt64BigEndian(times.AsSpan(i));
            var relative = BinaryPrimitives.ReadInt32BigEndian(times.AsSpan(i + 8));
            if (timestamp < previousTimestamp || relative < 0)
            {
                return $"time index entry {i / TimeEntrySize} is out of order";
            }

            _timeIndex.Add(timestamp, relative);
            previousTimestamp = timestamp;
            _maxTimestamp = timestamp;
            _offsetOfMaxTimestamp = BaseOffset + relative;
        }

        return null;
    }
}
