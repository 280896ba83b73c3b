using System.Net;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Meshwork.Lake.IO;

/// <summary>How to reach S3 (or an S3-compatible server).</summary>
public sealed record S3Options
{
    /// <summary>AWS region, e.g. <c>us-gov-west-1</c>.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>An endpoint URL for S3-compatible servers (MinIO, a loopback test server); null for AWS.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Path-style addressing (<c>host/bucket/key</c>), which most S3-compatible servers need.</summary>
    public bool ForcePathStyle { get; init; }

    /// <summary>Access key id; null uses the AWS default credential chain (environment, profile, instance role).</summary>
    public string? AccessKeyId { get; init; }

    /// <summary>Secret access key, with <see cref="AccessKeyId"/>. A secret: never logged.</summary>
    public string? SecretAccessKey { get; init; }

    /// <summary>A KMS key id or ARN: objects are written with SSE-KMS under it; null leaves the bucket default.</summary>
    public string? KmsKeyId { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"S3Options {{ Region = {Region}, Endpoint = {Endpoint ?? "(aws)"}, ForcePathStyle = {ForcePathStyle}, AccessKeyId = {AccessKeyId ?? "(default chain)"}, KmsKeyId = {KmsKeyId ?? "(bucket default)"} }}";
}

/// <summary>
/// Table files in S3 through AWSSDK.S3. Locations are <c>s3://bucket/key</c>. Exclusive writes use a conditional
/// PUT (<c>If-None-Match: *</c>); servers that ignore the condition are covered by the catalog's own
/// compare-and-swap in the metadata store, which every catalog commit also passes.
/// </summary>
public sealed class S3FileIO : IFileIO, IDisposable
{
    private readonly IAmazonS3 _client;
    private readonly S3Options _options;

    /// <summary>Creates a client from <paramref name="options"/>.</summary>
    public S3FileIO(S3Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,

            // Checksums only where S3 requires them: S3-compatible servers do not all understand the
            // trailing-checksum chunked uploads the SDK would otherwise send.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        _client = options.AccessKeyId is { } key
            ? new AmazonS3Client(new BasicAWSCredentials(key, options.SecretAccessKey ?? ""), config)
            : new AmazonS3Client(config);
    }

    /// <inheritdoc/>
    public string Scheme => "s3";

    /// <summary>Splits <c>s3://bucket/key</c>.</summary>
    public static (string Bucket, string Key) Parse(string location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var scheme = location.StartsWith("s3://", StringComparison.Ordinal) ? 5 : location.StartsWith("s3a://", StringComparison.Ordinal) ? 6 : -1;
        var slash = scheme < 0 ? -1 : location.IndexOf('/', scheme);
        if (slash <= scheme)
        {
            throw new ArgumentException($"'{location}' is not an S3 location (expected s3://bucket/key)", nameof(location));
        }

        return (location[scheme..slash], location[(slash + 1)..]);
    }

    /// <inheritdoc/>
    public async Task<byte[]> ReadAllBytesAsync(string location, CancellationToken cancellationToken = default)
    {
        var (bucket, key) = Parse(location);
        try
        {
            using var response = await _client.GetObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
            using var buffer = new MemoryStream(response.ContentLength > 0 ? (int)Math.Min(response.ContentLength, int.MaxValue) : 0);
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"{location} does not exist", location, e);
        }
    }

    /// <inheritdoc/>
    public async Task WriteAsync(string location, ReadOnlyMemory<byte> data, bool overwrite, CancellationToken cancellationToken = default)
    {
        var (bucket, key) = Parse(location);
        if (!overwrite && await ExistsAsync(location, cancellationToken).ConfigureAwait(false))
        {
            throw new LakeFileExistsException(location);
        }

        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(data.ToArray(), writable: false),
            AutoCloseStream = true,
            UseChunkEncoding = false,
        };
        if (!overwrite)
        {
            request.IfNoneMatch = "*";
        }

        if (_options.KmsKeyId is { } kms)
        {
            request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
            request.ServerSideEncryptionKeyManagementServiceKeyId = kms;
        }

        try
        {
            await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (!overwrite && e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            throw new LakeFileExistsException(location);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> ExistsAsync(string location, CancellationToken cancellationToken = default)
    {
        var (bucket, key) = Parse(location);
        try
        {
            await _client.GetObjectMetadataAsync(bucket, key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string location, CancellationToken cancellationToken = default)
    {
        var (bucket, key) = Parse(location);
        await _client.DeleteObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<LakeFileInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (bucket, key) = Parse(prefix);
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = key };
        while (true)
        {
            var response = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            foreach (var o in response.S3Objects ?? [])
            {
                yield return new LakeFileInfo($"s3://{bucket}/{o.Key}", o.Size ?? 0, o.LastModified is { } m ? new DateTimeOffset(m.ToUniversalTime()) : DateTimeOffset.MinValue);
            }

            if (response.IsTruncated != true)
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    /// <summary>Creates the bucket when it does not exist (for development servers and tests).</summary>
    public async Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();
}

/// <summary>Routes each location to the file IO of its scheme.</summary>
public sealed class RoutingFileIO(params IFileIO[] inner) : IFileIO
{
    /// <inheritdoc/>
    public string Scheme => string.Join(",", inner.Select(i => i.Scheme));

    /// <inheritdoc/>
    public Task<byte[]> ReadAllBytesAsync(string location, CancellationToken cancellationToken = default) => For(location).ReadAllBytesAsync(location, cancellationToken);

    /// <inheritdoc/>
    public Task WriteAsync(string location, ReadOnlyMemory<byte> data, bool overwrite, CancellationToken cancellationToken = default) => For(location).WriteAsync(location, data, overwrite, cancellationToken);

    /// <inheritdoc/>
    public Task<bool> ExistsAsync(string location, CancellationToken cancellationToken = default) => For(location).ExistsAsync(location, cancellationToken);

    /// <inheritdoc/>
    public Task DeleteAsync(string location, CancellationToken cancellationToken = default) => For(location).DeleteAsync(location, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<LakeFileInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => For(prefix).ListAsync(prefix, cancellationToken);

    private IFileIO For(string location)
    {
        var colon = location.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon > 0 ? location[..colon] : "file";
        if (scheme == "s3a")
        {
            scheme = "s3";
        }

        return inner.FirstOrDefault(i => i.Scheme == scheme) ?? throw new ArgumentException($"no file IO for '{scheme}' locations such as {location}");
    }
}
