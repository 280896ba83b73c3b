using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Meshwork.Conformance.Tests.Kafka;

/// <summary>One captured log entry with its structured properties (the <c>[LoggerMessage]</c> template values).</summary>
public sealed record LogEntry(LogLevel Level, string Category, EventId EventId, string Message, IReadOnlyDictionary<string, string?> Properties)
{
    /// <summary>The value of a template property, or null.</summary>
    public string? this[string property] => Properties.GetValueOrDefault(property);
}

/// <summary>Keeps every log entry in memory, for tests that assert on audit lines and their structured fields.</summary>
public sealed class MemoryLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>Every entry so far, in order.</summary>
    public IReadOnlyCollection<LogEntry> Entries => _entries;

    /// <summary>Every line so far, as "Level Category: message".</summary>
    public IEnumerable<string> Lines => _entries.Select(e => $"{e.Level} {e.Category}: {e.Message}");

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var properties = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    properties[key] = value?.ToString();
                }
            }

            entries.Enqueue(new LogEntry(logLevel, category, eventId, formatter(state, exception), properties));
        }
    }
}
