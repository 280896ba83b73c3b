using System.CommandLine;

namespace Meshwork.Cli;

/// <summary>Options that name an HTTP endpoint: <c>--server</c>, <c>--registry</c>.</summary>
public static class UrlOption
{
    /// <summary>An option holding an absolute http(s) URL, <paramref name="defaultUrl"/> when not given; anything else is a parse error naming the option.</summary>
    public static Option<Uri> Create(string name, string defaultUrl, string description) => new(name)
    {
        Description = $"{description} (default {defaultUrl}).",
        DefaultValueFactory = _ => new Uri(defaultUrl),
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : defaultUrl;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            result.AddError($"{name} '{text}': expected an http:// or https:// URL such as {defaultUrl}.");
            return null;
        },
    };
}
