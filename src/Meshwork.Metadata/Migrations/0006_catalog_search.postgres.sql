-- Full-text search over domains and products: a weighted tsvector (name A, tags B, description C,
-- fields D) with a GIN index; ts_rank ranks name matches highest (see MeshCatalog.Search.cs).
CREATE TABLE catalog_search (
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL,
    title       TEXT NOT NULL,
    name        TEXT NOT NULL,
    tags        TEXT NOT NULL,
    description TEXT NOT NULL,
    fields      TEXT NOT NULL,
    document    tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', name), 'A') ||
        setweight(to_tsvector('english', tags), 'B') ||
        setweight(to_tsvector('english', description), 'C') ||
        setweight(to_tsvector('english', fields), 'D')) STORED,
    PRIMARY KEY (kind, ref)
);
CREATE INDEX catalog_search_document ON catalog_search USING GIN (document);
