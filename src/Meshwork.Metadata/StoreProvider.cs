namespace Meshwork.Metadata;

/// <summary>The database engine behind a <see cref="IMetadataStore"/>.</summary>
public enum StoreProvider
{
    /// <summary>Embedded SQLite file in the data directory: the <c>mesh up</c> default.</summary>
    Sqlite,

    /// <summary>PostgreSQL, for stateless replicas at scale.</summary>
    Postgres,
}
