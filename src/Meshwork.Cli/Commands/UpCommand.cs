using System.CommandLine;
using System.Runtime.InteropServices;
using Meshwork.Metadata;
using Meshwork.Server;
using Meshwork.Server.Configuration;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh up</c>: runs the whole mesh in this process until Ctrl-C or SIGTERM.</summary>
public static class UpCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create(CliContext context)
    {
        var data = new Option<string?>("--data") { Description = "Data directory (default ./.meshwork). Setting: data." };
        var config = new Option<string?>("--config") { Description = "Configuration file (default ./meshwork.yaml when present)." };
        var httpHost = new Option<string?>("--http-host") { Description = "Address of the HTTP API (default 127.0.0.1). Setting: http.host." };
        var httpPort = new Option<string?>("--http-port") { Description = "Port of the HTTP API (default 8080; 0 = any free port). Setting: http.port." };
        var registryPort = new Option<string?>("--registry-port") { Description = "Port of the schema registry (default 8081; 0 = any free port). Setting: registry.port." };
        var brokerPort = new Option<string?>("--broker-port") { Description = "Port of the Kafka listener (default 9092; 0 = any free port). Setting: broker.port." };
        var logLevel = new Option<string?>("--log-level") { Description = "trace, debug, information, warning, error. Setting: log.level." };
        var set = new Option<string[]>("--set") { Description = "Set any setting: --set key=value (repeatable).", AllowMultipleArgumentsPerToken = false };
        var printConfig = new Option<bool>("--print-config") { Description = "Print the effective configuration (secrets redacted) and exit." };
        var empty = new Option<bool>("--empty") { Description = "Start without the example mesh and its event generators. Setting: examples.enabled=false." };

        var command = new Command("up", "Run the mesh in this process: HTTP API on 127.0.0.1:8080, schema registry on 8081, Kafka on 9092, data in ./.meshwork; the example mesh on first start unless --empty.")
        {
            data, config, httpHost, httpPort, registryPort, brokerPort, logLevel, set, printConfig, empty,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var flags = new List<ConfigValue>();
            AddFlag(flags, "data", parse.GetValue(data), "--data");
            AddFlag(flags, "http.host", parse.GetValue(httpHost), "--http-host");
            AddFlag(flags, "http.port", parse.GetValue(httpPort), "--http-port");
            AddFlag(flags, "broker.port", parse.GetValue(brokerPort), "--broker-port");
            AddFlag(flags, "registry.port", parse.GetValue(registryPort), "--registry-port");
            AddFlag(flags, "log.level", parse.GetValue(logLevel), "--log-level");
            AddFlag(flags, "examples.enabled", parse.GetValue(empty) ? "false" : null, "--empty");
            foreach (var pair in parse.GetValue(set) ?? [])
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    await context.Error.WriteLineAsync($"mesh up: --set '{pair}': expected key=value, such as --set http.port=8081.").ConfigureAwait(false);
                    return ExitCodes.InvalidConfiguration;
                }

                flags.Add(new ConfigValue(pair[..eq], pair[(eq + 1)..], $"--set {pair[..eq]}"));
            }

            LoadedConfiguration loaded;
            try
            {
                loaded = MeshConfiguration.Load(new ConfigInput(parse.GetValue(config), context.Environment, flags, context.WorkingDirectory));
            }
            catch (ConfigException e)
            {
                await context.Error.WriteLineAsync($"mesh up: {e.Message}").ConfigureAwait(false);
                return ExitCodes.InvalidConfiguration;
            }

            if (parse.GetValue(printConfig))
            {
                await context.Output.WriteAsync(MeshConfiguration.Print(loaded)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            return await RunAsync(loaded.Options, context, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static void AddFlag(List<ConfigValue> flags, string key, string? value, string flag)
    {
        if (value is not null)
        {
            flags.Add(new ConfigValue(key, value, flag));
        }
    }

    private static async Task<int> RunAsync(MeshOptions options, CliContext context, CancellationToken cancellationToken)
    {
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext signal)
        {
            signal.Cancel = true; // we exit on our own, after a clean stop
            shutdown.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        MeshServer server;
        try
        {
            server = await MeshServer.StartAsync(options, cancellationToken: shutdown.Token).ConfigureAwait(false);
        }
        catch (DataDirectoryInUseException e)
        {
            await context.Error.WriteLineAsync($"mesh up: {e.Message}").ConfigureAwait(false);
            return ExitCodes.DataDirectoryInUse;
        }
        catch (MetadataStoreException e)
        {
            await context.Error.WriteLineAsync($"mesh up: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await context.Error.WriteLineAsync($"mesh up: cannot listen on {options.Http.Host}:{options.Http.Port}: {e.Message.TrimEnd('.')}. Stop what uses the port or pass --http-port.").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }

        await context.Output.WriteLineAsync($"Meshwork {MeshStatus.Version} is up.").ConfigureAwait(false);
        await context.Output.WriteLineAsync($"  HTTP API  {server.HttpAddress}  (health: {server.HttpAddress}healthz)").ConfigureAwait(false);
        await context.Output.WriteLineAsync($"  Kafka     {server.BootstrapServers}  (any Kafka client: bootstrap.servers={server.BootstrapServers})").ConfigureAwait(false);
        await context.Output.WriteLineAsync($"  Registry  {server.RegistryAddress}  (Confluent Schema Registry API)").ConfigureAwait(false);
        await context.Output.WriteLineAsync($"  Metadata  {server.Store.Provider.ToString().ToLowerInvariant()} {server.Store.DisplayName}").ConfigureAwait(false);
        await context.Output.WriteLineAsync($"  Data      {options.DataDirectory}").ConfigureAwait(false);
        await context.Output.WriteLineAsync("Press Ctrl-C to stop.").ConfigureAwait(false);
        await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);

        try
        {
            await Task.Delay(Timeout.Infinite, shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or SIGTERM: fall through to an orderly stop.
        }

        await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await context.Output.WriteLineAsync("Meshwork stopped.").ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
