using System.Data.Common;
using System.Text.Json;
using Dapper;
using Meshwork.Lake.IO;
using Meshwork.Lake.Metadata;
using Meshwork.Metadata;

namespace Meshwork.Lake;

/// <summary>
/// The lake's catalog: namespaces and tables in the metadata store (migration <c>0005_lake</c>), table files under a
/// warehouse location through an <see cref="IFileIO"/>. A table commit writes the next <c>v{N}.metadata.json</c>
/// exclusively and then swaps the table's row with a compare-and-swap, so concurrent writers — in-process, the REST
/// catalog, other processes on the same store — never lose each other's snapshots.
/// </summary>
public sealed class LakeCatalog
{
    private const char Separator = '\u001f';
    private readonly IMetadataStore _store;
    private readonly TimeProvider _time;

    /// <summary>Creates a catalog over a migrated store.</summary>
    /// <param name="store">The metadata store (migrated).</param>
    /// <param name="fileIO">Where table files live.</param>
    /// <param name="warehouse">Base location of new tables, e.g. <c>file:///var/lib/meshwork/lake</c> or <c>s3://bucket/lake</c>.</param>
    /// <param name="time">The clock of commits.</param>
    public LakeCatalog(IMetadataStore store, IFileIO fileIO, string warehouse, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(fileIO);
        ArgumentException.ThrowIfNullOrEmpty(warehouse);
        _store = store;
        FileIO = fileIO;
        Warehouse = warehouse.TrimEnd('/');
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Where table files are read and written.</summary>
    public IFileIO FileIO { get; }

    /// <summary>Base location of new tables.</summary>
    public string Warehouse { get; }

    /// <summary>The default location of a table: <c>{warehouse}/{ns1}/{ns2}/{name}</c>.</summary>
    public string DefaultLocation(TableIdentifier id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return $"{Warehouse}/{string.Join('/', id.Namespace.Select(Uri.EscapeDataString))}/{Uri.EscapeDataString(id.Name)}";
    }

    /// <summary>Creates a namespace; throws <see cref="NamespaceAlreadyExistsException"/> when it exists.</summary>
    public async Task CreateNamespaceAsync(IReadOnlyList<string> ns, IReadOnlyDictionary<string, string>? properties = null, CancellationToken cancellationToken = default)
    {
        var key = Key(ns);
        await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO lake_namespaces (namespace, properties_json, created_at) VALUES (@key, @properties, @now)",
                new { key, properties = JsonSerializer.Serialize(properties ?? new Dictionary<string, string>()), now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (DbException)
        {
            if (await NamespaceExistsAsync(ns, cancellationToken).ConfigureAwait(false))
            {
                throw new NamespaceAlreadyExistsException($"namespace {Show(ns)} already exists");
            }

            throw;
        }
    }

    /// <summary>Whether the namespace exists.</summary>
    public async Task<bool> NamespaceExistsAsync(IReadOnlyList<string> ns, CancellationToken cancellationToken = default)
    {
        await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM lake_namespaces WHERE namespace = @key", new { key = Key(ns) }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    /// <summary>The namespace's properties; throws <see cref="NoSuchNamespaceException"/>.</summary>
    public async Task<IReadOnlyDictionary<string, string>> LoadNamespaceAsync(IReadOnlyList<string> ns, CancellationToken cancellationToken = default)
    {
        await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("SELECT properties_json FROM lake_namespaces WHERE namespace = @key", new { key = Key(ns) }, cancellationToken: cancellationToken)).ConfigureAwait(false)
            ?? throw new NoSuchNamespaceException($"namespace {Show(ns)} does not exist");
        return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
    }

    /// <summary>Sets and removes namespace properties.</summary>
    public async Task UpdateNamespacePropertiesAsync(IReadOnlyList<string> ns, IReadOnlyDictionary<string, string> updates, IReadOnlyList<string> removals, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(removals);
        var properties = new Dictionary<string, string>(await LoadNamespaceAsync(ns, cancellationToken).ConfigureAwait(false));
        foreach (var r in removals)
        {
            properties.Remove(r);
        }

        foreach (var (k, v) in updates)
        {
            properties[k] = v;
        }

        await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE lake_namespaces SET properties_json = @json WHERE namespace = @key",
            new { key = Key(ns), json = JsonSerializer.Serialize(properties) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Namespaces directly under <paramref name="parent"/> (top-level ones when null or empty).</summary>
    public async Task<IReadOnlyList<IReadOnlyList<string>>> ListNamespacesAsync(IReadOnlyList<string>? parent = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var all = await connection.QueryAsync<string>(new CommandDefinition("SELECT namespace FROM lake_namespaces ORDER BY namespace", cancellationToken: cancellationToken)).ConfigureAwait(false);
        var depth = parent?.Count ?? 0;
        return [.. all.Select(k => (IReadOnlyList<string>)k.Split(Separator))
            .Where(n => n.Count == depth + 1 && (parent is null || n.Take(depth).SequenceEqual(parent)))];
    }

    /// <summary>Drops an empty namespace; throws <see cref="NamespaceNotEmptyException"/> or <see cref="NoSuchNamespaceException"/>.</summary>
    public async Task DropNamespaceAsync(IReadOnlyList<string> ns, CancellationToken cancellationToken = default)
    {
        if ((await ListTablesAsync(ns, cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            throw new NamespaceNotEmptyException($"namespace {Show(ns)} still holds tables; drop them first");
        }

        await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var removed = await connection.ExecuteAsync(new CommandDefinition("DELETE FROM lake_namespaces WHERE namespace = @key", new { key = Key(ns) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (removed == 0)
        {
            throw new NoSuchNamespaceException($"namespace {Show(ns)} does not exist");
        }
    }

    /// <summary>The tables of a namespace; throws <see cref="NoSuchNamespaceException"/>.</summary>
    public async Task<IReadOnlyList<TableIdentifier>> ListTablesAsync(IReadOnlyList<string> ns, CancellationToken cancellationToken = default)
    {
        if (!await NamespaceExistsAsync(ns, cancellationToken).ConfigureAwait(false))
        {
            throw new NoSuchNamespaceException($"namespace {Show(ns)} does not exist");
        }

        await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var names = await connection.QueryAsync<string>(new CommandDefinition("SELECT name FROM lake_tables WHERE namespace = @key ORDER BY name", new { key = Key(ns) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. names.Select(n => new TableIdentifier(ns, n))];
    }

    /// <summary>
    /// Creates a table. The schema's field ids are reassigned from 1 (as every catalog does); partition and sort
    /// source ids follow. Throws <see cref="TableAlreadyExistsException"/> or <see cref="NoSuchNamespaceException"/>.
    /// </summary>
    public async Task<LakeTable> CreateTableAsync(TableIdentifier id, IcebergSchema schema, PartitionSpec? spec = null, SortOrder? sortOrder = null,
        IReadOnlyDictionary<string, string>? properties = null, string? location = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(schema);
        if (!await NamespaceExistsAsync(id.Namespace, cancellationToken).ConfigureAwait(false))
        {
            throw new NoSuchNamespaceException($"namespace {Show(id.Namespace)} does not exist");
        }

        if (await TableLocationAsync(id, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new TableAlreadyExistsException($"table {id} already exists");
        }

        var last = 0;
        var (fresh, map) = IcebergSchema.AssignFreshIds(schema, 0, ref last);
        var partitionId = PartitionSpec.UnpartitionedLastId;
        var freshSpec = new PartitionSpec(0, [.. (spec?.Fields ?? []).Select(f => f with { SourceId = Remap(map, f.SourceId, "partition"), FieldId = ++partitionId })]);
        var freshOrder = sortOrder is null || sortOrder.Fields.Count == 0 ? null
            : new SortOrder(1, [.. sortOrder.Fields.Select(f => f with { SourceId = Remap(map, f.SourceId, "sort") })]);
        var metadata = TableMetadata.Create(location ?? DefaultLocation(id), fresh, freshSpec, freshOrder, properties, _time.GetUtcNow().ToUnixTimeMilliseconds());
        var operations = new CatalogTableOperations(this, id);
        var state = await operations.CommitAsync(null, metadata, cancellationToken).ConfigureAwait(false);
        return new LakeTable(id, operations, state, _time);
    }

    /// <summary>Loads a table; throws <see cref="NoSuchTableException"/>.</summary>
    public async Task<LakeTable> LoadTableAsync(TableIdentifier id, CancellationToken cancellationToken = default) =>
        await TryLoadTableAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new NoSuchTableException($"table {id} does not exist");

    /// <summary>Loads a table, or returns null when it does not exist.</summary>
    public async Task<LakeTable?> TryLoadTableAsync(TableIdentifier id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var operations = new CatalogTableOperations(this, id);
        var state = await operations.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return state is null ? null : new LakeTable(id, operations, state, _time);
    }

    /// <summary>Registers an existing metadata file as a table.</summary>
    public async Task<LakeTable> RegisterTableAsync(TableIdentifier id, string metadataLocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var metadata = await MetadataFiles.ReadAsync(FileIO, metadataLocation, cancellationToken).ConfigureAwait(false);
        await InsertAsync(id, metadataLocation, cancellationToken).ConfigureAwait(false);
        return new LakeTable(id, new CatalogTableOperations(this, id), new TableState(metadata, metadataLocation), _time);
    }

    /// <summary>Drops a table from the catalog; with <paramref name="purge"/> its files are deleted too.</summary>
    public async Task DropTableAsync(TableIdentifier id, bool purge = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var table = await LoadTableAsync(id, cancellationToken).ConfigureAwait(false);
        await using (var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM lake_tables WHERE namespace = @ns AND name = @name",
                new { ns = Key(id.Namespace), name = id.Name }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        if (purge)
        {
            var files = new List<string>();
            await foreach (var file in FileIO.ListAsync(table.Location + "/", cancellationToken).ConfigureAwait(false))
            {
                files.Add(file.Location);
            }

            foreach (var file in files)
            {
                await FileIO.DeleteAsync(file, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal async Task<string?> TableLocationAsync(TableIdentifier id, CancellationToken cancellationToken)
    {
        await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT metadata_location FROM lake_tables WHERE namespace = @ns AND name = @name",
            new { ns = Key(id.Namespace), name = id.Name }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private async Task InsertAsync(TableIdentifier id, string location, CancellationToken cancellationToken)
    {
        await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO lake_tables (namespace, name, metadata_location, created_at, updated_at) VALUES (@ns, @name, @location, @now, @now)",
                new { ns = Key(id.Namespace), name = id.Name, location, now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (DbException)
        {
            if (await TableLocationAsync(id, cancellationToken).ConfigureAwait(false) is not null)
            {
                throw new TableAlreadyExistsException($"table {id} already exists");
            }

            throw;
        }
    }

    private async Task<bool> SwapAsync(TableIdentifier id, string expected, string location, CancellationToken cancellationToken)
    {
        await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE lake_tables SET metadata_location = @location, previous_metadata_location = @expected, updated_at = @now WHERE namespace = @ns AND name = @name AND metadata_location = @expected",
            new { ns = Key(id.Namespace), name = id.Name, location, expected, now = Now() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return changed == 1;
    }

    private string Now() => MetadataStore.Timestamp(_time.GetUtcNow());

    private static int Remap(Dictionary<int, int> map, int id, string what) =>
        map.TryGetValue(id, out var fresh) ? fresh : throw new IcebergFormatException($"{what} field source-id {id} is not a field of the schema");

    private static string Key(IReadOnlyList<string> ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        if (ns.Count == 0 || ns.Any(string.IsNullOrEmpty) || ns.Any(p => p.Contains(Separator, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"namespace [{string.Join(", ", ns)}] is not valid: it needs at least one level, and levels are non-empty without U+001F", nameof(ns));
        }

        return string.Join(Separator, ns);
    }

    private static string Show(IReadOnlyList<string> ns) => string.Join('.', ns);

    /// <summary>Table metadata kept by the catalog: the row's location is current, commits swap it.</summary>
    private sealed class CatalogTableOperations(LakeCatalog catalog, TableIdentifier id) : ITableOperations
    {
        public IFileIO FileIO => catalog.FileIO;

        public async Task<TableState?> RefreshAsync(CancellationToken cancellationToken = default)
        {
            var location = await catalog.TableLocationAsync(id, cancellationToken).ConfigureAwait(false);
            return location is null ? null : new TableState(await MetadataFiles.ReadAsync(FileIO, location, cancellationToken).ConfigureAwait(false), location);
        }

        public async Task<TableState> CommitAsync(TableState? @base, TableMetadata updated, CancellationToken cancellationToken = default)
        {
            var state = await MetadataFiles.WriteNextAsync(FileIO, @base, updated, cancellationToken, skipTakenVersions: true).ConfigureAwait(false);
            if (@base is null)
            {
                await catalog.InsertAsync(id, state.Location, cancellationToken).ConfigureAwait(false);
                return state;
            }

            if (!await catalog.SwapAsync(id, @base.Location, state.Location, cancellationToken).ConfigureAwait(false))
            {
                // Our metadata file is unreferenced now; remove it so a later commit can take that version.
                await FileIO.DeleteAsync(state.Location, cancellationToken).ConfigureAwait(false);
                throw new CommitConflictException($"table {id} changed since {@base.Location} was read");
            }

            await MetadataFiles.DeleteRemovedAsync(FileIO, @base, state).ConfigureAwait(false);
            return state;
        }
    }
}
