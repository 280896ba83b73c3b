using System.Globalization;
using Meshwork.Lake;
using Meshwork.Lake.Metadata;
using Meshwork.Registry;
using Meshwork.Registry.Formats;

namespace Meshwork.Processing;

/// <summary>A product as the materializer needs it: where its events are, how they are keyed, which subject types them.</summary>
/// <param name="FullName"><c>domain.id</c>.</param>
/// <param name="Domain">The domain: the tables' namespace.</param>
/// <param name="Id">The product id: the current-state table's name.</param>
/// <param name="Topic">The topic of its events.</param>
/// <param name="Subject">The value subject in the registry.</param>
/// <param name="KeyFields">The key fields (empty: the product has no current-state table, only history).</param>
public sealed record ProductSource(string FullName, string Domain, string Id, string Topic, string Subject, IReadOnlyList<string> KeyFields);

/// <summary>
/// The two tables of one product: <c>[domain].&lt;id&gt;</c> (current state: one row per key, identifier fields = the
/// key fields) and <c>[domain].&lt;id&gt;_history</c> (every event, with its partition, offset, timestamp and a
/// <c>_deleted</c> flag for tombstones). Both follow the product's registry schema: created from the newest version,
/// evolved when a record is written with a newer one; the version a table follows is its property
/// <see cref="SchemaVersionProperty"/>.
/// </summary>
internal sealed class ProductTables
{
    /// <summary>History column: the record's partition.</summary>
    public const string PartitionColumn = "_kafka_partition";

    /// <summary>History column: the record's offset.</summary>
    public const string OffsetColumn = "_kafka_offset";

    /// <summary>History column: the record's timestamp.</summary>
    public const string TimestampColumn = "_kafka_timestamp";

    /// <summary>History column: true for a tombstone, whose non-key fields are null.</summary>
    public const string DeletedColumn = "_deleted";

    /// <summary>Suffix of the history table's name.</summary>
    public const string HistorySuffix = "_history";

    /// <summary>Table property: the registry version of the product's subject the table schema was derived from.</summary>
    public const string SchemaVersionProperty = "meshwork.registry.version";

    /// <summary>Table property: the global id of that version's schema.</summary>
    public const string SchemaIdProperty = "meshwork.registry.schema-id";

    /// <summary>Table property: the topic the table is materialized from.</summary>
    public const string TopicProperty = "meshwork.source.topic";

    private static readonly string[] MetaColumns = [PartitionColumn, OffsetColumn, TimestampColumn, DeletedColumn];

    private readonly LakeCatalog _lake;
    private readonly SchemaRegistry _registry;

    private ProductTables(LakeCatalog lake, SchemaRegistry registry, ProductSource product, LakeTable? current, LakeTable history, SubjectSchema schema)
    {
        _lake = lake;
        _registry = registry;
        Product = product;
        Current = current;
        History = history;
        Schema = schema;
    }

    /// <summary>The product.</summary>
    public ProductSource Product { get; }

    /// <summary>The current-state table, or null for a product without key fields.</summary>
    public LakeTable? Current { get; }

    /// <summary>The history table.</summary>
    public LakeTable History { get; }

    /// <summary>The registry version both tables follow: records are read into this schema.</summary>
    public SubjectSchema Schema { get; private set; }

    /// <summary>Both tables (the current one first, when there is one).</summary>
    public IEnumerable<LakeTable> All => Current is null ? [History] : [Current, History];

    /// <summary>The identifier of a product's current-state table.</summary>
    public static TableIdentifier CurrentId(ProductSource product) => new([product.Domain], product.Id);

    /// <summary>The identifier of a product's history table.</summary>
    public static TableIdentifier HistoryId(ProductSource product) => new([product.Domain], product.Id + HistorySuffix);

    /// <summary>Loads the product's tables, creating what is missing from the subject's newest version, and brings both to the same version.</summary>
    public static async Task<ProductTables> OpenAsync(LakeCatalog lake, SchemaRegistry registry, ProductSource product, CancellationToken cancellationToken)
    {
        if (!await lake.NamespaceExistsAsync([product.Domain], cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await lake.CreateNamespaceAsync([product.Domain], cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (NamespaceAlreadyExistsException)
            {
                // Another product of the domain created it first.
            }
        }

        var latest = await SubjectSchema.LatestAsync(registry, product.Subject, cancellationToken).ConfigureAwait(false);
        var current = product.KeyFields.Count == 0 ? null
            : await LoadOrCreateAsync(lake, CurrentId(product), product, latest, history: false, cancellationToken).ConfigureAwait(false);
        var historyTable = await LoadOrCreateAsync(lake, HistoryId(product), product, latest, history: true, cancellationToken).ConfigureAwait(false);

        // A crash between evolving one table and the other leaves them one version apart: catch up the one behind.
        var version = (current is null ? [historyTable] : new[] { current, historyTable }).Max(VersionOf);
        var schema = version == latest.Version ? latest : await SubjectSchema.OfVersionAsync(registry, product.Subject, version, cancellationToken).ConfigureAwait(false);
        var tables = new ProductTables(lake, registry, product, current, historyTable, schema);
        await tables.EvolveAsync(schema, cancellationToken).ConfigureAwait(false);
        return tables;
    }

    /// <summary>Evolves both tables to <paramref name="schema"/> (a newer version of the subject) and reads records into it from now on.</summary>
    public async Task EvolveAsync(SubjectSchema schema, CancellationToken cancellationToken)
    {
        foreach (var table in All)
        {
            var next = Map(schema, table, table == History ? null : Product.KeyFields);
            if (!next.SameStructure(table.Schema))
            {
                await table.UpdateSchemaAsync(next, cancellationToken).ConfigureAwait(false);
            }

            if (VersionOf(table) != schema.Version)
            {
                await table.SetPropertiesAsync(new Dictionary<string, string>
                {
                    [SchemaVersionProperty] = schema.Version.ToString(CultureInfo.InvariantCulture),
                    [SchemaIdProperty] = schema.Id.ToString(CultureInfo.InvariantCulture),
                }, cancellationToken).ConfigureAwait(false);
            }
        }

        Schema = schema;
    }

    /// <summary>The version of <paramref name="schemaId"/> in the product's subject (cached by the caller).</summary>
    public async Task<SubjectSchema> SchemaOfIdAsync(int schemaId, CancellationToken cancellationToken)
    {
        var versions = await _registry.GetVersionsForIdAsync(schemaId, includeDeleted: true, cancellationToken).ConfigureAwait(false);
        var version = versions.Where(v => v.Subject == Product.Subject).Select(v => v.Version).DefaultIfEmpty(0).Max();
        if (version == 0)
        {
            throw new WireFormatException($"schema id {schemaId} is not a version of subject {Product.Subject}");
        }

        return await SubjectSchema.OfVersionAsync(_registry, Product.Subject, version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The lake catalog the tables are in.</summary>
    public LakeCatalog Lake => _lake;

    private static int VersionOf(LakeTable table) => (int)table.Metadata.Property(SchemaVersionProperty, 0);

    private static async Task<LakeTable> LoadOrCreateAsync(LakeCatalog lake, TableIdentifier id, ProductSource product, SubjectSchema schema, bool history, CancellationToken cancellationToken)
    {
        if (await lake.TryLoadTableAsync(id, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var tableSchema = Map(schema, null, history ? null : product.KeyFields);
        var spec = history ? PartitionSpec.Build(tableSchema, 0, PartitionSpec.UnpartitionedLastId, (TimestampColumn, Transform.Day)) : null;
        var properties = new Dictionary<string, string>
        {
            // Conflicts must reach the materializer, which re-reads the table's offsets before trying again: a blind
            // retry on a table another writer advanced would apply records twice.
            [LakeTable.CommitRetriesProperty] = "0",
            [SchemaVersionProperty] = schema.Version.ToString(CultureInfo.InvariantCulture),
            [SchemaIdProperty] = schema.Id.ToString(CultureInfo.InvariantCulture),
            [TopicProperty] = product.Topic,
            [TablePolicy.MaxSnapshotAgeProperty] = TablePolicy.DefaultMaxSnapshotAge.TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
            [TablePolicy.MinSnapshotsToKeepProperty] = TablePolicy.DefaultMinSnapshotsToKeep.ToString(CultureInfo.InvariantCulture),
            [MetadataFiles.DeleteAfterCommit] = "true",
            [MetadataFiles.PreviousVersionsMax] = TablePolicy.PreviousMetadataFiles.ToString(CultureInfo.InvariantCulture),
        };
        try
        {
            return await lake.CreateTableAsync(id, tableSchema, spec, properties: properties, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (TableAlreadyExistsException)
        {
            return await lake.LoadTableAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The table schema for a registry version: the product's fields (ids kept by name across versions); for the history
    /// table every product field optional (a tombstone has only its key) and the record's coordinates after them.
    /// </summary>
    private static IcebergSchema Map(SubjectSchema schema, LakeTable? table, IReadOnlyList<string>? keys)
    {
        var history = keys is null;
        var previous = table?.Schema;
        var last = table?.Metadata.LastColumnId ?? 0;
        var mapped = schema.Parsed.SchemaType == AvroSchemaFormat.TypeName
            ? SchemaMapper.FromAvro(AvroSchemaFormat.AvroSchemaOf(schema.Parsed), previous, ref last, keys)
            : SchemaMapper.FromJsonSchema(schema.Parsed.CanonicalString, previous, ref last, keys);
        if (!history)
        {
            return mapped;
        }

        var fields = mapped.Fields.Where(f => !MetaColumns.Contains(f.Name)).Select(f => f with { Required = false }).ToList();
        int Id(string name) => previous?.FindField(name)?.Id ?? ++last;
        fields.Add(NestedField.Require(Id(PartitionColumn), PartitionColumn, PrimitiveType.Int, "Kafka partition of the event."));
        fields.Add(NestedField.Require(Id(OffsetColumn), OffsetColumn, PrimitiveType.Long, "Kafka offset of the event."));
        fields.Add(NestedField.Require(Id(TimestampColumn), TimestampColumn, PrimitiveType.TimestampTz, "Kafka timestamp of the event."));
        fields.Add(NestedField.Require(Id(DeletedColumn), DeletedColumn, PrimitiveType.Boolean, "True for a tombstone: the key was deleted; other fields are null."));
        var candidate = new IcebergSchema(previous is null ? 0 : previous.SchemaId + 1, fields);
        return previous is not null && previous.SameStructure(candidate) ? previous : candidate;
    }
}

/// <summary>One version of a product's value subject, parsed.</summary>
/// <param name="Subject">The subject.</param>
/// <param name="Version">The version.</param>
/// <param name="Id">The schema's global id.</param>
/// <param name="Parsed">The schema.</param>
internal sealed record SubjectSchema(string Subject, int Version, int Id, ParsedSchema Parsed)
{
    /// <summary>The newest version.</summary>
    public static Task<SubjectSchema> LatestAsync(SchemaRegistry registry, string subject, CancellationToken cancellationToken) =>
        LoadAsync(registry, subject, VersionSpec.Latest, cancellationToken);

    /// <summary>A given version (deleted ones too: old records still name them).</summary>
    public static Task<SubjectSchema> OfVersionAsync(SchemaRegistry registry, string subject, int version, CancellationToken cancellationToken) =>
        LoadAsync(registry, subject, VersionSpec.Of(version), cancellationToken);

    private static async Task<SubjectSchema> LoadAsync(SchemaRegistry registry, string subject, VersionSpec version, CancellationToken cancellationToken)
    {
        var found = await registry.GetVersionAsync(subject, version, includeDeleted: true, cancellationToken).ConfigureAwait(false);
        var parsed = await registry.GetParsedSchemaAsync(found.Schema.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new WireFormatException($"schema id {found.Schema.Id} of {subject} version {found.Version} cannot be parsed");
        return new SubjectSchema(subject, found.Version, found.Schema.Id, parsed);
    }
}
