using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Meshwork.Broker.Storage;

/// <summary>One topic: its id, effective config and partitions.</summary>
public sealed class TopicLog
{
    private volatile PartitionLog[] _partitions;

    internal TopicLog(string name, Guid id, TopicConfig config, PartitionLog[] partitions)
    {
        Name = name;
        Id = id;
        Config = config;
        _partitions = partitions;
    }

    /// <summary>The topic name.</summary>
    public string Name { get; }

    /// <summary>The topic id (Metadata v10+, Fetch v13+).</summary>
    public Guid Id { get; }

    /// <summary>The effective config.</summary>
    public TopicConfig Config { get; internal set; }

    /// <summary>The partitions, indexed by partition number.</summary>
    public IReadOnlyList<PartitionLog> Partitions => _partitions;

    internal PartitionLog[] PartitionArray
    {
        get => _partitions;
        set => _partitions = value;
    }
}

/// <summary>
/// All topics under one root (<c>&lt;dataDir&gt;/broker/</c>): <c>topics/&lt;topic&gt;.json</c> descriptors (id,
/// partition count, config overrides; written atomically) and one <c>&lt;topic&gt;-&lt;partition&gt;/</c> directory
/// per partition. Topic-level changes are serialized; partitions handle their own concurrency.
/// </summary>
public sealed class LogManager : IDisposable
{
    /// <summary>Folder of the topic descriptors.</summary>
    public const string TopicsFolder = "topics";

    private const int MaxTopicNameLength = 249;

    private static readonly JsonSerializerOptions DescriptorJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private readonly Lock _lock = new();
    private readonly string _root;
    private readonly BrokerStorageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Dictionary<string, TopicLog> _topics = new(StringComparer.Ordinal);
    private volatile TopicLog[] _topicList = [];
    private int _maintenanceRunning;
    private bool _disposed;

    private LogManager(string root, BrokerStorageOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _root = root;
        _options = options;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<LogManager>();
    }

    /// <summary>The root directory.</summary>
    public string Root => _root;

    /// <summary>The broker storage options.</summary>
    public BrokerStorageOptions Options => _options;

    /// <summary>Every topic.</summary>
    public IReadOnlyCollection<TopicLog> Topics => _topicList;

    /// <summary>Opens every topic under <paramref name="root"/> (creating the root if needed) on a worker thread.</summary>
    public static Task<LogManager> OpenAsync(string root, BrokerStorageOptions options, TimeProvider time, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default) =>
        Task.Run(() => Open(root, options, time, loggerFactory), cancellationToken);

    /// <summary>Opens every topic under <paramref name="root"/>, recovering each partition.</summary>
    public static LogManager Open(string root, BrokerStorageOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        // Broker-level defaults are validated once here so a typo fails start-up, naming the key.
        TopicConfig.Create(new Dictionary<string, string?>(), options.DefaultTopicConfig);
        var manager = new LogManager(root, options, time, loggerFactory);
        try
        {
            manager.Load();
        }
        catch
        {
            manager.Dispose();
            throw;
        }

        return manager;
    }

    /// <summary>The topic, or null.</summary>
    public TopicLog? GetTopic(string name)
    {
        lock (_lock)
        {
            return _topics.GetValueOrDefault(name);
        }
    }

    /// <summary>Checks a topic name against Kafka's rules.</summary>
    /// <exception cref="InvalidTopicException">The name is empty, too long, "." or "..", or has other characters than [a-zA-Z0-9._-].</exception>
    public static void ValidateTopicName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxTopicNameLength)
        {
            throw new InvalidTopicException($"Topic name '{name}' must be 1 to {MaxTopicNameLength} characters long.");
        }

        if (name is "." or "..")
        {
            throw new InvalidTopicException($"Topic name '{name}' is not allowed.");
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                throw new InvalidTopicException($"Topic name '{name}' contains '{c}'; only ASCII letters, digits, '.', '_' and '-' are allowed.");
            }
        }
    }

    /// <summary>Creates a topic with <paramref name="partitions"/> partitions (≤ 0 = the broker default) and config overrides.</summary>
    /// <exception cref="InvalidTopicException">Bad name.</exception>
    /// <exception cref="TopicExistsException">The topic exists.</exception>
    /// <exception cref="InvalidConfigException">Bad config.</exception>
    public TopicLog CreateTopic(string name, int partitions, IReadOnlyDictionary<string, string?> configs)
    {
        ValidateTopicName(name);
        if (partitions <= 0)
        {
            partitions = _options.DefaultPartitions;
        }

        var config = TopicConfig.Create(configs, _options.DefaultTopicConfig);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_topics.ContainsKey(name))
            {
                throw new TopicExistsException($"Topic '{name}' already exists.");
            }

            // Leftovers of an earlier topic with this name (a crash during DeleteTopic) must not reappear.
            RemovePartitionDirectories(name);
            var topic = new TopicLog(name, Guid.NewGuid(), config, OpenPartitions(name, config, 0, partitions, []));
            try
            {
                WriteDescriptor(topic);
            }
            catch
            {
                foreach (var partition in topic.PartitionArray)
                {
                    partition.DeleteFiles();
                }

                throw;
            }

            AddLocked(topic);
            return topic;
        }
    }

    /// <summary>Deletes a topic and its files; a later CreateTopic with the same name starts empty.</summary>
    /// <exception cref="UnknownTopicException">No such topic.</exception>
    public void DeleteTopic(string name)
    {
        lock (_lock)
        {
            if (!_topics.Remove(name, out var topic))
            {
                throw new UnknownTopicException($"Topic '{name}' does not exist.");
            }

            _topicList = [.. _topics.Values];
            // The descriptor goes first: from then on the topic is gone even if the process dies mid-way, and
            // Open removes the partition directories nobody owns.
            File.Delete(DescriptorPath(name));
            foreach (var partition in topic.PartitionArray)
            {
                partition.DeleteFiles();
            }
        }
    }

    /// <summary>Raises the partition count (CreatePartitions).</summary>
    /// <exception cref="UnknownTopicException">No such topic.</exception>
    /// <exception cref="InvalidPartitionsException"><paramref name="newCount"/> is not larger than the current count.</exception>
    public TopicLog CreatePartitions(string name, int newCount)
    {
        lock (_lock)
        {
            var topic = _topics.GetValueOrDefault(name) ?? throw new UnknownTopicException($"Topic '{name}' does not exist.");
            var current = topic.PartitionArray.Length;
            if (newCount <= current)
            {
                throw new InvalidPartitionsException($"Topic '{name}' has {current} partition(s); the new count {newCount} must be larger (partitions can only be added).");
            }

            topic.PartitionArray = OpenPartitions(name, topic.Config, current, newCount, topic.PartitionArray);
            WriteDescriptor(topic);
            return topic;
        }
    }

    /// <summary>
    /// Changes a topic's config overrides and applies them live. Incremental: each key is set and a null value
    /// removes the override; otherwise the overrides become exactly <paramref name="set"/>.
    /// </summary>
    /// <exception cref="UnknownTopicException">No such topic.</exception>
    /// <exception cref="InvalidConfigException">Bad key or value; nothing is changed.</exception>
    public TopicConfig AlterConfigs(string topic, IReadOnlyDictionary<string, string?> set, bool incremental)
    {
        lock (_lock)
        {
            var log = _topics.GetValueOrDefault(topic) ?? throw new UnknownTopicException($"Topic '{topic}' does not exist.");
            var config = log.Config.With(set, incremental);
            var previous = log.Config;
            log.Config = config;
            try
            {
                WriteDescriptor(log);
            }
            catch
            {
                log.Config = previous;
                throw;
            }

            foreach (var partition in log.PartitionArray)
            {
                partition.UpdateConfig(config);
            }

            return config;
        }
    }

    /// <summary>Validates a config change without applying it (AlterConfigs with validateOnly).</summary>
    public TopicConfig ValidateConfigs(string topic, IReadOnlyDictionary<string, string?> set, bool incremental)
    {
        var log = GetTopic(topic) ?? throw new UnknownTopicException($"Topic '{topic}' does not exist.");
        return log.Config.With(set, incremental);
    }

    /// <summary>
    /// Runs retention and compaction every <see cref="BrokerStorageOptions.MaintenanceInterval"/> on a timer of the
    /// <see cref="TimeProvider"/> (so a manual clock drives it in tests), until <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task RunMaintenanceAsync(CancellationToken cancellationToken)
    {
        var interval = _options.MaintenanceInterval;
        using var timer = _time.CreateTimer(static state => ((LogManager)state!).RunMaintenanceOnce(), this, interval, interval);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
    }

    /// <summary>One maintenance pass over every partition: retention (if enabled) then compaction. Returns bytes reclaimed.</summary>
    public long RunMaintenanceOnce()
    {
        // Timer ticks must not overlap when a pass takes longer than the interval.
        if (Interlocked.Exchange(ref _maintenanceRunning, 1) == 1)
        {
            return 0;
        }

        try
        {
            var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            long reclaimed = 0;
            foreach (var topic in _topicList)
            {
                try
                {
                    foreach (var partition in topic.PartitionArray)
                    {
                        if (_options.RetentionCheckEnabled)
                        {
                            reclaimed += partition.EnforceRetention(nowMs);
                        }

                        reclaimed += partition.Compact(nowMs);
                    }
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or Meshwork.Kafka.Protocol.KafkaProtocolException or InvalidOperationException)
                {
                    _logger.MaintenanceFailed(topic.Name, ex);
                }
            }

            return reclaimed;
        }
        finally
        {
            Volatile.Write(ref _maintenanceRunning, 0);
        }
    }

    /// <summary>Closes every partition (flushing and writing indexes).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var topic in _topics.Values)
            {
                foreach (var partition in topic.PartitionArray)
                {
                    partition.Dispose();
                }
            }
        }
    }

    private string DescriptorPath(string name) => Path.Combine(_root, TopicsFolder, name + ".json");

    private string PartitionPath(string name, int partition) => Path.Combine(_root, $"{name}-{partition.ToString(CultureInfo.InvariantCulture)}");

    private void AddLocked(TopicLog topic)
    {
        _topics[topic.Name] = topic;
        _topicList = [.. _topics.Values];
    }

    private PartitionLog[] OpenPartitions(string name, TopicConfig config, int from, int to, PartitionLog[] existing)
    {
        var partitions = new PartitionLog[to];
        Array.Copy(existing, partitions, from);
        var logger = _loggerFactory.CreateLogger<PartitionLog>();
        for (var i = from; i < to; i++)
        {
            partitions[i] = PartitionLog.Open(PartitionPath(name, i), config, _time, logger, _options);
        }

        return partitions;
    }

    private void WriteDescriptor(TopicLog topic)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(_root, TopicsFolder));
        var descriptor = new TopicDescriptor(topic.Id, topic.PartitionArray.Length, new Dictionary<string, string>(topic.Config.Overrides, StringComparer.Ordinal));
        AtomicFile.Write(DescriptorPath(topic.Name), JsonSerializer.SerializeToUtf8Bytes(descriptor, DescriptorJson));
    }

    private void RemovePartitionDirectories(string name)
    {
        if (!System.IO.Directory.Exists(_root))
        {
            return;
        }

        foreach (var directory in System.IO.Directory.EnumerateDirectories(_root, name + "-*"))
        {
            var suffix = Path.GetFileName(directory)[(name.Length + 1)..];
            if (suffix.Length > 0 && suffix.All(char.IsAsciiDigit))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
        }
    }

    private void Load()
    {
        var topicsDirectory = Path.Combine(_root, TopicsFolder);
        System.IO.Directory.CreateDirectory(topicsDirectory);
        foreach (var leftover in System.IO.Directory.EnumerateFiles(topicsDirectory, "*" + AtomicFile.TempSuffix))
        {
            File.Delete(leftover);
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(topicsDirectory, "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            TopicDescriptor descriptor;
            try
            {
                descriptor = JsonSerializer.Deserialize<TopicDescriptor>(File.ReadAllBytes(file), DescriptorJson)
                    ?? throw new InvalidDataException("empty descriptor");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"Topic descriptor {file} is not valid JSON: {ex.Message}", ex);
            }

            var overrides = descriptor.Configs.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal);
            var config = TopicConfig.Create(overrides, _options.DefaultTopicConfig);
            AddLocked(new TopicLog(name, descriptor.Id, config, OpenPartitions(name, config, 0, descriptor.Partitions, [])));
        }

        foreach (var directory in System.IO.Directory.EnumerateDirectories(_root))
        {
            var folder = Path.GetFileName(directory);
            if (folder == TopicsFolder)
            {
                continue;
            }

            var dash = folder.LastIndexOf('-');
            var owned = dash > 0
                && int.TryParse(folder.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                && _topics.TryGetValue(folder[..dash], out var topic)
                && partition < topic.PartitionArray.Length;
            if (!owned)
            {
                _logger.RemovedOrphan(directory);
                System.IO.Directory.Delete(directory, recursive: true);
            }
        }
    }

    private sealed record TopicDescriptor(Guid Id, int Partitions, Dictionary<string, string> Configs);
}
