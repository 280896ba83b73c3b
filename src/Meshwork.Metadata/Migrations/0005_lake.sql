-- The lake's Iceberg catalog: namespaces and, per table, the location of its current metadata file.
-- A commit swaps metadata_location with a compare-and-swap (UPDATE ... WHERE metadata_location = the one read).

CREATE TABLE lake_namespaces (
    -- Namespace levels joined by U+001F, as the Iceberg REST API joins them in paths.
    namespace       TEXT PRIMARY KEY,
    properties_json TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE lake_tables (
    namespace                  TEXT NOT NULL REFERENCES lake_namespaces (namespace),
    name                       TEXT NOT NULL,
    metadata_location          TEXT NOT NULL,
    previous_metadata_location TEXT,
    created_at                 TEXT NOT NULL,
    updated_at                 TEXT NOT NULL,
    PRIMARY KEY (namespace, name)
);
