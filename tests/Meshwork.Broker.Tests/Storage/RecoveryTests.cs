using Meshwork.Broker.Storage;
using Meshwork.Kafka.Protocol;
using Meshwork.Testing;
using Shouldly;
using static Meshwork.Broker.Tests.Storage.StorageTestKit;

namespace Meshwork.Broker.Tests.Storage;

public sealed class RecoveryTests
{
    [Fact]
    public void Open_LogTruncatedAtEveryByteOfLastBatch_RecoversToLastWholeBatch()
    {
        using var dir = new TempDirectory();
        var (path, goodLength, lastLength) = WriteThreeBatches(dir.Path);
        var original = File.ReadAllBytes(path);
        for (var cut = goodLength; cut < goodLength + lastLength; cut++)
        {
            File.WriteAllBytes(path, original.AsSpan(0, cut).ToArray());
            AssertRecovered(dir.Path, path, goodLength, expectedNext: 5);
        }
    }

    [Fact]
    public void Open_LogTruncatedAtRandomPositions_RecoversToABatchBoundary()
    {
        using var dir = new TempDirectory();
        var (path, _, _) = WriteThreeBatches(dir.Path);
        var original = File.ReadAllBytes(path);
        var boundaries = BatchBoundaries(original);
        var random = new Random(42);
        for (var i = 0; i < 50; i++)
        {
            var cut = random.Next(0, original.Length);
            File.WriteAllBytes(path, original.AsSpan(0, cut).ToArray());
            var expected = boundaries.Where(b => b.End <= cut).Select(b => b).LastOrDefault();
            AssertRecovered(dir.Path, path, expected.End, expected.NextOffset);
        }
    }

    [Fact]
    public void Open_CorruptCrcInLastBatch_TruncatesIt()
    {
        using var dir = new TempDirectory();
        var (path, goodLength, _) = WriteThreeBatches(dir.Path);
        var bytes = File.ReadAllBytes(path);
        bytes[goodLength + 70] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        AssertRecovered(dir.Path, path, goodLength, expectedNext: 5);
    }

    [Fact]
    public void Open_CorruptBaseOffsetOfMiddleBatch_TruncatesFromThere()
    {
        using var dir = new TempDirectory();
        var (path, _, _) = WriteThreeBatches(dir.Path);
        var bytes = File.ReadAllBytes(path);
        var boundaries = BatchBoundaries(bytes);
        bytes[boundaries[0].End + 7] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        AssertRecovered(dir.Path, path, boundaries[0].End, boundaries[0].NextOffset);
    }

    [Fact]
    public void Open_GarbageAppended_IsDropped()
    {
        using var dir = new TempDirectory();
        var (path, goodLength, lastLength) = WriteThreeBatches(dir.Path);
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write(Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray());
        }

        AssertRecovered(dir.Path, path, goodLength + lastLength, expectedNext: 10);
    }

    [Fact]
    public void Open_ZeroFilledTail_IsDropped()
    {
        using var dir = new TempDirectory();
        var (path, goodLength, lastLength) = WriteThreeBatches(dir.Path);
        using (var stream = new FileStream(path, FileMode.Append))
        {
            stream.Write(new byte[4096]);
        }

        AssertRecovered(dir.Path, path, goodLength + lastLength, expectedNext: 10);
    }

    [Fact]
    public void Open_LeftoverTempAndCleanedFiles_AreDiscarded()
    {
        using var dir = new TempDirectory();
        var (path, goodLength, lastLength) = WriteThreeBatches(dir.Path);
        File.WriteAllBytes(path + LogSegment.CleanedSuffix, [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(dir.Path, PartitionLog.LogStartCheckpointFile + ".tmp"), [9]);
        using var log = Open(dir.Path);
        log.NextOffset.ShouldBe(10);
        new FileInfo(path).Length.ShouldBe(goodLength + lastLength);
        Directory.GetFiles(dir.Path, "*.cleaned").ShouldBeEmpty();
        Directory.GetFiles(dir.Path, "*.tmp").ShouldBeEmpty();
    }

    [Fact]
    public void Open_CopyOfLiveDirectory_RecoversLikeAfterSigkill()
    {
        using var dir = new TempDirectory();
        using var copy = new TempDirectory();
        var config = Config(("segment.bytes", "1024"), ("index.interval.bytes", "64"));
        var results = new List<AppendResult>();
        using (var log = Open(dir.Path, config))
        {
            for (var i = 0; i < 45; i++)
            {
                results.Add(log.Append(Batch(2, StartMs + i, producerId: 7, epoch: 0, baseSequence: i * 2, valueSize: 20), StartMs));
            }

            // Only what a killed process leaves: sealed segments with their indexes, the snapshot of the last roll,
            // and the active segment without an index.
            foreach (var file in Directory.GetFiles(dir.Path))
            {
                File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
            }
        }

        using var recovered = Open(copy.Path, config);
        recovered.NextOffset.ShouldBe(90);
        ReadAll(recovered).Select(r => r.Offset).ShouldBe(Enumerable.Range(0, 90).Select(i => (long)i));
        recovered.OffsetForTimestamp(StartMs + 44).ShouldBe(88);
        var retry = recovered.Append(Batch(2, StartMs, producerId: 7, epoch: 0, baseSequence: 88, valueSize: 20), StartMs);
        retry.BaseOffset.ShouldBe(results[^1].BaseOffset);
        recovered.NextOffset.ShouldBe(90);
    }

    private static (string Path, int GoodLength, int LastLength) WriteThreeBatches(string directory)
    {
        using var log = Open(directory);
        log.Append(Batch(2, StartMs), StartMs);
        log.Append(Batch(3, StartMs), StartMs);
        var good = (int)log.SizeInBytes;
        log.Append(Batch(5, StartMs, valueSize: 40), StartMs);
        var last = (int)log.SizeInBytes - good;
        return (LogSegment.PathFor(directory, 0, LogSegment.LogSuffix), good, last);
    }

    private static List<(int End, long NextOffset)> BatchBoundaries(byte[] log)
    {
        var result = new List<(int, long)> { (0, 0) };
        foreach (var batch in Meshwork.Kafka.Protocol.Records.RecordBatch.SplitBatches(log, out _))
        {
            var header = Meshwork.Kafka.Protocol.Records.RecordBatch.ReadHeader(batch.Span);
            result.Add((result[^1].Item1 + header.TotalSize, header.LastOffset + 1));
        }

        return result;
    }

    private static void AssertRecovered(string directory, string path, int expectedLength, long expectedNext)
    {
        using var log = Open(directory);
        log.NextOffset.ShouldBe(expectedNext);
        new FileInfo(path).Length.ShouldBe(expectedLength);
        ReadAll(log).Select(r => r.Offset).ShouldBe(Enumerable.Range(0, (int)expectedNext).Select(i => (long)i));
        var appended = log.Append(Batch(1, StartMs), StartMs);
        appended.Error.ShouldBe(ErrorCode.None);
        appended.BaseOffset.ShouldBe(expectedNext);
        log.Dispose();
        // Put the file back to the recovered length for the next iteration's cut of the original bytes.
    }
}
