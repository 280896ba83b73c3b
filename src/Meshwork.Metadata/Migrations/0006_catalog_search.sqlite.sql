-- Full-text search over domains and products. The documents live in a plain table (found by kind and ref
-- through its unique index); an external-content FTS5 index with Porter stemming follows it through
-- triggers. bm25 weights the name column highest (see MeshCatalog.Search).
CREATE TABLE catalog_search (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL,
    title       TEXT NOT NULL,
    name        TEXT NOT NULL,
    tags        TEXT NOT NULL,
    description TEXT NOT NULL,
    fields      TEXT NOT NULL,
    UNIQUE (kind, ref)
);

CREATE VIRTUAL TABLE catalog_search_fts USING fts5(
    name,
    tags,
    description,
    fields,
    content = 'catalog_search',
    content_rowid = 'id',
    tokenize = 'porter unicode61'
);

CREATE TRIGGER catalog_search_insert AFTER INSERT ON catalog_search BEGIN
    INSERT INTO catalog_search_fts (rowid, name, tags, description, fields) VALUES (new.id, new.name, new.tags, new.description, new.fields);
END;

CREATE TRIGGER catalog_search_delete AFTER DELETE ON catalog_search BEGIN
    INSERT INTO catalog_search_fts (catalog_search_fts, rowid, name, tags, description, fields) VALUES ('delete', old.id, old.name, old.tags, old.description, old.fields);
END;

CREATE TRIGGER catalog_search_update AFTER UPDATE ON catalog_search BEGIN
    INSERT INTO catalog_search_fts (catalog_search_fts, rowid, name, tags, description, fields) VALUES ('delete', old.id, old.name, old.tags, old.description, old.fields);
    INSERT INTO catalog_search_fts (rowid, name, tags, description, fields) VALUES (new.id, new.name, new.tags, new.description, new.fields);
END;
