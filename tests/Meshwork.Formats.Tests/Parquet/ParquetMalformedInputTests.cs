using System.Buffers.Binary;
using Meshwork.Formats.Parquet;

namespace Meshwork.Formats.Tests.Parquet;

/// <summary>Corrupt, truncated and mutated files fail with <see cref="ParquetFormatException"/> and nothing else.</summary>
public class ParquetMalformedInputTests
{
    private static byte[] ValidFile(ParquetCompression compression = ParquetCompression.Snappy, int rows = 60, bool dictionary = true)
    {
        var schema = ParquetTestData.FullSchema();
        return ParquetRoundTripTests.Write(schema, ParquetTestData.Rows(schema, rows, seed: 7), new ParquetWriterOptions
        {
            Compression = compression,
            DictionaryEnabled = dictionary,
            PageSize = 200,
            RowGroupSize = ParquetRowGroupSize.Rows(25),
        });
    }

    /// <summary>Opens and reads everything; returns the exception or null.</summary>
    private static Exception? ReadAll(byte[] bytes)
    {
        try
        {
            using var reader = ParquetReader.FromBytes(bytes);
            _ = reader.ReadAll();
            foreach (var group in reader.RowGroups)
            {
                for (var c = 0; c < group.Columns.Count; c++)
                {
                    if (group.Columns[c].MetaData.Statistics is { } s)
                    {
                        reader.DecodeStatistics(reader.Schema.Columns[c], s);
                    }
                }
            }

            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static void AssertFormatError(byte[] bytes, string? messageContains = null)
    {
        var e = ReadAll(bytes);
        Assert.NotNull(e);
        Assert.IsType<ParquetFormatException>(e);
        if (messageContains is not null)
        {
            Assert.Contains(messageContains, e.Message);
        }
    }

    [Fact]
    public void ValidFile_Reads()
    {
        Assert.Null(ReadAll(ValidFile()));
    }

    [Fact]
    public void BadMagic_AtStartOrEnd_IsRejected()
    {
        var start = ValidFile();
        start[0] = (byte)'X';
        AssertFormatError(start, "magic");
        var end = ValidFile();
        end[^1] = (byte)'X';
        AssertFormatError(end, "magic");
        var encrypted = ValidFile();
        "PARE"u8.CopyTo(encrypted.AsSpan(encrypted.Length - 4));
        AssertFormatError(encrypted, "encrypted");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void AbsurdFooterLength_IsRejected(int length)
    {
        var bytes = ValidFile();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(bytes.Length - 8), length);
        AssertFormatError(bytes, "footer length");
    }

    [Fact]
    public void CorruptFooter_IsRejected()
    {
        var bytes = ValidFile();
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8));
        var footerStart = bytes.Length - 8 - footerLength;
        var random = new Random(3);
        for (var i = 0; i < 200; i++)
        {
            var copy = (byte[])bytes.Clone();
            random.NextBytes(copy.AsSpan(footerStart + random.Next(footerLength - 8), 8));
            var e = ReadAll(copy);
            Assert.True(e is null or ParquetFormatException, $"iteration {i}: {e}");
        }

        var zeros = (byte[])bytes.Clone();
        zeros.AsSpan(footerStart, footerLength).Fill(0xFF);
        AssertFormatError(zeros);
    }

    [Fact]
    public void TruncatedFiles_AreRejected_AtEveryLength()
    {
        var bytes = ValidFile(rows: 30);
        for (var length = 0; length < bytes.Length; length += Math.Max(1, bytes.Length / 400))
        {
            AssertFormatError(bytes[..length]);
        }
    }

    [Fact]
    public void TruncatedColumnData_IsRejected()
    {
        // Cut bytes out of the middle (the footer stays intact, so chunks point past what is there).
        var bytes = ValidFile(ParquetCompression.Uncompressed);
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8));
        var footer = bytes.AsSpan(bytes.Length - 8 - footerLength).ToArray();
        for (var keep = 4; keep < bytes.Length - footer.Length; keep += 97)
        {
            AssertFormatError([.. bytes.AsSpan(0, keep), .. footer]);
        }
    }

    [Theory]
    [InlineData(int.MaxValue, 10)]
    [InlineData(10, int.MaxValue)]
    [InlineData(-1, 10)]
    [InlineData(1 << 29, 1 << 29)]
    public void AbsurdPageHeaderSizes_AreRejected(int uncompressed, int compressed)
    {
        var bytes = ValidFile(ParquetCompression.Snappy);
        using var reader = ParquetReader.FromBytes(bytes);
        var offset = (int)reader.RowGroups[0].Columns[0].MetaData.DataPageOffset;
        var headerReader = new ThriftCompactReader(bytes.AsSpan(offset), "test");
        var header = PageHeader.Read(ref headerReader);
        var oldLength = headerReader.Position;
        header.UncompressedPageSize = uncompressed;
        header.CompressedPageSize = compressed;
        var w = new ThriftCompactWriter();
        header.Write(w);
        byte[] patched = [.. bytes.AsSpan(0, offset), .. w.Written, .. bytes.AsSpan(offset + oldLength)];
        AssertFormatError(patched);
    }

    [Fact]
    public void AbsurdValueCountInPageHeader_IsRejected()
    {
        var bytes = ValidFile(ParquetCompression.Uncompressed);
        using var reader = ParquetReader.FromBytes(bytes);
        var offset = (int)reader.RowGroups[0].Columns[1].MetaData.DataPageOffset;
        var headerReader = new ThriftCompactReader(bytes.AsSpan(offset), "test");
        var header = PageHeader.Read(ref headerReader);
        var oldLength = headerReader.Position;
        header.NumValues = int.MaxValue;
        var w = new ThriftCompactWriter();
        header.Write(w);
        byte[] patched = [.. bytes.AsSpan(0, offset), .. w.Written, .. bytes.AsSpan(offset + oldLength)];
        AssertFormatError(patched);
    }

    [Fact]
    public void UnsupportedCodec_IsRejected_WithItsName()
    {
        var schema = new ParquetSchema(ParquetField.Int32("a"));
        var bytes = ParquetRoundTripTests.Write(schema, [[1], [2]], new ParquetWriterOptions { Compression = ParquetCompression.Uncompressed });
        using var reader = ParquetReader.FromBytes(bytes);
        reader.RowGroups[0].Columns[0].MetaData.Codec = ParquetCompression.Lzo;
        var e = Assert.Throws<ParquetFormatException>(() => reader.ReadRowGroup(0));
        Assert.Contains("Lzo", e.Message);
    }

    [Fact]
    public void DeeplyNestedThrift_IsRejected()
    {
        var footer = new byte[200];
        footer.AsSpan().Fill(0xFC); // field 15 (unknown, so skipped), type struct, nested forever
        byte[] bytes = [.. "PAR1"u8, .. footer, .. BitConverter.GetBytes(footer.Length), .. "PAR1"u8];
        AssertFormatError(bytes, "nesting");
    }

    [Theory]
    [InlineData(ParquetCompression.Uncompressed, true)]
    [InlineData(ParquetCompression.Snappy, true)]
    [InlineData(ParquetCompression.Gzip, false)]
    [InlineData(ParquetCompression.Zstd, true)]
    public void SeededMutationFuzz_OnlyThrowsParquetFormatException(ParquetCompression compression, bool dictionary)
    {
        var bytes = ValidFile(compression, rows: 40, dictionary: dictionary);
        var random = new Random(12345 + (int)compression);
        const int Iterations = 600;
        for (var i = 0; i < Iterations; i++)
        {
            var copy = (byte[])bytes.Clone();
            var mutations = random.Next(1, 5);
            for (var m = 0; m < mutations; m++)
            {
                var at = random.Next(copy.Length);
                copy[at] = random.Next(3) switch
                {
                    0 => (byte)random.Next(256),
                    1 => (byte)(copy[at] ^ (1 << random.Next(8))),
                    _ => random.Next(2) == 0 ? (byte)0xFF : (byte)0,
                };
            }

            var e = ReadAll(copy);
            Assert.True(e is null or ParquetFormatException, $"iteration {i}: {e}");
        }
    }
}
