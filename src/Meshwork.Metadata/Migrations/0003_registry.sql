-- The schema registry (Confluent Schema Registry API): schemas by global id, subject versions, references,
-- and compatibility / mode settings. Ids are never reused: a hard-deleted version leaves its schema row.

CREATE TABLE registry_schemas (
    id              INTEGER PRIMARY KEY,
    -- Hex MD5 of stored form + references + metadata + ruleSet: the same content always maps to the same id.
    identity_hash   TEXT    NOT NULL UNIQUE,
    schema_type     TEXT    NOT NULL,
    schema_text     TEXT    NOT NULL,
    references_json TEXT    NOT NULL,
    metadata_json   TEXT,
    rule_set_json   TEXT,
    created_at      TEXT    NOT NULL
);

CREATE TABLE registry_versions (
    subject    TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    schema_id  INTEGER NOT NULL REFERENCES registry_schemas (id),
    deleted    INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (subject, version)
);
CREATE INDEX registry_versions_by_schema ON registry_versions (schema_id);

-- Which (subject, version) each schema refers to, so that referencedby and the delete guard are one query.
CREATE TABLE registry_references (
    schema_id   INTEGER NOT NULL REFERENCES registry_schemas (id),
    name        TEXT    NOT NULL,
    ref_subject TEXT    NOT NULL,
    ref_version INTEGER NOT NULL,
    PRIMARY KEY (schema_id, name)
);
CREATE INDEX registry_references_by_target ON registry_references (ref_subject, ref_version);

-- Subject-level and global settings; the global row uses the reserved subject name '__GLOBAL'.
CREATE TABLE registry_config (
    subject       TEXT PRIMARY KEY,
    compatibility TEXT NOT NULL
);

CREATE TABLE registry_mode (
    subject TEXT PRIMARY KEY,
    mode    TEXT NOT NULL
);
