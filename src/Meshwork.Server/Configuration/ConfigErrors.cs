namespace Meshwork.Server.Configuration;

/// <summary>One thing wrong with the configuration: where it came from, which key, and why it is refused.</summary>
/// <param name="Source">Where the value came from: <c>meshwork.yaml:3</c>, <c>MESHWORK_HTTP_PORT</c>, <c>--http-port</c>.</param>
/// <param name="Key">The setting's key, e.g. <c>http.port</c>.</param>
/// <param name="Value">The offending value, or null when the problem is not a value (malformed file, unknown key).</param>
/// <param name="Reason">What is wrong and how to fix it.</param>
public sealed record ConfigError(string Source, string Key, string? Value, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => Value is null
        ? $"{Source}: {Key}: {Reason}"
        : $"{Source}: {Key} = '{Value}': {Reason}";
}

/// <summary>The configuration is invalid; <see cref="Errors"/> lists every problem at once.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception from every error found.</summary>
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    /// <summary>Every problem found, in the order the layers were read.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }
}
