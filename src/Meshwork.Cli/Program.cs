using Meshwork.Cli;

return await MeshCli.RunAsync(args, CliContext.FromProcess()).ConfigureAwait(false);
