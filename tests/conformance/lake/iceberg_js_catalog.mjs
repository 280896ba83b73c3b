// Drives our Iceberg REST catalog with iceberg-js (npm) and prints what each call returned, as JSON.
//   node iceberg_js_catalog.mjs BASE_URL NAMESPACE
// BASE_URL is the catalog root (e.g. http://127.0.0.1:PORT/iceberg); iceberg-js adds /v1/... itself.
// iceberg-js never calls /v1/config, so that one is fetched directly.
let IcebergRestCatalog;
try {
  ({ IcebergRestCatalog } = await import('iceberg-js'));
} catch (e) {
  process.stderr.write(`iceberg-js is not installed: run ./test.sh (or npm install in tests/conformance): ${e.message}\n`);
  process.exit(3);
}

const [baseUrl, ns] = process.argv.slice(2);
const out = {};
try {
  const config = await fetch(`${baseUrl}/v1/config`);
  out.config = { status: config.status, body: await config.json() };

  const catalog = new IcebergRestCatalog({ baseUrl, auth: { type: 'none' } });
  out.createNamespace = await catalog.createNamespace({ namespace: [ns] }, { properties: { owner: 'sales-team' } });
  out.namespaceExists = await catalog.namespaceExists({ namespace: [ns] });
  out.loadNamespace = await catalog.loadNamespaceMetadata({ namespace: [ns] });
  try {
    await catalog.createNamespace({ namespace: [ns] });
    out.duplicateNamespace = 'created twice';
  } catch (e) {
    out.duplicateNamespace = { status: e.status, type: e.icebergType };
  }

  const created = await catalog.createTable({ namespace: [ns] }, {
    name: 'orders',
    schema: {
      type: 'struct',
      fields: [
        { id: 1, name: 'id', type: 'long', required: true },
        { id: 2, name: 'customer', type: 'string', required: false },
        { id: 3, name: 'amount', type: 'decimal(10,2)', required: false },
        { id: 4, name: 'placed_at', type: 'timestamptz', required: false },
      ],
      'identifier-field-ids': [1],
    },
    'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 4, 'field-id': 1000, name: 'placed_at_day', transform: 'day' }] },
    properties: { 'write.parquet.compression-codec': 'zstd' },
  });
  out.createTable = created;
  out.listTables = await catalog.listTables({ namespace: [ns] });
  out.listNamespaces = await catalog.listNamespaces();
  out.loadTable = await catalog.loadTable({ namespace: [ns], name: 'orders' });
  out.tableExists = await catalog.tableExists({ namespace: [ns], name: 'orders' });

  // A commit: a new column (schema evolution) and a property, guarded by the current schema id.
  const schema = out.loadTable.schemas[0];
  out.commit = await catalog.updateTable({ namespace: [ns], name: 'orders' }, {
    requirements: [
      { type: 'assert-table-uuid', uuid: out.loadTable['table-uuid'] },
      { type: 'assert-current-schema-id', 'current-schema-id': schema['schema-id'] },
    ],
    updates: [
      { action: 'add-schema', schema: { ...schema, 'schema-id': 1, fields: [...schema.fields, { id: 5, name: 'note', type: 'string', required: false }] }, 'last-column-id': 5 },
      { action: 'set-current-schema', 'schema-id': -1 },
      { action: 'set-properties', updates: { 'owner': 'iceberg-js' } },
    ],
  });
  try {
    await catalog.updateTable({ namespace: [ns], name: 'orders' }, {
      requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': schema['schema-id'] }],
      updates: [{ action: 'set-properties', updates: { 'stale': 'true' } }],
    });
    out.staleCommit = 'accepted';
  } catch (e) {
    out.staleCommit = { status: e.status, type: e.icebergType, conflict: e.isConflict() };
  }
  out.reloaded = await catalog.loadTable({ namespace: [ns], name: 'orders' });
  try {
    await catalog.loadTable({ namespace: [ns], name: 'missing' });
    out.missingTable = 'found';
  } catch (e) {
    out.missingTable = { status: e.status, type: e.icebergType };
  }
  process.stdout.write(JSON.stringify(out));
} catch (e) {
  process.stderr.write(String(e?.stack ?? e) + ' ' + JSON.stringify(e?.details ?? null) + '\n');
  process.exit(1);
}
