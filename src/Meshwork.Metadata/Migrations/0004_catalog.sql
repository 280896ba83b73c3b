-- The catalog: what the last `mesh apply` made live — domains, products, their fields with
-- classification labels, lineage edges, contracts and grants — plus the apply history and the
-- PII findings of the value detectors. JSON columns hold small lists; the search index is below.

-- The governance policies in force (one row): a change relabels every product's fields.
CREATE TABLE catalog_policies (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    spec_json  TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE catalog_domains (
    name           TEXT PRIMARY KEY,
    title          TEXT,
    description    TEXT,
    region         TEXT,
    owners_json    TEXT NOT NULL,
    approvers_json TEXT NOT NULL,
    spec_json      TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE catalog_products (
    full_name      TEXT    PRIMARY KEY,
    domain         TEXT    NOT NULL,
    product_id     TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    description    TEXT,
    owner          TEXT,
    classification TEXT,
    status         TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    topic          TEXT    NOT NULL,
    subject        TEXT,
    schema_format  TEXT,
    schema_text    TEXT,
    tags_json      TEXT    NOT NULL,
    spec_json      TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX catalog_products_by_domain ON catalog_products (domain);

CREATE TABLE catalog_fields (
    product      TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    doc          TEXT,
    required     INTEGER NOT NULL,
    key_position INTEGER,
    labels_json  TEXT    NOT NULL,
    PRIMARY KEY (product, name)
);

-- Lineage: product is built from input (both full names).
CREATE TABLE catalog_inputs (
    product TEXT NOT NULL,
    input   TEXT NOT NULL,
    PRIMARY KEY (product, input)
);
CREATE INDEX catalog_inputs_by_input ON catalog_inputs (input);

CREATE TABLE catalog_contracts (
    name          TEXT PRIMARY KEY,
    product       TEXT NOT NULL,
    consumer      TEXT NOT NULL,
    purpose       TEXT,
    fields_json   TEXT NOT NULL,
    excluded_json TEXT NOT NULL,
    labels_json   TEXT NOT NULL
);
CREATE INDEX catalog_contracts_by_product ON catalog_contracts (product);

CREATE TABLE catalog_grants (
    name        TEXT PRIMARY KEY,
    consumer    TEXT NOT NULL,
    product     TEXT NOT NULL,
    topic       TEXT NOT NULL,
    fields_json TEXT NOT NULL,
    granted_by  TEXT NOT NULL,
    granted_at  TEXT NOT NULL
);
CREATE INDEX catalog_grants_by_product ON catalog_grants (product);

-- Every apply: who, when, from where, and the changes it made (the plan's changes as JSON).
CREATE TABLE catalog_applies (
    id           {{identity}},
    applied_by   TEXT NOT NULL,
    applied_at   TEXT NOT NULL,
    source       TEXT NOT NULL,
    summary      TEXT NOT NULL,
    changes_json TEXT NOT NULL
);

-- PII seen in sampled events that the field's labels do not declare (mesh findings).
CREATE TABLE catalog_findings (
    product     TEXT    NOT NULL,
    field       TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    label       TEXT    NOT NULL,
    occurrences BIGINT  NOT NULL,
    sample      TEXT    NOT NULL,
    first_seen  TEXT    NOT NULL,
    last_seen   TEXT    NOT NULL,
    PRIMARY KEY (product, field, kind)
);
