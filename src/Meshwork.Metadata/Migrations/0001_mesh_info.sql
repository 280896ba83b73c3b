-- Who this mesh is: a stable instance id and the settings every node shares.
CREATE TABLE mesh_settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
