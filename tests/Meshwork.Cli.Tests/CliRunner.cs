namespace Meshwork.Cli.Tests;

/// <summary>Runs the real `mesh` command tree in-process with captured output.</summary>
internal static class CliRunner
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(string workingDirectory, Dictionary<string, string>? environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await MeshCli.RunAsync(args, new CliContext(output, error, environment ?? [], workingDirectory), TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
