using Meshwork.Testing.Mesh;

namespace Meshwork.Cli.Tests;

/// <summary>A running mesh and the real `mesh` command tree pointed at it.</summary>
public abstract class CliMeshTest : MeshServerTest
{
    /// <summary>Runs `mesh ARGS --server URL` in-process from the test's directory.</summary>
    protected Task<(int Exit, string Output, string Error)> Mesh(params string[] args) =>
        CliRunner.RunAsync(TestDirectory.Path, null, [.. args, "--server", Server.HttpAddress.ToString()]);
}
