using System.ComponentModel;
using System.Diagnostics;

namespace Meshwork.Compression.Tests;

/// <summary>Runs the reference command-line implementations as processes.</summary>
internal static class Tools
{
    public static byte[] Zstd(byte[] input, params string[] args) => Run("zstd", "zstd", input, args);

    public static byte[] Lz4(byte[] input, params string[] args) => Run("lz4", "lz4", input, args);

    public static byte[] Python(string script, byte[] input) => Run("/usr/bin/python3", "python3-snappy", input, ["-c", script]);

    public const string SnappyCompress = "import sys, snappy; sys.stdout.buffer.write(snappy.compress(sys.stdin.buffer.read()))";

    public const string SnappyDecompress = "import sys, snappy; sys.stdout.buffer.write(snappy.uncompress(sys.stdin.buffer.read()))";

    // Xerial is built and parsed by hand per the snappy-java format: python-snappy has no xerial codec.
    public const string XerialCompress = """
        import sys, struct, snappy
        d = sys.stdin.buffer.read()
        out = bytearray(b"\x82SNAPPY\x00" + struct.pack(">ii", 1, 1))
        for i in range(0, len(d), 32768):
            c = snappy.compress(d[i:i+32768])
            out += struct.pack(">i", len(c)) + c
        sys.stdout.buffer.write(bytes(out))
        """;

    public const string XerialDecompress = """
        import sys, struct, snappy
        d = sys.stdin.buffer.read()
        assert d[:8] == b"\x82SNAPPY\x00", "bad magic"
        p = 16
        out = bytearray()
        while p < len(d):
            (n,) = struct.unpack(">i", d[p:p+4])
            out += snappy.uncompress(d[p+4:p+4+n])
            p += 4 + n
        sys.stdout.buffer.write(bytes(out))
        """;

    private static byte[] Run(string tool, string aptPackage, byte[] input, string[] args)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {tool}");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"'{tool}' is not installed: run `apt-get install -y {aptPackage}`", ex);
        }

        using (process)
        {
            var writer = Task.Run(() =>
            {
                try
                {
                    process.StandardInput.BaseStream.Write(input);
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The tool exited early; its exit code and stderr explain why.
                }
            });
            var stderr = process.StandardError.ReadToEndAsync();
            using var stdout = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(stdout);
            process.WaitForExit();
            writer.Wait();
            if (tool.Contains("python", StringComparison.Ordinal) && stderr.Result.Contains("ModuleNotFoundError", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"python snappy module missing: run `apt-get install -y {aptPackage}`");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
            }

            return stdout.ToArray();
        }
    }
}
