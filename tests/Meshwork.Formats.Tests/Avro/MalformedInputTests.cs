using Meshwork.Formats.Avro;
using Meshwork.Testing;
using Shouldly;

namespace Meshwork.Formats.Tests.Avro;

public class MalformedInputTests
{
    private static AvroSchema P(string json) => AvroSchema.Parse(json);

    private static void ShouldFail(AvroSchema schema, byte[] bytes, string message)
    {
        Should.Throw<AvroDataException>(() => AvroBinary.Decode(schema, bytes)).Message.ShouldContain(message);
        Should.Throw<AvroDataException>(() => AvroBinary.Validate(schema, bytes)).Message.ShouldContain(message);
    }

    [Fact]
    public void VarintLongerThanTenBytes_IsRejected() => ShouldFail(P("\"long\""), [.. Enumerable.Repeat((byte)0xff, 11)], "varint");

    [Fact]
    public void VarintOverflowingSixtyFourBits_IsRejected() => ShouldFail(P("\"long\""), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], "overflows");

    [Fact]
    public void IntOutOfRange_IsRejected() => ShouldFail(P("\"int\""), [0x80, 0x80, 0x80, 0x80, 0x10], "out of 32-bit range");

    [Fact]
    public void TruncatedVarint_IsRejected() => ShouldFail(P("\"long\""), [0x80], "truncated");

    [Fact]
    public void HugeStringLength_DoesNotAllocate()
    {
        // Length 2^31 followed by three bytes: rejected before any buffer is sized from the length.
        var bytes = new byte[] { 0x80, 0x80, 0x80, 0x80, 0x10, (byte)'a', (byte)'b', (byte)'c' };
        var before = GC.GetAllocatedBytesForCurrentThread();
        ShouldFail(P("\"string\""), bytes, "exceeds");
        ShouldFail(P("\"bytes\""), bytes, "exceeds");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(1 << 20);
    }

    [Fact]
    public void NegativeLength_IsRejected() => ShouldFail(P("\"bytes\""), [0x01], "negative");

    [Fact]
    public void HugeBlockCount_IsRejectedBeforeLooping()
    {
        ShouldFail(P("""{"type":"array","items":"int"}"""), [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00], "needs at least");
        ShouldFail(P("""{"type":"array","items":"null"}"""), [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00], "zero-byte items");
        ShouldFail(P("""{"type":"map","values":"null"}"""), [0xfe, 0xff, 0xff, 0xff, 0x0f, 0x00], "needs at least");
        ShouldFail(P("""{"type":"array","items":"int"}"""), [0x01, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x02, 0x00], "block byte size");
    }

    [Fact]
    public void BadUnionAndEnumIndexes_AreRejected()
    {
        ShouldFail(P("""["null","int"]"""), [0x04], "union branch 2");
        ShouldFail(P("""["null","int"]"""), [0x01], "union branch -1");
        ShouldFail(P("""{"type":"enum","name":"E","symbols":["A"]}"""), [0x02], "enum index 1");
    }

    [Fact]
    public void InvalidUtf8_IsRejected() => ShouldFail(P("\"string\""), [0x04, 0xc3, 0x28], "UTF-8");

    [Fact]
    public void InvalidBoolean_IsRejected() => ShouldFail(P("\"boolean\""), [0x02], "boolean");

    [Fact]
    public void TrailingBytes_AreRejected() => ShouldFail(P("\"int\""), [0x02, 0x00], "unexpected bytes");

    [Fact]
    public void DeepRecursion_IsBoundedInsteadOfOverflowingTheStack()
    {
        var schema = P("""{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]}""");
        var bytes = new byte[200_001];
        Array.Fill(bytes, (byte)0x02, 0, 200_000);
        ShouldFail(schema, bytes, "deeper than");
        AvroBinary.Decode(schema, [0x02, 0x02, 0x00]).ShouldNotBeNull();
    }

    [Fact]
    public void EveryTruncation_OfEveryCorpusValue_FailsCleanly()
    {
        var checkedCount = 0;
        foreach (var c in AvroCorpus.Cases)
        {
            var schema = c.Parse();
            foreach (var hex in AvroCorpus.OurHex(c))
            {
                var bytes = Convert.FromHexString(hex!.GetValue<string>());
                for (var length = 0; length < bytes.Length; length++)
                {
                    var prefix = bytes[..length];
                    Should.Throw<AvroDataException>(() => AvroBinary.Decode(schema, prefix), $"{c.FileName} truncated to {length}");
                    AvroBinary.TryValidate(schema, prefix, out _).ShouldBeFalse();
                    checkedCount++;
                }
            }
        }

        checkedCount.ShouldBeGreaterThan(1000);
    }

    /// <summary>
    /// Seeded mutation fuzzing: flipped, inserted, deleted and overwritten bytes must either decode or throw
    /// <see cref="AvroDataException"/>; decode, validate and resolve must agree on which.
    /// </summary>
    [Fact]
    public void MutationFuzz_BinaryPayloads_NeverCrash()
    {
        var random = new Random(20261122);
        var iterations = 0;
        foreach (var c in AvroCorpus.Cases)
        {
            var schema = c.Parse();
            var resolver = new AvroResolvingDecoder(schema, schema);
            foreach (var hex in AvroCorpus.OurHex(c))
            {
                var original = Convert.FromHexString(hex!.GetValue<string>());
                for (var i = 0; i < 150; i++)
                {
                    var mutated = Mutate(original, random);
                    var decoded = Outcome(() => AvroBinary.Decode(schema, mutated));
                    var validated = Outcome(() => AvroBinary.Validate(schema, mutated));
                    var resolved = Outcome(() => resolver.Decode(mutated));
                    decoded.ShouldBe(validated, $"{c.FileName}: decode and validate disagree on {Convert.ToHexString(mutated)}");
                    decoded.ShouldBe(resolved, $"{c.FileName}: decode and resolve disagree on {Convert.ToHexString(mutated)}");
                    iterations++;
                }
            }
        }

        iterations.ShouldBeGreaterThan(10_000);
    }

    [Fact]
    public void MutationFuzz_ContainerFiles_NeverCrash()
    {
        var random = new Random(7);
        var schema = P("""{"type":"record","name":"R","fields":[{"name":"s","type":"string"},{"name":"a","type":{"type":"array","items":["null","long"]}}]}""");
        foreach (var codec in new[] { "null", "deflate" })
        {
            using var stream = new MemoryStream();
            using (var writer = new AvroContainerWriter(stream, schema, new AvroContainerWriterOptions { Codec = codec, MaxRecordsPerBlock = 3 }, leaveOpen: true))
            {
                for (var i = 0; i < 10; i++)
                {
                    writer.Append(new Dictionary<string, object?> { ["s"] = $"row {i}", ["a"] = new List<object?> { null, (long)i } });
                }
            }

            var file = stream.ToArray();
            for (var i = 0; i < 500; i++)
            {
                var mutated = Mutate(file, random);
                Outcome(() =>
                {
                    using var reader = new AvroContainerReader(new MemoryStream(mutated));
                    return reader.ToList();
                });
            }
        }
    }

    [Fact]
    public void MutationFuzz_SchemaText_NeverCrashes()
    {
        var random = new Random(99);
        const string Alphabet = "{}[]\":,.abcnrtyspefilmdu0123456789 ";
        foreach (var c in AvroCorpus.Cases)
        {
            var text = c.Schema.ToJsonString();
            for (var i = 0; i < 40; i++)
            {
                var chars = text.ToCharArray();
                var edits = random.Next(1, 4);
                for (var e = 0; e < edits; e++)
                {
                    chars[random.Next(chars.Length)] = Alphabet[random.Next(Alphabet.Length)];
                }

                try
                {
                    var schema = AvroSchema.Parse(new string(chars));
                    AvroSchema.Parse(schema.ToJson()).ToCanonicalForm().ShouldBe(schema.ToCanonicalForm());
                }
                catch (AvroSchemaException)
                {
                }
            }
        }
    }

    private static bool Outcome(Func<object?> action)
    {
        try
        {
            action();
            return true;
        }
        catch (AvroDataException)
        {
            return false;
        }
    }

    private static bool Outcome(Action action) => Outcome(() =>
    {
        action();
        return null;
    });

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var kind = bytes.Count == 0 ? 1 : random.Next(4);
            switch (kind)
            {
                case 0:
                    bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
                    break;
                case 2:
                    bytes.RemoveAt(random.Next(bytes.Count));
                    break;
                default:
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
            }
        }

        return [.. bytes];
    }
}
