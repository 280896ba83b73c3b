namespace Meshwork.Lake.IO;

/// <summary>A file found by <see cref="IFileIO.ListAsync"/>.</summary>
/// <param name="Location">Its full location (URI).</param>
/// <param name="Length">Size in bytes.</param>
/// <param name="LastModified">When it was last written.</param>
public sealed record LakeFileInfo(string Location, long Length, DateTimeOffset LastModified);

/// <summary>
/// Where table files live. Locations are URIs (<c>file:///…</c> for local disk, <c>s3://bucket/key</c> for S3);
/// every table file is written once and never changed, so the only atomic operation needed is
/// <see cref="WriteAsync"/> with <c>overwrite: false</c>, which commits use as a compare-and-swap.
/// </summary>
public interface IFileIO
{
    /// <summary>The URI scheme this implementation serves (<c>file</c> or <c>s3</c>).</summary>
    string Scheme { get; }

    /// <summary>Reads a whole file; throws <see cref="FileNotFoundException"/> when it does not exist.</summary>
    Task<byte[]> ReadAllBytesAsync(string location, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a whole file. With <paramref name="overwrite"/> false the write is atomic and exclusive: it throws
    /// <see cref="LakeFileExistsException"/> when the file exists, and readers never see a partial file.
    /// </summary>
    Task WriteAsync(string location, ReadOnlyMemory<byte> data, bool overwrite, CancellationToken cancellationToken = default);

    /// <summary>Whether the file exists.</summary>
    Task<bool> ExistsAsync(string location, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file; deleting a missing file is not an error.</summary>
    Task DeleteAsync(string location, CancellationToken cancellationToken = default);

    /// <summary>Every file whose location starts with <paramref name="prefix"/> (recursively).</summary>
    IAsyncEnumerable<LakeFileInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);
}

/// <summary>Thrown by an exclusive <see cref="IFileIO.WriteAsync"/> when the file already exists.</summary>
public sealed class LakeFileExistsException : IOException
{
    /// <summary>Creates the exception for <paramref name="location"/>.</summary>
    public LakeFileExistsException(string location)
        : base($"{location} already exists")
    {
        Location = location;
    }

    /// <summary>The file that exists.</summary>
    public string Location { get; }
}
