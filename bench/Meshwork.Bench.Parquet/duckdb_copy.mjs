// The DuckDB side of the Parquet write benchmark: builds the same rows as Program.cs in a DuckDB table, then times
// COPY ... TO (FORMAT parquet, COMPRESSION zstd). Prints {"ms": [...], "bytes": N} for each timed run.
//   node duckdb_copy.mjs ROWS OUTPUT_FILE RUNS
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';

const require = createRequire(new URL('../../tests/conformance/package.json', import.meta.url));
const duck = require('@duckdb/node-api');
const [rows, file, runs] = process.argv.slice(2);
const instance = await duck.DuckDBInstance.create(':memory:');
const con = await instance.connect();
await con.run("SET TimeZone = 'UTC'");
await con.run(`CREATE TABLE t AS SELECT
  i::BIGINT AS id,
  'customer-' || (i % 1000) AS customer,
  ((i * 7) % 100000 / 100)::DECIMAL(12, 2) AS amount,
  (TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i)) AS placed_at,
  (i % 100)::INTEGER AS quantity,
  (i * 0.25)::DOUBLE AS price,
  (i % 3 = 0) AS flag
FROM range(0, ${Number(rows)}) r(i)`);
const ms = [];
for (let run = 0; run < Number(runs) + 1; run++) {
  const start = process.hrtime.bigint();
  await con.run(`COPY t TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`);
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (run > 0) ms.push(elapsed); // the first run warms up
}
process.stdout.write(JSON.stringify({ ms, bytes: statSync(file).size }));
