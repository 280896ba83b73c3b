using System.Text.Json.Nodes;
using Meshwork.Conformance.Tests.Kafka;
using Meshwork.Lake;
using Meshwork.Lake.IO;
using Meshwork.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Meshwork.Conformance.Tests.Lake;

/// <summary>Runs the lake driver scripts (tests/conformance/lake) and starts the loopback servers they read from.</summary>
internal static class LakeTools
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);

    public static string ScriptsDirectory => Repository.Path("tests", "conformance", "lake");

    /// <summary>Runs <c>node lake/SCRIPT args</c> and parses its JSON output.</summary>
    public static async Task<JsonObject> NodeAsync(string script, params string[] arguments)
    {
        var output = await KafkaTools.RunAsync("node", [Path.Combine(ScriptsDirectory, script), .. arguments], ScriptTimeout,
            $"apt-get install nodejs && cd {KafkaTools.NodeProject} && npm install (./test.sh does both)");
        return JsonNode.Parse(output)!.AsObject();
    }

    /// <summary>Runs <c>/usr/bin/python3 lake/SCRIPT args</c> (Debian's, which has python3-avro) and parses its JSON output.</summary>
    public static async Task<JsonObject> PythonAsync(string script, params string[] arguments)
    {
        if (!File.Exists(KafkaTools.Python))
        {
            throw new InvalidOperationException($"{KafkaTools.Python} is missing: apt-get install python3 python3-avro");
        }

        var output = await KafkaTools.RunAsync(KafkaTools.Python, [Path.Combine(ScriptsDirectory, script), .. arguments], ScriptTimeout, "apt-get install python3-avro");
        return JsonNode.Parse(output)!.AsObject();
    }

    /// <summary>A loopback HTTP server serving the files of a directory (with Range requests, which hyparquet uses).</summary>
    public sealed class StaticServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private StaticServer(WebApplication app, Uri address)
        {
            _app = app;
            Address = address;
        }

        /// <summary>The base address, ending with '/'.</summary>
        public Uri Address { get; }

        public static async Task<StaticServer> StartAsync(string root)
        {
            Directory.CreateDirectory(root);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(root), ServeUnknownFileTypes = true });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new StaticServer(app, new Uri(address.TrimEnd('/') + "/"));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>s3rver (npm) on a free loopback port with one bucket, killed when disposed (and exiting by itself if we die).</summary>
    public sealed class S3Server : IAsyncDisposable
    {
        private readonly ChildProcess _process;

        private S3Server(ChildProcess process, int port, string bucket)
        {
            _process = process;
            Port = port;
            Bucket = bucket;
        }

        public int Port { get; }

        public string Bucket { get; }

        public string Endpoint => $"http://127.0.0.1:{Port}";

        /// <summary>S3 settings reaching this server (s3rver accepts the S3RVER/S3RVER key pair).</summary>
        public S3Options Options => new() { Endpoint = Endpoint, ForcePathStyle = true, AccessKeyId = "S3RVER", SecretAccessKey = "S3RVER", Region = "us-east-1" };

        public static Task<S3Server> StartAsync(string directory, string bucket)
        {
            Directory.CreateDirectory(directory);
            if (!Directory.Exists(Path.Combine(KafkaTools.NodeProject, "node_modules", "s3rver")))
            {
                throw new InvalidOperationException($"s3rver is not installed: cd {KafkaTools.NodeProject} && npm install (./test.sh does it)");
            }

            var process = ChildProcess.Start("node", [Path.Combine(ScriptsDirectory, "s3rver_start.mjs"), directory, bucket, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                workingDirectory: KafkaTools.NodeProject);
            var line = process.WaitForLine("s3rver listening on", TimeSpan.FromSeconds(30));
            var port = int.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            return Task.FromResult(new S3Server(process, port, bucket));
        }

        public ValueTask DisposeAsync() => _process.DisposeAsync();
    }

    /// <summary>Copies every file under <paramref name="prefix"/> to <paramref name="directory"/> (for tools that read local files).</summary>
    public static async Task<List<string>> DownloadAsync(IFileIO io, string prefix, string directory, Func<string, bool> select)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        await foreach (var file in io.ListAsync(prefix))
        {
            var name = file.Location[(file.Location.LastIndexOf('/') + 1)..];
            if (!select(name))
            {
                continue;
            }

            var local = Path.Combine(directory, name);
            await File.WriteAllBytesAsync(local, await io.ReadAllBytesAsync(file.Location));
            files.Add(local);
        }

        return files;
    }

    /// <summary>The lake's warehouse location of a mesh started with <paramref name="options"/>.</summary>
    public static string Warehouse(LakeOptions options, string dataDirectory) => options.Warehouse(dataDirectory);
}
