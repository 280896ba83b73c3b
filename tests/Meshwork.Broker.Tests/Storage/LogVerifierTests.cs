using Meshwork.Broker.Storage;
using Meshwork.Testing;
using Shouldly;
using static Meshwork.Broker.Tests.Storage.StorageTestKit;

namespace Meshwork.Broker.Tests.Storage;

public sealed class LogVerifierTests
{
    private const int Batches = 40;

    [Fact]
    public void Verify_ACleanlyClosedLog_IsHealthyWithEveryBatch()
    {
        using var dir = new TempDirectory();
        WriteLog(dir.Path);

        var report = LogVerifier.Verify(dir.Path);

        report.Problems.ShouldBeEmpty();
        report.Segments.ShouldBeGreaterThan(2);
        report.Batches.ShouldBe(Batches);
        report.NextOffset.ShouldBe(2 * Batches);
        report.TornTailBytes.ShouldBe(0);
    }

    [Fact]
    public void Verify_ATornTailOfTheActiveSegment_IsReportedButHealthy_AndMatchesWhatRecoveryKeeps()
    {
        using var dir = new TempDirectory();
        WriteLog(dir.Path);
        var active = Segments(dir.Path)[^1];
        var bytes = File.ReadAllBytes(active);
        File.WriteAllBytes(active, bytes[..^10]);

        var report = LogVerifier.Verify(dir.Path);

        report.IsHealthy.ShouldBeTrue();
        report.TornTailBytes.ShouldBeGreaterThan(0);
        using var recovered = Open(dir.Path, SmallSegments());
        recovered.NextOffset.ShouldBe(report.NextOffset);
        LogVerifier.Verify(dir.Path).TornTailBytes.ShouldBe(0);
    }

    [Fact]
    public void Verify_AFlippedByteInASealedSegment_IsACrcProblem()
    {
        using var dir = new TempDirectory();
        WriteLog(dir.Path);
        var sealedSegment = Segments(dir.Path)[0];
        var bytes = File.ReadAllBytes(sealedSegment);
        bytes[80] ^= 0x20;
        File.WriteAllBytes(sealedSegment, bytes);

        var report = LogVerifier.Verify(dir.Path);

        report.IsHealthy.ShouldBeFalse();
        report.Problems.ShouldHaveSingleItem().ShouldContain("CRC mismatch");
    }

    [Fact]
    public void Verify_GarbageAfterASealedSegment_AndAMisplacedIndexEntry_AreProblems()
    {
        using var dir = new TempDirectory();
        WriteLog(dir.Path);
        var segments = Segments(dir.Path);
        File.AppendAllText(segments[0], "garbage");
        var index = Path.ChangeExtension(segments[1], LogSegment.IndexSuffix);
        var entries = File.ReadAllBytes(index);
        entries.Length.ShouldBeGreaterThan(0);
        entries[^1] ^= 0x01;
        File.WriteAllBytes(index, entries);

        var problems = LogVerifier.Verify(dir.Path).Problems;

        problems.Count.ShouldBe(2);
        problems.ShouldContain(p => p.Contains("after the last valid batch of a sealed segment", StringComparison.Ordinal));
        problems.ShouldContain(p => p.Contains("where no batch with that base offset starts", StringComparison.Ordinal));
    }

    private static TopicConfig SmallSegments() => Config(("segment.bytes", "1024"), ("index.interval.bytes", "64"));

    private static void WriteLog(string directory)
    {
        using var log = Open(directory, SmallSegments());
        for (var i = 0; i < Batches; i++)
        {
            log.Append(Batch(2, StartMs + i, valueSize: 20), StartMs);
        }
    }

    private static string[] Segments(string directory) => [.. Directory.GetFiles(directory, "*" + LogSegment.LogSuffix).Order(StringComparer.Ordinal)];
}
