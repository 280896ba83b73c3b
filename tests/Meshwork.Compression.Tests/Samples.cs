using System.Text;

namespace Meshwork.Compression.Tests;

/// <summary>Deterministic inputs shared by every codec's tests.</summary>
internal static class Samples
{
    public static readonly byte[] Empty = [];
    public static readonly byte[] OneByte = [0x5A];
    public static readonly byte[] Random64K = RandomBytes(65_536, seed: 1);
    public static readonly byte[] Repetitive = Enumerable.Repeat((byte)'a', 300_000).ToArray();
    public static readonly byte[] Pattern = Enumerable.Range(0, 200_000).Select(i => (byte)(i % 7 * 31)).ToArray();
    public static readonly byte[] Text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2_000).Select(i =>
        $"{{\"id\":{i},\"domain\":\"finance\",\"product\":\"ledger\",\"amount\":{i * 17 % 1000}.{i % 100:D2}}}\n")));
    public static readonly byte[] Mixed1MiB = BuildMixed(1_100_000);
    public static readonly byte[] Letters = BuildLetters(200_000);

    public static TheoryData<string> Names => new(All.Keys);

    public static readonly IReadOnlyDictionary<string, byte[]> All = new Dictionary<string, byte[]>
    {
        ["empty"] = Empty,
        ["one-byte"] = OneByte,
        ["random-64k"] = Random64K,
        ["repetitive"] = Repetitive,
        ["pattern"] = Pattern,
        ["text"] = Text,
        ["mixed-1mib"] = Mixed1MiB,
    };

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] TestData(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", name));

    private static byte[] BuildLetters(int length)
    {
        const string Alphabet = "etaoinshrdlcumwfgypbvkjxqz      ";
        var random = new Random(9);
        return Enumerable.Range(0, length).Select(_ => (byte)Alphabet[random.Next(Alphabet.Length)]).ToArray();
    }

    private static byte[] BuildMixed(int length)
    {
        // Alternating runs of text, random bytes and repeats exercise literal, match and raw paths.
        var random = new Random(3);
        var result = new byte[length];
        var pos = 0;
        while (pos < length)
        {
            var run = Math.Min(length - pos, random.Next(100, 20_000));
            switch (random.Next(3))
            {
                case 0:
                    random.NextBytes(result.AsSpan(pos, run));
                    break;
                case 1:
                    Text.AsSpan(0, Math.Min(run, Text.Length)).CopyTo(result.AsSpan(pos));
                    break;
                default:
                    result.AsSpan(pos, run).Fill((byte)random.Next(256));
                    break;
            }

            pos += run;
        }

        return result;
    }
}
