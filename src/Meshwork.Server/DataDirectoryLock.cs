using System.Globalization;

namespace Meshwork.Server;

/// <summary>Another Meshwork process already owns the data directory.</summary>
public sealed class DataDirectoryInUseException(string message) : Exception(message);

/// <summary>
/// Exclusive ownership of a data directory for the life of one process. The lock is an OS file
/// lock (flock on Unix), so it is released when the process dies, even by SIGKILL: no stale-lock cleanup.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    /// <summary>The lock file inside the data directory.</summary>
    public const string LockFileName = "mesh.lock";

    /// <summary>Holds the owner's process id, for the message a second process prints.</summary>
    public const string OwnerFileName = "mesh.pid";

    private readonly FileStream _lock;
    private readonly string _ownerFile;

    private DataDirectoryLock(FileStream lockFile, string ownerFile)
    {
        _lock = lockFile;
        _ownerFile = ownerFile;
    }

    /// <summary>Creates the directory if needed and takes the lock, or throws <see cref="DataDirectoryInUseException"/>.</summary>
    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var lockPath = Path.Combine(dataDirectory, LockFileName);
        var ownerPath = Path.Combine(dataDirectory, OwnerFileName);
        FileStream stream;
        try
        {
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            var owner = File.Exists(ownerPath) ? File.ReadAllText(ownerPath).Trim() : "unknown";
            throw new DataDirectoryInUseException(
                $"The data directory {dataDirectory} is in use by another Meshwork process (pid {owner}). " +
                "Stop that process, or start this one with another --data directory.");
        }

        File.WriteAllText(ownerPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return new DataDirectoryLock(stream, ownerPath);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            File.Delete(_ownerFile);
        }
        catch (IOException)
        {
            // The pid file is advisory; the lock below is what matters.
        }

        _lock.Dispose();
    }
}
