using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Meshwork.Broker;
using Meshwork.Broker.Storage;
using Meshwork.Lake;
using Meshwork.Lake.IO;
using Meshwork.Metadata;
using Meshwork.Processing;
using Microsoft.Extensions.Logging;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Meshwork.Server.Configuration;

/// <summary>What a caller hands the loader: the layers above the embedded defaults.</summary>
/// <param name="ConfigFile">An explicit <c>--config FILE</c>, or null to use <c>MESHWORK_CONFIG</c> or <c>./meshwork.yaml</c> when present.</param>
/// <param name="Environment">The process environment (only <c>MESHWORK_*</c> variables are read).</param>
/// <param name="Flags">Command-line values by key, each with the flag that set it.</param>
/// <param name="WorkingDirectory">Relative paths resolve against this directory.</param>
public sealed record ConfigInput(
    string? ConfigFile,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<ConfigValue> Flags,
    string WorkingDirectory)
{
    /// <summary>The current process's environment and working directory, with the given flags.</summary>
    public static ConfigInput FromProcess(string? configFile, IReadOnlyList<ConfigValue> flags)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        return new ConfigInput(configFile, environment, flags, Directory.GetCurrentDirectory());
    }
}

/// <summary>A raw value for a key and where it came from.</summary>
public sealed record ConfigValue(string Key, string Value, string Source);

/// <summary>The validated options and, per key, the raw value that won (for <c>--print-config</c>).</summary>
public sealed record LoadedConfiguration(MeshOptions Options, IReadOnlyList<ConfigValue> Effective);

/// <summary>
/// Builds <see cref="MeshOptions"/> from layers — embedded defaults, then <c>meshwork.yaml</c>, then
/// <c>MESHWORK_*</c> environment variables, then command-line flags — and validates the result,
/// reporting every problem at once. Loading never writes anything.
/// </summary>
public static partial class MeshConfiguration
{
    /// <summary>The configuration file read from the working directory when none is named.</summary>
    public const string DefaultConfigFile = "meshwork.yaml";

    /// <summary>The environment variable that names the configuration file.</summary>
    public const string ConfigFileVariable = "MESHWORK_CONFIG";

    /// <summary>Every setting Meshwork understands.</summary>
    public static IReadOnlyList<Setting> Settings { get; } =
    [
        new("data", ".meshwork", "Data directory: logs, lake, embedded metadata store. Relative to the working directory."),
        new("http.host", "127.0.0.1", "Address the HTTP API listens on."),
        new("http.port", "8080", "Port of the HTTP API; 0 picks a free port."),
        new("metadata.connectionString", null, "PostgreSQL connection string or postgres:// URI; empty means SQLite in the data directory.", Secret: true),
        new("metadata.connectionStringFile", null, "File holding metadata.connectionString, for secrets mounted as files."),
        new("log.level", "information", "Minimum log level: trace, debug, information, warning, error, critical, none."),
        new("registry.host", "127.0.0.1", "Address the schema registry (Confluent REST API) listens on."),
        new("registry.port", "8081", "Port of the schema registry; 0 picks a free port."),
        new("broker.host", "127.0.0.1", "Address the Kafka listener binds to."),
        new("broker.port", "9092", "Port of the Kafka listener; 0 picks a free port."),
        new("broker.advertisedHost", "", "Host clients are told to connect to (default: broker.host)."),
        new("broker.advertisedPort", "", "Port clients are told to connect to (default: the bound port)."),
        new("broker.autoCreateTopics", "true", "Create topics on first metadata request or produce: true or false."),
        new("broker.defaultPartitions", "1", "Partitions of auto-created topics."),
        new("broker.allowAnonymous", "true", "Accept Kafka clients that do not authenticate; false requires SASL (PLAIN, SCRAM-SHA-256/512)."),
        new("broker.flush", "every-batch", "When appended records are fsynced: every-batch, interval or messages."),
        new("broker.flushIntervalMs", "1000", "fsync period under broker.flush=interval."),
        new("broker.flushMessages", "10000", "Messages between fsyncs under broker.flush=messages."),
        new("examples.enabled", "true", "Apply the embedded example mesh on first start and run its event generators: true or false (mesh up --empty sets false)."),
        new("examples.eventsPerSecond", "2", "Events per second each example generator publishes (0 stops them; at most 1000)."),
        new("findings.sampleIntervalMs", "10000", "How often the value detectors sample each product's newest events for undeclared PII; 0 turns sampling off."),
        new("processing.enabled", "true", "Materialize every published product into its current-state and history tables in the lake: true or false."),
        new("processing.commitIntervalMs", "1000", "Longest time a consumed event waits for the lake commit that makes it queryable (milliseconds)."),
        new("processing.commitRecords", "10000", "Most events in one lake commit of a product's tables."),
        new("lake.storage", "local", "Where lake table files live: local or s3."),
        new("lake.path", "", "Local warehouse directory (default: DATA/lake)."),
        new("lake.s3.bucket", "", "S3 bucket of the warehouse (lake.storage=s3)."),
        new("lake.s3.prefix", "lake", "Key prefix of the warehouse in the bucket."),
        new("lake.s3.region", "us-east-1", "AWS region of the bucket."),
        new("lake.s3.endpoint", "", "Endpoint URL of an S3-compatible server; empty for AWS."),
        new("lake.s3.forcePathStyle", "false", "Path-style S3 addressing (host/bucket/key), for S3-compatible servers."),
        new("lake.s3.accessKeyId", "", "S3 access key id; empty uses the AWS default credential chain."),
        new("lake.s3.secretAccessKey", null, "S3 secret access key (with lake.s3.accessKeyId).", Secret: true),
        new("lake.s3.kmsKeyId", "", "KMS key id or ARN: lake objects are written with SSE-KMS under it; empty uses the bucket default."),
    ];

    private static readonly Dictionary<string, Setting> ByKey = Settings.ToDictionary(s => s.Key, StringComparer.Ordinal);

    /// <summary>Loads and validates; throws <see cref="ConfigException"/> listing every error.</summary>
    public static LoadedConfiguration Load(ConfigInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<ConfigError>();
        var values = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        foreach (var setting in Settings.Where(s => s.Default is not null))
        {
            values[setting.Key] = new ConfigValue(setting.Key, setting.Default!, "default");
        }

        foreach (var value in ReadFile(input, errors))
        {
            values[value.Key] = value;
        }

        foreach (var value in ReadEnvironment(input.Environment, errors))
        {
            values[value.Key] = value;
        }

        foreach (var value in input.Flags)
        {
            if (ByKey.ContainsKey(value.Key))
            {
                values[value.Key] = value;
            }
            else
            {
                errors.Add(new ConfigError(value.Source, value.Key, null, UnknownKey(value.Key)));
            }
        }

        var options = Bind(values, input.WorkingDirectory, errors);
        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }

        var effective = Settings.Where(s => values.ContainsKey(s.Key)).Select(s => values[s.Key]).ToList();
        return new LoadedConfiguration(options!, effective);
    }

    /// <summary>Renders the effective configuration as YAML, one key per line with its source, secrets redacted.</summary>
    public static string Print(LoadedConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = new StringBuilder();
        text.AppendLine("# Effective Meshwork configuration (defaults -> meshwork.yaml -> MESHWORK_* -> flags)");
        string? section = null;
        foreach (var value in configuration.Effective)
        {
            var setting = ByKey[value.Key];
            var dot = value.Key.IndexOf('.', StringComparison.Ordinal);
            var shown = setting.Secret ? Redact(value.Value) : value.Value;
            if (dot < 0)
            {
                section = null;
                text.Append(CultureInfo.InvariantCulture, $"{value.Key}: {Quote(shown)}");
            }
            else
            {
                var head = value.Key[..dot];
                if (head != section)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"{head}:");
                    section = head;
                }

                text.Append(CultureInfo.InvariantCulture, $"  {value.Key[(dot + 1)..]}: {Quote(shown)}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"  # {value.Source}");
        }

        return text.ToString();
    }

    /// <summary>A secret with its password (or all of it, when it cannot be parsed) replaced by <c>***</c>.</summary>
    public static string Redact(string secret) =>
        PostgresConnectionString.IsPostgres(secret) ? PostgresConnectionString.Redact(secret) : "***";

    private static string Quote(string value) =>
        value.Length == 0 || value.IndexOfAny([':', '#', '\'', '"', ' ']) >= 0 ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'" : value;

    private static string UnknownKey(string key)
    {
        var suggestion = Settings.MinBy(s => EditDistance(s.Key, key));
        var hint = suggestion is not null && EditDistance(suggestion.Key, key) <= 3 ? $" Did you mean '{suggestion.Key}'?" : "";
        return $"unknown setting.{hint} Known settings: {string.Join(", ", Settings.Select(s => s.Key))}.";
    }

    private static List<ConfigValue> ReadFile(ConfigInput input, List<ConfigError> errors)
    {
        var named = input.ConfigFile ?? input.Environment.GetValueOrDefault(ConfigFileVariable);
        var path = Path.GetFullPath(named ?? DefaultConfigFile, input.WorkingDirectory);
        var shown = named ?? DefaultConfigFile;
        if (!File.Exists(path))
        {
            if (named is not null)
            {
                errors.Add(new ConfigError(input.ConfigFile is not null ? "--config" : ConfigFileVariable, "config", named, "file not found."));
            }

            return [];
        }

        var values = new List<ConfigValue>();
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8);
            var yaml = new YamlStream();
            yaml.Load(reader);
            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            {
                return values;
            }

            if (yaml.Documents.Count > 1)
            {
                errors.Add(new ConfigError($"{shown}:{yaml.Documents[1].RootNode.Start.Line}", "(document)", null, "only one YAML document is allowed."));
            }

            if (yaml.Documents[0].RootNode is not YamlMappingNode root)
            {
                errors.Add(new ConfigError($"{shown}:{yaml.Documents[0].RootNode.Start.Line}", "(root)", null, "expected a mapping of settings, such as 'http:' with 'port: 8080' beneath it."));
                return values;
            }

            Flatten(root, "", shown, values, errors);
        }
        catch (YamlException e)
        {
            errors.Add(new ConfigError($"{shown}:{e.Start.Line}:{e.Start.Column}", "(yaml)", null, $"malformed YAML: {e.InnerException?.Message ?? e.Message}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new ConfigError(shown, "config", null, $"cannot read the file: {e.Message}"));
        }

        return values;
    }

    private static void Flatten(YamlMappingNode mapping, string prefix, string file, List<ConfigValue> values, List<ConfigError> errors)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var source = $"{file}:{keyNode.Start.Line}";
            var key = prefix + ((keyNode as YamlScalarNode)?.Value ?? "");
            switch (valueNode)
            {
                case YamlMappingNode child when Settings.Any(s => s.Key.StartsWith(key + ".", StringComparison.Ordinal)):
                    Flatten(child, key + ".", file, values, errors);
                    break;
                case YamlScalarNode scalar when ByKey.TryGetValue(key, out var setting):
                    if (setting.Secret && HasPassword(scalar.Value ?? ""))
                    {
                        errors.Add(new ConfigError(source, key, Redact(scalar.Value ?? ""),
                            $"passwords do not belong in a configuration file; set {setting.EnvironmentVariable} or {key}File instead."));
                    }
                    else if (setting.Secret && key == "lake.s3.secretAccessKey" && !string.IsNullOrEmpty(scalar.Value))
                    {
                        errors.Add(new ConfigError(source, key, "***", $"secrets do not belong in a configuration file; set {setting.EnvironmentVariable} instead."));
                    }
                    else
                    {
                        values.Add(new ConfigValue(key, scalar.Value ?? "", source));
                    }

                    break;
                case not null when ByKey.ContainsKey(key):
                    errors.Add(new ConfigError(source, key, null, "expected a single value, not a list or mapping."));
                    break;
                default:
                    errors.Add(new ConfigError(source, key, null, UnknownKey(key)));
                    break;
            }
        }
    }

    private static bool HasPassword(string connectionString)
    {
        if (!PostgresConnectionString.IsPostgres(connectionString))
        {
            return false;
        }

        try
        {
            return !string.IsNullOrEmpty(new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnectionString.Normalize(connectionString)).Password);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static List<ConfigValue> ReadEnvironment(IReadOnlyDictionary<string, string> environment, List<ConfigError> errors)
    {
        var byVariable = Settings.ToDictionary(s => s.EnvironmentVariable, StringComparer.Ordinal);
        var values = new List<ConfigValue>();
        foreach (var (name, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!name.StartsWith(Setting.EnvironmentPrefix, StringComparison.Ordinal) || name == ConfigFileVariable)
            {
                continue;
            }

            if (byVariable.TryGetValue(name, out var setting))
            {
                values.Add(new ConfigValue(setting.Key, value, name));
            }
            else
            {
                errors.Add(new ConfigError(name, name, null,
                    $"unknown environment variable. Known: {ConfigFileVariable}, {string.Join(", ", Settings.Select(s => s.EnvironmentVariable))}."));
            }
        }

        return values;
    }

    private static MeshOptions? Bind(Dictionary<string, ConfigValue> values, string workingDirectory, List<ConfigError> errors)
    {
        var errorCount = errors.Count;
        var data = values["data"];
        var dataDirectory = ValidateDataDirectory(data, workingDirectory, errors);
        var host = values["http.host"];
        ValidateHost(host, errors);

        var port = ParsePort(values["http.port"], errors);
        var connectionString = ReadConnectionString(values, workingDirectory, errors);
        var level = ParseLogLevel(values["log.level"], errors);
        var broker = BindBroker(values, errors);
        var registryHost = values["registry.host"];
        ValidateHost(registryHost, errors);
        var registryPort = ParsePort(values["registry.port"], errors);
        var examples = new ExampleOptions(ParseBool(values["examples.enabled"], errors), ParseInt(values["examples.eventsPerSecond"], 0, 1000, errors));
        var sampleInterval = ParseInt(values["findings.sampleIntervalMs"], 0, 86_400_000, errors);
        var lake = BindLake(values, workingDirectory, errors);
        var processing = new MaterializerOptions
        {
            Enabled = ParseBool(values["processing.enabled"], errors),
            CommitInterval = TimeSpan.FromMilliseconds(ParseInt(values["processing.commitIntervalMs"], 10, 3_600_000, errors)),
            CommitRecords = ParseInt(values["processing.commitRecords"], 1, 10_000_000, errors),
        };
        return errors.Count > errorCount ? null : new MeshOptions
        {
            Processing = processing,
            Examples = examples,
            FindingsSampleInterval = TimeSpan.FromMilliseconds(sampleInterval),
            DataDirectory = dataDirectory,
            Http = new EndpointOptions(host.Value, port),
            Metadata = new MetadataOptions(connectionString),
            LogLevel = level,
            Registry = new EndpointOptions(registryHost.Value, registryPort),
            Broker = broker.Broker,
            BrokerStorage = broker.Storage,
            Lake = lake,
        };
    }

    private static LakeOptions BindLake(Dictionary<string, ConfigValue> values, string workingDirectory, List<ConfigError> errors)
    {
        var storageValue = values["lake.storage"];
        var storage = storageValue.Value.ToLowerInvariant() switch
        {
            "local" => LakeStorage.Local,
            "s3" => LakeStorage.S3,
            _ => Error(errors, storageValue, "expected local or s3.", LakeStorage.Local),
        };
        var bucket = values["lake.s3.bucket"];
        if (storage == LakeStorage.S3 && bucket.Value.Length == 0)
        {
            errors.Add(new ConfigError(storageValue.Source, "lake.s3.bucket", "", "lake.storage is s3, so lake.s3.bucket must name the bucket."));
        }

        var endpoint = values["lake.s3.endpoint"];
        if (endpoint.Value.Length > 0 && !Uri.TryCreate(endpoint.Value, UriKind.Absolute, out _))
        {
            errors.Add(new ConfigError(endpoint.Source, endpoint.Key, endpoint.Value, "expected an absolute URL such as https://s3.example.com or http://127.0.0.1:9000."));
        }

        var path = values["lake.path"].Value;
        string? Optional(string key) => values.TryGetValue(key, out var v) && v.Value.Length > 0 ? v.Value : null;
        return new LakeOptions
        {
            Storage = storage,
            Path = path.Length == 0 ? null : Path.GetFullPath(path, workingDirectory),
            Bucket = Optional("lake.s3.bucket"),
            Prefix = values["lake.s3.prefix"].Value,
            S3 = new S3Options
            {
                Region = values["lake.s3.region"].Value,
                Endpoint = Optional("lake.s3.endpoint"),
                ForcePathStyle = ParseBool(values["lake.s3.forcePathStyle"], errors),
                AccessKeyId = Optional("lake.s3.accessKeyId"),
                SecretAccessKey = Optional("lake.s3.secretAccessKey"),
                KmsKeyId = Optional("lake.s3.kmsKeyId"),
            },
        };
    }

    private static (BrokerOptions Broker, BrokerStorageOptions Storage) BindBroker(Dictionary<string, ConfigValue> values, List<ConfigError> errors)
    {
        var host = values["broker.host"];
        ValidateHost(host, errors);
        var advertisedHost = values["broker.advertisedHost"].Value;
        var advertisedPort = values["broker.advertisedPort"];
        var flush = values["broker.flush"];
        var policy = flush.Value switch
        {
            "every-batch" => FlushPolicy.EveryBatch,
            "interval" => FlushPolicy.Interval,
            "messages" => FlushPolicy.Messages,
            _ => Error(errors, flush, "expected every-batch, interval or messages.", FlushPolicy.EveryBatch),
        };
        var partitions = ParseInt(values["broker.defaultPartitions"], 1, 10_000, errors);
        var broker = new BrokerOptions
        {
            Host = host.Value,
            Port = ParsePort(values["broker.port"], errors),
            AdvertisedHost = advertisedHost.Length == 0 ? null : advertisedHost,
            AdvertisedPort = advertisedPort.Value.Length == 0 ? null : ParseInt(advertisedPort, 1, ushort.MaxValue, errors),
            AutoCreateTopics = ParseBool(values["broker.autoCreateTopics"], errors),
            AllowAnonymous = ParseBool(values["broker.allowAnonymous"], errors),
            DefaultPartitions = partitions,
        };
        var storage = new BrokerStorageOptions
        {
            FlushPolicy = policy,
            FlushIntervalMs = ParseInt(values["broker.flushIntervalMs"], 1, 3_600_000, errors),
            FlushMessages = ParseInt(values["broker.flushMessages"], 1, int.MaxValue, errors),
            DefaultPartitions = partitions,
        };
        return (broker, storage);
    }

    private static void ValidateHost(ConfigValue host, List<ConfigError> errors)
    {
        if (host.Value != "localhost" && !IPAddress.TryParse(host.Value, out _))
        {
            errors.Add(new ConfigError(host.Source, host.Key, host.Value, "expected an IP address such as 127.0.0.1 or 0.0.0.0, or 'localhost'."));
        }
    }

    private static int ParseInt(ConfigValue value, int min, int max, List<ConfigError> errors)
    {
        if (int.TryParse(value.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
        {
            return number;
        }

        return Error(errors, value, $"expected a whole number from {min} to {max}.", min);
    }

    private static bool ParseBool(ConfigValue value, List<ConfigError> errors) => value.Value.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        _ => Error(errors, value, "expected true or false.", false),
    };

    private static T Error<T>(List<ConfigError> errors, ConfigValue value, string reason, T fallback)
    {
        errors.Add(new ConfigError(value.Source, value.Key, value.Value, reason));
        return fallback;
    }

    private static int ParsePort(ConfigValue value, List<ConfigError> errors)
    {
        if (int.TryParse(value.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= ushort.MaxValue)
        {
            return port;
        }

        errors.Add(new ConfigError(value.Source, value.Key, value.Value, "expected a port number from 1 to 65535 (or 0 for any free port)."));
        return 0;
    }

    private static LogLevel ParseLogLevel(ConfigValue value, List<ConfigError> errors)
    {
        switch (value.Value.ToLowerInvariant())
        {
            case "trace": return LogLevel.Trace;
            case "debug": return LogLevel.Debug;
            case "information" or "info": return LogLevel.Information;
            case "warning" or "warn": return LogLevel.Warning;
            case "error": return LogLevel.Error;
            case "critical": return LogLevel.Critical;
            case "none": return LogLevel.None;
            default:
                errors.Add(new ConfigError(value.Source, value.Key, value.Value, "expected one of trace, debug, information, warning, error, critical, none."));
                return LogLevel.Information;
        }
    }

    private static string? ReadConnectionString(Dictionary<string, ConfigValue> values, string workingDirectory, List<ConfigError> errors)
    {
        values.TryGetValue("metadata.connectionString", out var inline);
        values.TryGetValue("metadata.connectionStringFile", out var file);
        if (inline is not null && file is not null && inline.Value.Length > 0 && file.Value.Length > 0)
        {
            errors.Add(new ConfigError(file.Source, file.Key, file.Value, $"set either metadata.connectionString ({inline.Source}) or metadata.connectionStringFile, not both."));
            return null;
        }

        var source = inline;
        var text = inline?.Value;
        if (file is not null && file.Value.Length > 0)
        {
            try
            {
                text = File.ReadAllText(Path.GetFullPath(file.Value, workingDirectory)).Trim();
                source = file;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(new ConfigError(file.Source, file.Key, file.Value, $"cannot read the file: {e.Message}"));
                return null;
            }
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            // Validate the shape now so a typo fails at start, not at first query.
            MetadataStores.Open(text, workingDirectory).DisposeAsync().AsTask().GetAwaiter().GetResult();
            return text;
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            errors.Add(new ConfigError(source!.Source, source.Key, Redact(text), e.Message));
            return null;
        }
    }

    private static string ValidateDataDirectory(ConfigValue value, string workingDirectory, List<ConfigError> errors)
    {
        if (string.IsNullOrWhiteSpace(value.Value))
        {
            errors.Add(new ConfigError(value.Source, value.Key, value.Value, "must not be empty."));
            return "";
        }

        string path;
        try
        {
            path = Path.GetFullPath(value.Value, workingDirectory);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            errors.Add(new ConfigError(value.Source, value.Key, value.Value, $"not a valid path: {e.Message}"));
            return "";
        }

        if (File.Exists(path))
        {
            errors.Add(new ConfigError(value.Source, value.Key, value.Value, $"{path} is a file, not a directory."));
            return path;
        }

        if (Directory.Exists(path))
        {
            if (!CanAccess(path, Access.Read | Access.Write | Access.Execute))
            {
                errors.Add(new ConfigError(value.Source, value.Key, value.Value, $"{path} is not readable and writable by this user; fix its permissions or choose another --data."));
            }

            return path;
        }

        // The directory is created only after validation; here we check that it could be.
        var ancestor = Path.GetDirectoryName(path);
        while (ancestor is not null && !Directory.Exists(ancestor))
        {
            if (File.Exists(ancestor))
            {
                errors.Add(new ConfigError(value.Source, value.Key, value.Value, $"cannot create {path}: {ancestor} is a file."));
                return path;
            }

            ancestor = Path.GetDirectoryName(ancestor);
        }

        if (ancestor is not null && !CanAccess(ancestor, Access.Write | Access.Execute))
        {
            errors.Add(new ConfigError(value.Source, value.Key, value.Value, $"cannot create {path}: {ancestor} is not writable by this user."));
        }

        return path;
    }

    [Flags]
    private enum Access
    {
        Execute = 1,
        Write = 2,
        Read = 4,
    }

    // access(2) asks the kernel with this process's real credentials, which also covers
    // read-only mounts and ACLs that mode bits alone would miss.
    private static bool CanAccess(string path, Access mode) =>
        !OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() || NativeAccess(path, (int)mode) == 0;

    [DllImport("libc", EntryPoint = "access")]
    private static extern int NativeAccess([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
