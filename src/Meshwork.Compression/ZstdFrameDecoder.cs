using System.Buffers.Binary;

namespace Meshwork.Compression;

/// <summary>Per-frame decoding state: repeat offsets and the tables that later blocks may reuse.</summary>
internal sealed class ZstdFrameDecoder : IDisposable
{
    private const int MaxLiteralLengthLog = 9;
    private const int MaxMatchLengthLog = 9;
    private const int MaxOffsetLog = 8;
    private const int MaxLiteralLengthSymbol = 35;
    private const int MaxMatchLengthSymbol = 52;
    private const int MaxOffsetSymbol = 31;
    private const int MaxHuffmanBits = 11;
    private const int MaxWeightLog = 6;
    private const int DescriptorSingleSegment = 0x20;
    private const int DescriptorReserved = 0x08;
    private const int DescriptorChecksum = 0x04;
    private const int DescriptorDictionaryMask = 0x03;
    private const int MinWindowLog = 10;
    private const int ModePredefined = 0;
    private const int ModeRle = 1;
    private const int ModeFse = 2;
    private const int ModeRepeat = 3;

    private static readonly short[] _literalLengthDefault =
        [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1];

    private static readonly short[] _matchLengthDefault =
        [1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1];

    private static readonly short[] _offsetDefault =
        [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1];

    private static readonly int[] _literalLengthBase =
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

    private static readonly byte[] _literalLengthBits =
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

    private static readonly int[] _matchLengthBase =
        [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
         35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539];

    private static readonly byte[] _matchLengthBits =
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
         1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

    private static readonly FseTable _predefinedLiteralLengths = Predefined(_literalLengthDefault, 6, MaxLiteralLengthLog);
    private static readonly FseTable _predefinedMatchLengths = Predefined(_matchLengthDefault, 6, MaxMatchLengthLog);
    private static readonly FseTable _predefinedOffsets = Predefined(_offsetDefault, 5, MaxOffsetLog);

    private readonly OutputBuffer _output;
    // Pooled: a fresh 128 KiB array per Kafka batch would land on the large object heap every time.
    private readonly byte[] _literals = System.Buffers.ArrayPool<byte>.Shared.Rent(Zstd.MaxBlockSize);
    private readonly uint[] _repeat = new uint[3];
    private readonly byte[] _huffSymbols = new byte[1 << MaxHuffmanBits];
    private readonly byte[] _huffBits = new byte[1 << MaxHuffmanBits];
    private int _huffMaxBits;
    private FseTable? _literalLengthTable;
    private FseTable? _offsetTable;
    private FseTable? _matchLengthTable;
    // Two tables per symbol type alternate so that building a new one never clobbers the one a
    // later block might repeat.
    private readonly FseTable[] _literalLengthPair = [new(MaxLiteralLengthLog), new(MaxLiteralLengthLog)];
    private readonly FseTable[] _offsetPair = [new(MaxOffsetLog), new(MaxOffsetLog)];
    private readonly FseTable[] _matchLengthPair = [new(MaxMatchLengthLog), new(MaxMatchLengthLog)];
    private int _frameStart;
    private int _blockMaxSize;

    public ZstdFrameDecoder(OutputBuffer output) => _output = output;

    public void Dispose() => System.Buffers.ArrayPool<byte>.Shared.Return(_literals);

    internal static short[] LiteralLengthDefault => _literalLengthDefault;

    internal static short[] MatchLengthDefault => _matchLengthDefault;

    internal static short[] OffsetDefault => _offsetDefault;

    private static FseTable Predefined(short[] counts, int log, int maxLog)
    {
        var table = new FseTable(maxLog);
        table.Build(counts, log, "predefined");
        return table;
    }

    /// <summary>Decodes the frame starting at <paramref name="ip"/>; returns the offset just past it.</summary>
    public int DecodeFrame(ReadOnlySpan<byte> src, int ip)
    {
        if (src.Length - ip < 4)
        {
            CompressionException.Throw($"zstd: truncated frame magic at offset {ip}");
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
        if ((magic & Zstd.SkippableMagicMask) == Zstd.SkippableMagic)
        {
            if (src.Length - ip < 8)
            {
                CompressionException.Throw("zstd: truncated skippable frame header");
            }

            var size = BinaryPrimitives.ReadUInt32LittleEndian(src[(ip + 4)..]);
            if (size > (uint)(src.Length - ip - 8))
            {
                CompressionException.Throw($"zstd: skippable frame size {size} exceeds the remaining {src.Length - ip - 8} bytes");
            }

            return ip + 8 + (int)size;
        }

        if (magic != Zstd.Magic)
        {
            CompressionException.Throw($"zstd: bad frame magic 0x{magic:X8} at offset {ip} (expected 0x{Zstd.Magic:X8})");
        }

        // Repeat offsets and reusable tables never cross a frame boundary.
        _repeat[0] = 1;
        _repeat[1] = 4;
        _repeat[2] = 8;
        _huffMaxBits = 0;
        _literalLengthTable = null;
        _offsetTable = null;
        _matchLengthTable = null;

        ip += 4;
        if (ip >= src.Length)
        {
            CompressionException.Throw("zstd: truncated frame header");
        }

        int descriptor = src[ip++];
        var contentSizeFlag = descriptor >> 6;
        var singleSegment = (descriptor & DescriptorSingleSegment) != 0;
        var hasChecksum = (descriptor & DescriptorChecksum) != 0;
        var dictionaryFlag = descriptor & DescriptorDictionaryMask;
        if ((descriptor & DescriptorReserved) != 0)
        {
            CompressionException.Throw("zstd: reserved bit set in the frame header descriptor");
        }

        var dictionaryIdLength = dictionaryFlag == 3 ? 4 : dictionaryFlag;
        var contentSizeLength = contentSizeFlag switch
        {
            0 => singleSegment ? 1 : 0,
            1 => 2,
            2 => 4,
            _ => 8,
        };
        var headerLength = (singleSegment ? 0 : 1) + dictionaryIdLength + contentSizeLength;
        if (src.Length - ip < headerLength)
        {
            CompressionException.Throw("zstd: truncated frame header");
        }

        ulong windowSize = 0;
        if (!singleSegment)
        {
            int windowDescriptor = src[ip++];
            var windowLog = MinWindowLog + (windowDescriptor >> 3);
            var windowBase = 1UL << windowLog;
            windowSize = windowBase + ((windowBase / 8) * (ulong)(windowDescriptor & 7));
        }

        uint dictionaryId = 0;
        for (var i = 0; i < dictionaryIdLength; i++)
        {
            dictionaryId |= (uint)src[ip++] << (8 * i);
        }

        if (dictionaryId != 0)
        {
            CompressionException.Throw($"zstd: frame needs dictionary {dictionaryId}; dictionaries are not supported");
        }

        long contentSize = -1;
        if (contentSizeLength > 0)
        {
            ulong value = 0;
            for (var i = 0; i < contentSizeLength; i++)
            {
                value |= (ulong)src[ip++] << (8 * i);
            }

            if (contentSizeLength == 2)
            {
                value += 256;
            }

            if (value > int.MaxValue)
            {
                CompressionException.Throw($"zstd: frame content size {value} is too large");
            }

            contentSize = (long)value;
            // Fails fast when the declared size is beyond the caller's limit.
            _output.Reserve(contentSize);
        }

        if (singleSegment)
        {
            windowSize = (ulong)contentSize;
        }

        _blockMaxSize = (int)Math.Min(windowSize, Zstd.MaxBlockSize);
        _frameStart = _output.Length;
        while (true)
        {
            if (src.Length - ip < 3)
            {
                CompressionException.Throw("zstd: truncated block header");
            }

            var header = src[ip] | (src[ip + 1] << 8) | (src[ip + 2] << 16);
            ip += 3;
            var last = (header & 1) != 0;
            var type = (header >> 1) & 3;
            var size = header >> 3;
            switch (type)
            {
                case 0:
                    CheckBlockSize(size, "raw");
                    if (size > src.Length - ip)
                    {
                        CompressionException.Throw($"zstd: raw block of {size} bytes runs past the end of the input");
                    }

                    _output.Write(src.Slice(ip, size));
                    ip += size;
                    break;
                case 1:
                    CheckBlockSize(size, "RLE");
                    if (ip >= src.Length)
                    {
                        CompressionException.Throw("zstd: truncated RLE block");
                    }

                    _output.Fill(src[ip++], size);
                    break;
                case 2:
                    CheckBlockSize(size, "compressed");
                    if (size > src.Length - ip)
                    {
                        CompressionException.Throw($"zstd: compressed block of {size} bytes runs past the end of the input");
                    }

                    DecodeCompressedBlock(src.Slice(ip, size));
                    ip += size;
                    break;
                default:
                    CompressionException.Throw("zstd: reserved block type 3");
                    break;
            }

            if (contentSize >= 0 && _output.Length - _frameStart > contentSize)
            {
                CompressionException.Throw($"zstd: frame decodes to more than its declared content size {contentSize}");
            }

            if (last)
            {
                break;
            }
        }

        if (contentSize >= 0 && _output.Length - _frameStart != contentSize)
        {
            CompressionException.Throw($"zstd: frame decoded to {_output.Length - _frameStart} bytes but declared {contentSize}");
        }

        if (hasChecksum)
        {
            if (src.Length - ip < 4)
            {
                CompressionException.Throw("zstd: truncated content checksum");
            }

            var expected = BinaryPrimitives.ReadUInt32LittleEndian(src[ip..]);
            var actual = (uint)XxHash64.Hash(_output.Buffer.AsSpan(_frameStart, _output.Length - _frameStart));
            if (expected != actual)
            {
                CompressionException.Throw($"zstd: content checksum mismatch (frame says 0x{expected:X8}, data hashes to 0x{actual:X8})");
            }

            ip += 4;
        }

        return ip;
    }

    private void CheckBlockSize(int size, string kind)
    {
        if (size > _blockMaxSize)
        {
            CompressionException.Throw($"zstd: {kind} block size {size} exceeds the maximum {_blockMaxSize}");
        }
    }

    private void DecodeCompressedBlock(ReadOnlySpan<byte> block)
    {
        var blockStart = _output.Length;
        var consumed = DecodeLiterals(block, out var literalCount);
        var src = block[consumed..];
        if (src.IsEmpty)
        {
            CompressionException.Throw("zstd: compressed block has no sequences section");
        }

        int sequenceCount = src[0];
        var ip = 1;
        if (sequenceCount >= 128)
        {
            if (sequenceCount < 255)
            {
                if (src.Length < 2)
                {
                    CompressionException.Throw("zstd: truncated sequence count");
                }

                sequenceCount = ((sequenceCount - 128) << 8) + src[1];
                ip = 2;
            }
            else
            {
                if (src.Length < 3)
                {
                    CompressionException.Throw("zstd: truncated sequence count");
                }

                sequenceCount = src[1] + (src[2] << 8) + 0x7F00;
                ip = 3;
            }
        }

        if (sequenceCount == 0)
        {
            if (ip != src.Length)
            {
                CompressionException.Throw("zstd: trailing bytes after a block without sequences");
            }

            _output.Write(_literals.AsSpan(0, literalCount));
            return;
        }

        if (ip >= src.Length)
        {
            CompressionException.Throw("zstd: truncated symbol compression modes");
        }

        int modes = src[ip++];
        if ((modes & 3) != 0)
        {
            CompressionException.Throw("zstd: reserved bits set in symbol compression modes");
        }

        var literalLengths = SelectTable(src, ref ip, modes >> 6, ref _literalLengthTable, _literalLengthPair, _predefinedLiteralLengths, MaxLiteralLengthSymbol, MaxLiteralLengthLog, "literal lengths");
        var offsets = SelectTable(src, ref ip, (modes >> 4) & 3, ref _offsetTable, _offsetPair, _predefinedOffsets, MaxOffsetSymbol, MaxOffsetLog, "offsets");
        var matchLengths = SelectTable(src, ref ip, (modes >> 2) & 3, ref _matchLengthTable, _matchLengthPair, _predefinedMatchLengths, MaxMatchLengthSymbol, MaxMatchLengthLog, "match lengths");

        var bits = new BackwardBitReader(src[ip..], "sequences");
        var llEntries = literalLengths.Entries;
        var ofEntries = offsets.Entries;
        var mlEntries = matchLengths.Entries;
        var llState = (int)bits.Read(literalLengths.AccuracyLog);
        var ofState = (int)bits.Read(offsets.AccuracyLog);
        var mlState = (int)bits.Read(matchLengths.AccuracyLog);
        var literalPos = 0;
        var repeat = _repeat;
        for (var n = 0; n < sequenceCount; n++)
        {
            var ofCode = ofEntries[ofState].Symbol;
            var mlCode = mlEntries[mlState].Symbol;
            var llCode = llEntries[llState].Symbol;
            if (llCode > MaxLiteralLengthSymbol || mlCode > MaxMatchLengthSymbol || ofCode > MaxOffsetSymbol)
            {
                CompressionException.Throw("zstd: sequence code out of range");
            }

            var offsetValue = (1U << ofCode) + bits.Read(ofCode);
            var matchLength = _matchLengthBase[mlCode] + (int)bits.Read(_matchLengthBits[mlCode]);
            var literalLength = _literalLengthBase[llCode] + (int)bits.Read(_literalLengthBits[llCode]);

            uint offset;
            if (offsetValue > 3)
            {
                offset = offsetValue - 3;
                repeat[2] = repeat[1];
                repeat[1] = repeat[0];
                repeat[0] = offset;
            }
            else
            {
                // A zero literal length shifts the repeat-offset index by one (RFC 8878 §3.1.1.5).
                var index = literalLength == 0 ? (int)offsetValue : (int)offsetValue - 1;
                if (index == 0)
                {
                    offset = repeat[0];
                }
                else
                {
                    offset = index == 3 ? repeat[0] - 1 : repeat[index];
                    if (index != 1)
                    {
                        repeat[2] = repeat[1];
                    }

                    repeat[1] = repeat[0];
                    repeat[0] = offset;
                }
            }

            if (literalLength > literalCount - literalPos)
            {
                CompressionException.Throw($"zstd: sequence {n} needs {literalLength} literals but only {literalCount - literalPos} remain");
            }

            if ((long)_output.Length - blockStart + literalLength + matchLength > Zstd.MaxBlockSize)
            {
                CompressionException.Throw("zstd: block decodes to more than 128 KiB");
            }

            _output.Write(_literals.AsSpan(literalPos, literalLength));
            literalPos += literalLength;
            if (offset == 0 || offset > _output.Length - _frameStart)
            {
                CompressionException.Throw($"zstd: sequence {n} has offset {offset} beyond the {_output.Length - _frameStart} bytes decoded so far");
            }

            _output.CopyMatch((int)offset, matchLength);

            if (n + 1 < sequenceCount)
            {
                var ll = llEntries[llState];
                llState = ll.BaseState + (int)bits.Read(ll.NbBits);
                var ml = mlEntries[mlState];
                mlState = ml.BaseState + (int)bits.Read(ml.NbBits);
                var of = ofEntries[ofState];
                ofState = of.BaseState + (int)bits.Read(of.NbBits);
            }

            if (bits.Position < 0)
            {
                CompressionException.Throw("zstd: sequence bitstream overflow");
            }
        }

        if (bits.Position != 0)
        {
            CompressionException.Throw($"zstd: {bits.Position} bits left over after the last sequence");
        }

        if ((long)_output.Length - blockStart + literalCount - literalPos > Zstd.MaxBlockSize)
        {
            CompressionException.Throw("zstd: block decodes to more than 128 KiB");
        }

        _output.Write(_literals.AsSpan(literalPos, literalCount - literalPos));
    }

    private static FseTable SelectTable(ReadOnlySpan<byte> src, ref int ip, int mode, ref FseTable? current, FseTable[] pair, FseTable predefined, int maxSymbol, int maxLog, string name)
    {
        switch (mode)
        {
            case ModePredefined:
                current = predefined;
                break;
            case ModeRle:
                if (ip >= src.Length)
                {
                    CompressionException.Throw($"zstd: truncated RLE symbol for {name}");
                }

                if (src[ip] > maxSymbol)
                {
                    CompressionException.Throw($"zstd: RLE symbol {src[ip]} exceeds maximum {maxSymbol} for {name}");
                }

                var rle = ReferenceEquals(pair[0], current) ? pair[1] : pair[0];
                rle.SetRle(src[ip++]);
                current = rle;
                break;
            case ModeFse:
                var table = ReferenceEquals(pair[0], current) ? pair[1] : pair[0];
                ip += table.ReadDescription(src[ip..], maxSymbol, maxLog, name);
                current = table;
                break;
            default:
                if (current is null)
                {
                    CompressionException.Throw($"zstd: repeat mode for {name} without a previous table");
                }

                break;
        }

        return current!;
    }

    private int DecodeLiterals(ReadOnlySpan<byte> block, out int literalCount)
    {
        if (block.IsEmpty)
        {
            CompressionException.Throw("zstd: empty compressed block");
        }

        int b0 = block[0];
        var type = b0 & 3;
        var sizeFormat = (b0 >> 2) & 3;
        if (type <= 1)
        {
            int headerLength;
            int regenerated;
            switch (sizeFormat)
            {
                case 0:
                case 2:
                    headerLength = 1;
                    regenerated = b0 >> 3;
                    break;
                case 1:
                    headerLength = 2;
                    if (block.Length < 2)
                    {
                        CompressionException.Throw("zstd: truncated literals header");
                    }

                    regenerated = (b0 >> 4) + (block[1] << 4);
                    break;
                default:
                    headerLength = 3;
                    if (block.Length < 3)
                    {
                        CompressionException.Throw("zstd: truncated literals header");
                    }

                    regenerated = (b0 >> 4) + (block[1] << 4) + (block[2] << 12);
                    break;
            }

            if (regenerated > Zstd.MaxBlockSize)
            {
                CompressionException.Throw($"zstd: literals size {regenerated} exceeds 128 KiB");
            }

            literalCount = regenerated;
            if (type == 0)
            {
                if (regenerated > block.Length - headerLength)
                {
                    CompressionException.Throw($"zstd: raw literals of {regenerated} bytes run past the end of the block");
                }

                block.Slice(headerLength, regenerated).CopyTo(_literals);
                return headerLength + regenerated;
            }

            if (block.Length <= headerLength)
            {
                CompressionException.Throw("zstd: truncated RLE literals");
            }

            _literals.AsSpan(0, regenerated).Fill(block[headerLength]);
            return headerLength + 1;
        }

        int header;
        int regeneratedSize;
        int compressedSize;
        var streams = sizeFormat == 0 ? 1 : 4;
        switch (sizeFormat)
        {
            case 0:
            case 1:
                header = 3;
                if (block.Length < 3)
                {
                    CompressionException.Throw("zstd: truncated literals header");
                }

                var v3 = block[0] | (block[1] << 8) | (block[2] << 16);
                regeneratedSize = (v3 >> 4) & 0x3FF;
                compressedSize = (v3 >> 14) & 0x3FF;
                break;
            case 2:
                header = 4;
                if (block.Length < 4)
                {
                    CompressionException.Throw("zstd: truncated literals header");
                }

                var v4 = BinaryPrimitives.ReadUInt32LittleEndian(block);
                regeneratedSize = (int)((v4 >> 4) & 0x3FFF);
                compressedSize = (int)((v4 >> 18) & 0x3FFF);
                break;
            default:
                header = 5;
                if (block.Length < 5)
                {
                    CompressionException.Throw("zstd: truncated literals header");
                }

                var v5 = BinaryPrimitives.ReadUInt32LittleEndian(block) | ((ulong)block[4] << 32);
                regeneratedSize = (int)((v5 >> 4) & 0x3FFFF);
                compressedSize = (int)((v5 >> 22) & 0x3FFFF);
                break;
        }

        if (regeneratedSize > Zstd.MaxBlockSize)
        {
            CompressionException.Throw($"zstd: literals size {regeneratedSize} exceeds 128 KiB");
        }

        if (compressedSize > block.Length - header)
        {
            CompressionException.Throw($"zstd: compressed literals of {compressedSize} bytes run past the end of the block");
        }

        var data = block.Slice(header, compressedSize);
        if (type == 2)
        {
            data = data[ReadHuffmanTree(data)..];
        }
        else if (_huffMaxBits == 0)
        {
            CompressionException.Throw("zstd: treeless literals without a previous Huffman table");
        }

        literalCount = regeneratedSize;
        if (streams == 1)
        {
            DecodeHuffmanStream(data, _literals.AsSpan(0, regeneratedSize));
        }
        else
        {
            if (data.Length < 6)
            {
                CompressionException.Throw("zstd: truncated Huffman jump table");
            }

            int s1 = BinaryPrimitives.ReadUInt16LittleEndian(data);
            int s2 = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
            int s3 = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
            var s4 = data.Length - 6 - s1 - s2 - s3;
            if (s4 < 0)
            {
                CompressionException.Throw("zstd: Huffman jump table sizes exceed the literals size");
            }

            var segment = (regeneratedSize + 3) / 4;
            if (segment * 3 > regeneratedSize)
            {
                CompressionException.Throw($"zstd: {regeneratedSize} literals are too few for 4 Huffman streams");
            }

            var streamData = data[6..];
            var outSpan = _literals.AsSpan(0, regeneratedSize);
            DecodeHuffmanStream(streamData[..s1], outSpan[..segment]);
            DecodeHuffmanStream(streamData.Slice(s1, s2), outSpan.Slice(segment, segment));
            DecodeHuffmanStream(streamData.Slice(s1 + s2, s3), outSpan.Slice(2 * segment, segment));
            DecodeHuffmanStream(streamData.Slice(s1 + s2 + s3, s4), outSpan[(3 * segment)..]);
        }

        return header + compressedSize;
    }

    private void DecodeHuffmanStream(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var bits = new BackwardBitReader(data, "Huffman literals");
        var maxBits = _huffMaxBits;
        var symbols = _huffSymbols;
        var lengths = _huffBits;
        for (var i = 0; i < destination.Length; i++)
        {
            var index = (int)bits.Peek(maxBits);
            destination[i] = symbols[index];
            bits.Skip(lengths[index]);
        }

        if (bits.Position != 0)
        {
            CompressionException.Throw($"zstd: Huffman stream ended with {bits.Position} bits unaccounted for");
        }
    }

    private int ReadHuffmanTree(ReadOnlySpan<byte> src)
    {
        if (src.IsEmpty)
        {
            CompressionException.Throw("zstd: missing Huffman tree description");
        }

        Span<byte> weights = stackalloc byte[256];
        int header = src[0];
        int count;
        int consumed;
        if (header >= 128)
        {
            count = header - 127;
            var bytes = (count + 1) / 2;
            if (src.Length < 1 + bytes)
            {
                CompressionException.Throw("zstd: truncated Huffman weights");
            }

            for (var i = 0; i < count; i++)
            {
                var b = src[1 + (i / 2)];
                weights[i] = (byte)((i & 1) == 0 ? b >> 4 : b & 0xF);
            }

            consumed = 1 + bytes;
        }
        else
        {
            if (src.Length < 1 + header || header == 0)
            {
                CompressionException.Throw("zstd: truncated FSE-compressed Huffman weights");
            }

            count = DecodeWeights(src.Slice(1, header), weights);
            consumed = 1 + header;
        }

        long sum = 0;
        for (var i = 0; i < count; i++)
        {
            if (weights[i] > MaxHuffmanBits)
            {
                CompressionException.Throw($"zstd: Huffman weight {weights[i]} exceeds maximum {MaxHuffmanBits}");
            }

            if (weights[i] > 0)
            {
                sum += 1L << (weights[i] - 1);
            }
        }

        if (sum == 0)
        {
            CompressionException.Throw("zstd: Huffman weights are all zero");
        }

        var maxBits = 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)sum);
        if (maxBits > MaxHuffmanBits)
        {
            CompressionException.Throw($"zstd: Huffman code length {maxBits} exceeds maximum {MaxHuffmanBits}");
        }

        var rest = (1L << maxBits) - sum;
        if (rest <= 0 || (rest & (rest - 1)) != 0)
        {
            CompressionException.Throw("zstd: Huffman weights do not complete a prefix code");
        }

        if (count >= 256)
        {
            CompressionException.Throw("zstd: too many Huffman weights");
        }

        weights[count++] = (byte)(64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)rest));
        var pos = 0;
        for (var w = 1; w <= maxBits; w++)
        {
            var length = 1 << (w - 1);
            var nb = (byte)(maxBits + 1 - w);
            for (var s = 0; s < count; s++)
            {
                if (weights[s] == w)
                {
                    _huffSymbols.AsSpan(pos, length).Fill((byte)s);
                    _huffBits.AsSpan(pos, length).Fill(nb);
                    pos += length;
                }
            }
        }

        _huffMaxBits = maxBits;
        return consumed;
    }

    private static int DecodeWeights(ReadOnlySpan<byte> src, Span<byte> weights)
    {
        var table = new FseTable(MaxWeightLog);
        var descriptionLength = table.ReadDescription(src, 15, MaxWeightLog, "Huffman weights");
        var bits = new BackwardBitReader(src[descriptionLength..], "Huffman weights");
        var entries = table.Entries;
        var state1 = (int)bits.Read(table.AccuracyLog);
        var state2 = (int)bits.Read(table.AccuracyLog);
        var count = 0;
        const int MaxWeights = 255;
        while (true)
        {
            if (count >= MaxWeights)
            {
                CompressionException.Throw("zstd: too many Huffman weights");
            }

            weights[count++] = entries[state1].Symbol;
            state1 = entries[state1].BaseState + (int)bits.Read(entries[state1].NbBits);
            if (bits.Position < 0)
            {
                weights[count++] = entries[state2].Symbol;
                break;
            }

            if (count >= MaxWeights)
            {
                CompressionException.Throw("zstd: too many Huffman weights");
            }

            weights[count++] = entries[state2].Symbol;
            state2 = entries[state2].BaseState + (int)bits.Read(entries[state2].NbBits);
            if (bits.Position < 0)
            {
                weights[count++] = entries[state1].Symbol;
                break;
            }
        }

        return count;
    }
}
