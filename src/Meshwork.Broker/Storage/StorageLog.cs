using Microsoft.Extensions.Logging;

namespace Meshwork.Broker.Storage;

/// <summary>The storage layer's log messages.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Recovered {Directory}: truncated {Bytes} byte(s) of torn or corrupt data at position {Position} of segment {Segment} ({Reason})")]
    public static partial void TruncatedTail(this ILogger logger, string directory, long bytes, long position, string segment, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Opened {Directory}: {Segments} segment(s), log start offset {LogStartOffset}, next offset {NextOffset}")]
    public static partial void Opened(this ILogger logger, string directory, int segments, long logStartOffset, long nextOffset);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Rebuilt the index of segment {Segment}: {Reason}")]
    public static partial void RebuiltIndex(this ILogger logger, string segment, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Append to {Directory} failed; the batch was not acknowledged")]
    public static partial void AppendFailed(this ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Deleted segment {Segment} of {Directory} ({Reason})")]
    public static partial void DeletedSegment(this ILogger logger, string directory, string segment, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Compacted {Directory}: {Segments} segment(s), {BytesBefore} -> {BytesAfter} bytes")]
    public static partial void Compacted(this ILogger logger, string directory, int segments, long bytesBefore, long bytesAfter);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Discarded leftover file {File} from an interrupted operation")]
    public static partial void DiscardedLeftover(this ILogger logger, string file);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Ignored the producer state snapshot {File}: {Reason}")]
    public static partial void IgnoredProducerSnapshot(this ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Error, Message = "Background flush of {Directory} failed")]
    public static partial void FlushFailed(this ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "Storage maintenance of topic {Topic} failed")]
    public static partial void MaintenanceFailed(this ILogger logger, string topic, Exception exception);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Removed partition directory {Directory}: no topic descriptor owns it")]
    public static partial void RemovedOrphan(this ILogger logger, string directory);
}
