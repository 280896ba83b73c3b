namespace Meshwork.Broker.Storage;

/// <summary>Crash-safe small-file writes: temp file, fsync, rename over the target.</summary>
internal static class AtomicFile
{
    /// <summary>Suffix of the temp files; opening a partition deletes leftovers.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> so a crash leaves the old or the new file, never a mix.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        // A short random temp name: "<249-char topic>.json.tmp" would exceed NAME_MAX (255).
        var temp = Path.Combine(Path.GetDirectoryName(path) ?? ".", $".{Guid.NewGuid():N}{TempSuffix}");
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        // rename(2) is atomic on POSIX; the directory entry itself is made durable by the next fsync of any
        // file in it on ext4/xfs in ordered mode, which is the guarantee Kafka relies on as well.
        File.Move(temp, path, overwrite: true);
    }
}
