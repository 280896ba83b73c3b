using System.Runtime.CompilerServices;

namespace Meshwork.Lake.IO;

/// <summary>
/// Table files on local disk. Locations are <c>file:///absolute/path</c> URIs (plain absolute paths are accepted too).
/// Exclusive writes go to a temporary file that is then hard-linked into place, which fails atomically when the
/// target exists, so a reader never sees half a metadata file and two committers never both win.
/// </summary>
public sealed class LocalFileIO : IFileIO
{
    /// <inheritdoc/>
    public string Scheme => "file";

    /// <summary>The <c>file://</c> URI of a local path.</summary>
    public static string ToLocation(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;

    /// <summary>The local path of a location.</summary>
    public static string ToPath(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (location.StartsWith("file:", StringComparison.Ordinal))
        {
            return new Uri(location).LocalPath;
        }

        if (Path.IsPathFullyQualified(location))
        {
            return location;
        }

        throw new ArgumentException($"'{location}' is not a local location (expected file:///absolute/path)", nameof(location));
    }

    /// <inheritdoc/>
    public async Task<byte[]> ReadAllBytesAsync(string location, CancellationToken cancellationToken = default)
    {
        try
        {
            return await File.ReadAllBytesAsync(ToPath(location), cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException($"{location} does not exist", location, e);
        }
    }

    /// <inheritdoc/>
    public async Task WriteAsync(string location, ReadOnlyMemory<byte> data, bool overwrite, CancellationToken cancellationToken = default)
    {
        var path = ToPath(location);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("n") + ".tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            try
            {
                // Without overwrite, .NET moves by link()+unlink() on Unix: atomic and failing when the target exists.
                File.Move(temp, path, overwrite);
            }
            catch (IOException) when (!overwrite && File.Exists(path))
            {
                throw new LakeFileExistsException(location);
            }
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <inheritdoc/>
    public Task<bool> ExistsAsync(string location, CancellationToken cancellationToken = default) => Task.FromResult(File.Exists(ToPath(location)));

    /// <inheritdoc/>
    public Task DeleteAsync(string location, CancellationToken cancellationToken = default)
    {
        File.Delete(ToPath(location));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<LakeFileInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var path = ToPath(prefix);
        var directory = prefix.EndsWith('/') ? path : Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!file.StartsWith(path, StringComparison.Ordinal))
            {
                continue;
            }

            var info = new FileInfo(file);
            yield return new LakeFileInfo(ToLocation(file), info.Length, info.LastWriteTimeUtc);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
