namespace Meshwork.Cli;

/// <summary>The documented exit codes of <c>mesh</c> (see docs/cli.md).</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and failed (the message says why).</summary>
    public const int Failure = 1;

    /// <summary>Invalid configuration or command line; nothing was changed.</summary>
    public const int InvalidConfiguration = 2;

    /// <summary>The data directory belongs to another running Meshwork process.</summary>
    public const int DataDirectoryInUse = 3;

    /// <summary>The Meshwork server could not be reached.</summary>
    public const int ServerUnreachable = 4;

    /// <summary>A plan or apply is blocked by policy violations (or the descriptors are invalid); nothing was changed.</summary>
    public const int PolicyViolations = 5;
}
