using System.Buffers.Binary;
using System.Globalization;
using Meshwork.Kafka.Protocol;
using Meshwork.Kafka.Protocol.Records;

namespace Meshwork.Broker.Storage;

/// <summary>What <see cref="LogVerifier.Verify"/> found in one partition directory.</summary>
/// <param name="Segments">Segment files checked.</param>
/// <param name="Batches">Whole, valid batches read.</param>
/// <param name="NextOffset">One past the last offset of the last valid batch (the log's end after recovery).</param>
/// <param name="TornTailBytes">
/// Bytes after the last valid batch of the last segment: what a crash can leave and what opening the log truncates.
/// </param>
/// <param name="Problems">Damage recovery would not repair: each names the file, position and what is wrong.</param>
public sealed record LogCheckReport(int Segments, long Batches, long NextOffset, long TornTailBytes, IReadOnlyList<string> Problems)
{
    /// <summary>True when nothing but a torn tail of the last segment was found.</summary>
    public bool IsHealthy => Problems.Count == 0;
}

/// <summary>
/// The offline recovery check of a partition directory (the broker must not have it open): every batch of every
/// segment is read and its header, CRC and offsets checked, segments must follow each other without overlap, and the
/// offset index of every sealed segment must point at batch boundaries. Opening a log verifies only the active
/// segment and trusts sealed ones; this reads everything, for crash tests and for operators after an incident.
/// </summary>
public static class LogVerifier
{
    private const int OffsetIndexEntrySize = 8;

    /// <summary>Checks the partition in <paramref name="partitionDirectory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public static LogCheckReport Verify(string partitionDirectory)
    {
        if (!System.IO.Directory.Exists(partitionDirectory))
        {
            throw new DirectoryNotFoundException($"Partition directory {partitionDirectory} does not exist.");
        }

        var problems = new List<string>();
        var bases = new List<long>();
        foreach (var file in System.IO.Directory.EnumerateFiles(partitionDirectory, "*" + LogSegment.LogSuffix))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name.Length == 20 && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var baseOffset))
            {
                bases.Add(baseOffset);
            }
            else
            {
                problems.Add($"{Path.GetFileName(file)}: not a segment name (expected a 20-digit base offset).");
            }
        }

        bases.Sort();
        long batches = 0, tornTail = 0, next = bases.Count > 0 ? bases[0] : 0;
        for (var i = 0; i < bases.Count; i++)
        {
            var last = i == bases.Count - 1;
            var path = LogSegment.PathFor(partitionDirectory, bases[i], LogSegment.LogSuffix);
            if (bases[i] < next)
            {
                problems.Add($"{Path.GetFileName(path)}: starts at offset {bases[i]} but the previous segment ends at {next - 1}.");
            }

            var positions = new Dictionary<long, long>();
            var (count, segmentNext, trailing) = ScanSegment(path, bases[i], Math.Max(next, bases[i]), positions, problems);
            batches += count;
            next = segmentNext;
            if (trailing > 0)
            {
                if (last)
                {
                    tornTail = trailing;
                }
                else
                {
                    problems.Add($"{Path.GetFileName(path)}: {trailing} byte(s) after the last valid batch of a sealed segment.");
                }
            }

            if (!last)
            {
                CheckOffsetIndex(partitionDirectory, bases[i], positions, problems);
            }
        }

        var checkpoint = Path.Combine(partitionDirectory, PartitionLog.LogStartCheckpointFile);
        if (File.Exists(checkpoint)
            && (!long.TryParse(File.ReadAllText(checkpoint).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var logStart) || logStart > next))
        {
            problems.Add($"{PartitionLog.LogStartCheckpointFile}: '{File.ReadAllText(checkpoint).Trim()}' is not a log start offset at or below the log end {next}.");
        }

        return new LogCheckReport(bases.Count, batches, next, tornTail, problems);
    }

    /// <summary>Reads every batch; returns how many were valid, the next offset after them and the bytes left over.</summary>
    private static (long Batches, long Next, long Trailing) ScanSegment(string path, long baseOffset, long expectedAtLeast, Dictionary<long, long> positions, List<string> problems)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        var header = new byte[RecordBatch.HeaderSize];
        long position = 0, count = 0, next = expectedAtLeast;
        var file = Path.GetFileName(path);
        while (position < length)
        {
            if (length - position < RecordBatch.HeaderSize || RandomAccess.Read(handle, header, position) < RecordBatch.HeaderSize
                || !StoredBatch.TryParse(header, out var stored) || stored.TotalSize > length - position)
            {
                break;
            }

            var batch = new byte[stored.TotalSize];
            if (RandomAccess.Read(handle, batch, position) < batch.Length)
            {
                break;
            }

            bool crcValid;
            try
            {
                crcValid = RecordBatch.IsCrcValid(batch);
            }
            catch (KafkaProtocolException)
            {
                crcValid = false;
            }

            if (!crcValid)
            {
                // The last batch of the file failing its CRC is a torn write; one followed by more data is corruption.
                // Its header still gives its length, so the rest of the segment is checked too.
                if (position + stored.TotalSize == length)
                {
                    break;
                }

                problems.Add($"{file}: CRC mismatch in the batch at position {position} (offsets {stored.BaseOffset}-{stored.LastOffset}).");
            }

            if (stored.BaseOffset < next || stored.BaseOffset < baseOffset)
            {
                problems.Add($"{file}: the batch at position {position} starts at offset {stored.BaseOffset}, below {Math.Max(next, baseOffset)}.");
            }

            positions[stored.BaseOffset - baseOffset] = position;
            next = stored.LastOffset + 1;
            position += stored.TotalSize;
            count++;
        }

        return (count, next, length - position);
    }

    private static void CheckOffsetIndex(string directory, long baseOffset, Dictionary<long, long> positions, List<string> problems)
    {
        var path = LogSegment.PathFor(directory, baseOffset, LogSegment.IndexSuffix);
        if (!File.Exists(path))
        {
            // Opening the log rebuilds a missing index by scanning the segment.
            return;
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length % OffsetIndexEntrySize != 0)
        {
            problems.Add($"{Path.GetFileName(path)}: {bytes.Length} bytes is not a whole number of entries.");
            return;
        }

        for (var i = 0; i < bytes.Length; i += OffsetIndexEntrySize)
        {
            var relative = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i));
            var position = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i + 4));
            if (!positions.TryGetValue(relative, out var actual) || actual != position)
            {
                problems.Add($"{Path.GetFileName(path)}: entry {i / OffsetIndexEntrySize} maps offset {baseOffset + relative} to position {position}, where no batch with that base offset starts.");
                return;
            }
        }
    }
}
