using System.CommandLine;
using Meshwork.Governance.Contracts;
using Meshwork.Governance.Descriptors;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh contract import|export</c>: Open Data Contract Standard (ODCS v3) documents to and from product descriptors, on local files.</summary>
public static class ContractCommands
{
    /// <summary>Creates <c>mesh contract</c> with its subcommands.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("contract", "Import and export Open Data Contract Standard (ODCS v3) data contracts.");
        command.Subcommands.Add(Export(context));
        command.Subcommands.Add(Import(context));
        return command;
    }

    private static Command Export(CliContext context)
    {
        var product = new Argument<string>("product") { Description = "The product to export, as <domain>.<id>." };
        var directory = new Option<string>("--file", "-f") { Description = "The mesh directory holding the product (default: the working directory).", DefaultValueFactory = _ => "." };
        var output = new Option<string?>("--out", "-o") { Description = "Write the contract to this file instead of standard output." };
        var command = new Command("export", "Write a product of a mesh directory as an ODCS v3 contract (YAML).") { product, directory, output };
        command.SetAction(async (parse, _) =>
        {
            MeshDefinition mesh;
            try
            {
                mesh = MeshDefinition.Load(Path.GetFullPath(parse.GetValue(directory)!, context.WorkingDirectory));
            }
            catch (Exception e) when (e is DirectoryNotFoundException or InvalidOperationException or IOException)
            {
                await context.Error.WriteLineAsync($"mesh contract export: {e.Message}").ConfigureAwait(false);
                return ExitCodes.InvalidConfiguration;
            }

            var name = parse.GetValue(product)!;
            if (mesh.Product(name) is not { } found)
            {
                await context.Error.WriteLineAsync($"mesh contract export: no product '{name}' in {parse.GetValue(directory)} (products: {string.Join(", ", mesh.Products.Select(p => p.FullName))}).").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            var contract = OdcsContract.Export(mesh, found);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(Path.GetFullPath(file, context.WorkingDirectory), contract).ConfigureAwait(false);
                await context.Error.WriteLineAsync($"Wrote {file}.").ConfigureAwait(false);
            }
            else
            {
                await context.Output.WriteAsync(contract).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Import(CliContext context)
    {
        var file = new Argument<string>("contract") { Description = "The ODCS v3 contract (YAML)." };
        var directory = new Option<string>("--to", "-t") { Description = "The mesh directory to write into (default: the working directory).", DefaultValueFactory = _ => "." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing product.yaml and schema." };
        var command = new Command("import", "Turn an ODCS v3 contract into <domain>/products/<id>/product.yaml and its schema in a mesh directory.") { file, directory, force };
        command.SetAction(async (parse, _) =>
        {
            var path = Path.GetFullPath(parse.GetValue(file)!, context.WorkingDirectory);
            if (!File.Exists(path))
            {
                await context.Error.WriteLineAsync($"mesh contract import: '{parse.GetValue(file)}' does not exist.").ConfigureAwait(false);
                return ExitCodes.InvalidConfiguration;
            }

            var imported = OdcsContract.Import(await File.ReadAllTextAsync(path).ConfigureAwait(false), parse.GetValue(file)!);
            foreach (var diagnostic in imported.Diagnostics)
            {
                await context.Error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
            }

            if (imported.ProductYaml is null || imported.Diagnostics.Any(d => d.Severity == Governance.Diagnostics.DiagnosticSeverity.Error))
            {
                return ExitCodes.PolicyViolations;
            }

            var descriptor = DescriptorParser.ParseProduct(imported.ProductYaml, "product.yaml", []);
            var folder = Path.Combine(Path.GetFullPath(parse.GetValue(directory)!, context.WorkingDirectory), descriptor!.Domain, MeshDefinition.ProductsDirectory, descriptor.Id);
            var productFile = Path.Combine(folder, MeshDefinition.ProductFile);
            if (File.Exists(productFile) && !parse.GetValue(force))
            {
                await context.Error.WriteLineAsync($"mesh contract import: {productFile} exists; pass --force to overwrite it.").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(productFile, imported.ProductYaml).ConfigureAwait(false);
            if (imported.SchemaJson is not null)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, imported.SchemaFileName), imported.SchemaJson).ConfigureAwait(false);
            }

            await context.Output.WriteLineAsync($"Imported {descriptor.Domain}.{descriptor.Id} into {Path.GetRelativePath(context.WorkingDirectory, folder)}; check it with 'mesh plan -f {parse.GetValue(directory)}'.").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
