using Shouldly;

namespace Meshwork.Compression.Tests;

internal static class ByteAssertions
{
    /// <summary>Span comparison: Shouldly's element-wise diff is far too slow for megabyte buffers.</summary>
    public static void ShouldEqualBytes(this byte[] actual, byte[] expected)
    {
        if (actual.AsSpan().SequenceEqual(expected))
        {
            return;
        }

        var first = actual.AsSpan().CommonPrefixLength(expected);
        throw new ShouldAssertException($"bytes differ at index {first}: actual length {actual.Length}, expected length {expected.Length}");
    }
}
