namespace Meshwork.Compression;

internal static class StreamCodec
{
    public static byte[] Decompress(string codec, ReadOnlySpan<byte> compressed, int maxOutputLength, Func<Stream, Stream> open)
    {
        CompressionLimits.CheckMax(maxOutputLength);
        if (compressed.IsEmpty)
        {
            CompressionException.Throw($"{codec}: empty input");
        }

        // The input is copied once so the framework stream can own a MemoryStream; these codecs are not on
        // the broker's hot path (gzip is the slow codec by design).
        using var input = new MemoryStream(compressed.ToArray(), writable: false);
        using var output = new OutputBuffer(codec, compressed.Length * 4L, maxOutputLength);
        try
        {
            using var stream = open(input);
            while (true)
            {
                var remaining = maxOutputLength - output.Length;
                if (remaining == 0)
                {
                    // At the limit: one more byte proves the output is too large.
                    if (stream.ReadByte() >= 0)
                    {
                        CompressionException.Throw($"{codec}: decompressed output exceeds the limit of {maxOutputLength} bytes");
                    }

                    break;
                }

                var span = output.Reserve(Math.Min(64 * 1024, remaining));
                var n = stream.Read(span);
                if (n == 0)
                {
                    break;
                }

                output.Length += n;
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            // IOException: zlib reports some corrupt streams as a ZLibException rather than InvalidDataException.
            throw new CompressionException($"{codec}: {ex.Message}", ex);
        }

        return output.ToArray();
    }
}
