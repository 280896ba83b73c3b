using Meshwork.Lake.IO;

namespace Meshwork.Lake;

/// <summary>Where the lake keeps table files.</summary>
public enum LakeStorage
{
    /// <summary>Local disk, under the data directory by default.</summary>
    Local,

    /// <summary>An S3 bucket (AWS or S3-compatible).</summary>
    S3,
}

/// <summary>The lake's storage settings (section <c>lake</c> of the configuration).</summary>
public sealed record LakeOptions
{
    /// <summary>Local disk or S3.</summary>
    public LakeStorage Storage { get; init; } = LakeStorage.Local;

    /// <summary>Local warehouse directory; null means <c>DATA/lake</c>.</summary>
    public string? Path { get; init; }

    /// <summary>The S3 bucket (S3 storage).</summary>
    public string? Bucket { get; init; }

    /// <summary>Key prefix of the warehouse inside the bucket.</summary>
    public string Prefix { get; init; } = "lake";

    /// <summary>How to reach S3.</summary>
    public S3Options S3 { get; init; } = new();

    /// <summary>The warehouse location new tables go under.</summary>
    public string Warehouse(string dataDirectory) => Storage == LakeStorage.Local
        ? LocalFileIO.ToLocation(Path ?? System.IO.Path.Combine(dataDirectory, "lake"))
        : $"s3://{Bucket ?? throw new InvalidOperationException("lake.s3.bucket is required when lake.storage is s3")}/{Prefix.Trim('/')}";

    /// <summary>The file IO for this storage (local paths are always readable too, for registering local tables).</summary>
    public IFileIO CreateFileIO() => Storage == LakeStorage.Local ? new LocalFileIO() : new RoutingFileIO(new S3FileIO(S3), new LocalFileIO());
}
