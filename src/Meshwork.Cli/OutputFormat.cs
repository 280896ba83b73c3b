using System.CommandLine;
using System.Text.Json;

namespace Meshwork.Cli;

/// <summary>How a command prints its result: a table for people, JSON for scripts.</summary>
public enum OutputFormat
{
    /// <summary>Human-readable tables.</summary>
    Table,

    /// <summary>One JSON document on standard output.</summary>
    Json,
}

/// <summary>The shared <c>--output</c> option and JSON settings.</summary>
public static class Output
{
    /// <summary>JSON as every command prints it: camelCase, indented.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes <paramref name="value"/> as one JSON document when <paramref name="format"/> asks for JSON; false (nothing written) for a table.</summary>
    public static async Task<bool> TryWriteJsonAsync(CliContext context, OutputFormat format, object? value)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (format != OutputFormat.Json)
        {
            return false;
        }

        await context.Output.WriteLineAsync(JsonSerializer.Serialize(value, Json)).ConfigureAwait(false);
        return true;
    }

    /// <summary>Creates the <c>--output</c> option; every listing command has one.</summary>
    public static Option<OutputFormat> CreateOption() => new("--output", "-o")
    {
        Description = "Output format: table or json.",
        DefaultValueFactory = _ => OutputFormat.Table,
    };
}
