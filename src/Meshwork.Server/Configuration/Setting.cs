using System.Text;

namespace Meshwork.Server.Configuration;

/// <summary>
/// One configuration key. Its environment variable is derived from the key
/// (<c>metadata.connectionString</c> → <c>MESHWORK_METADATA_CONNECTION_STRING</c>) so the two never drift apart.
/// </summary>
/// <param name="Key">Dotted, camelCase key as written in <c>meshwork.yaml</c>.</param>
/// <param name="Default">The embedded default, or null for none.</param>
/// <param name="Description">One line for <c>--print-config</c> and the docs.</param>
/// <param name="Secret">Secrets are redacted when printed and refused from <c>meshwork.yaml</c> when they hold a password.</param>
public sealed record Setting(string Key, string? Default, string Description, bool Secret = false)
{
    /// <summary>The prefix of every Meshwork environment variable.</summary>
    public const string EnvironmentPrefix = "MESHWORK_";

    /// <summary>The environment variable that sets this key.</summary>
    public string EnvironmentVariable { get; } = EnvironmentName(Key);

    private static string EnvironmentName(string key)
    {
        var name = new StringBuilder(EnvironmentPrefix);
        foreach (var c in key)
        {
            if (c == '.')
            {
                name.Append('_');
            }
            else if (char.IsUpper(c))
            {
                name.Append('_').Append(c);
            }
            else
            {
                name.Append(char.ToUpperInvariant(c));
            }
        }

        return name.ToString();
    }
}
