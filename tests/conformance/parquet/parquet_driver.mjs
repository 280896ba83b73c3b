// Conformance driver for Parquet: DuckDB (@duckdb/node-api) and hyparquet, installed by `npm install`
// in tests/conformance (./test.sh does it). Reads one JSON request on stdin, writes one JSON response on stdout.
//   {"op": "duckdb-read", "file": F}       -> {"rows": [...], "schema": [...], "metadata": [...], "kv": [...]}
//   {"op": "hyparquet-read", "file": F}    -> {"rows": [...], "metadata": {...}}
//   {"op": "duckdb-write", "file": F, "sql": S, "compression": C, "rowGroupSize"?: N, "parquetVersion"?: "V2"}
//                                          -> {"rows": [...], "encodings": [...]} (what DuckDB reads back)
// Values are normalized so that the C# side can compare them exactly: integers as numbers or
// strings, floats as numbers, bytes "b64:…", decimals "dec:<exact text with the column's scale>",
// dates "date:<days>", timestamps "ts:<micros since epoch>", uuids "uuid:<text>", maps [[k, v], ...].
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const MISSING = 3;

function need(name, load) {
  try {
    return load();
  } catch (e) {
    process.stderr.write(`${name} is not installed: run ./test.sh (or npm install in tests/conformance): ${e.message}\n`);
    process.exit(MISSING);
  }
}

const formatDecimal = (unscaled, scale) => {
  let v = BigInt(unscaled);
  const neg = v < 0n;
  if (neg) v = -v;
  let digits = v.toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  }
  return 'dec:' + (neg ? '-' : '') + digits;
};

const bytesToBigInt = (bytes) => {
  let value = 0n;
  for (const b of bytes) value = value * 256n + BigInt(b);
  const bits = BigInt(bytes.length * 8);
  if (bytes.length > 0 && value >= 2n ** (bits - 1n)) value -= 2n ** bits;
  return value;
};

const b64 = (bytes) => 'b64:' + Buffer.from(bytes).toString('base64');

function plain(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof Uint8Array) return b64(v);
  throw new Error('cannot normalize ' + (v?.constructor?.name ?? typeof v));
}

// ------------------------------------------------------------------ DuckDB

function normalizeDuck(v, duck) {
  if (v === null || v === undefined) return null;
  if (v instanceof duck.DuckDBDecimalValue) return formatDecimal(v.value, v.scale);
  if (v instanceof duck.DuckDBTimestampTZValue || v instanceof duck.DuckDBTimestampValue) return 'ts:' + v.micros.toString();
  if (v instanceof duck.DuckDBDateValue) return 'date:' + v.days;
  if (v instanceof duck.DuckDBUUIDValue) return 'uuid:' + v.toString();
  if (v instanceof duck.DuckDBBlobValue) return b64(v.bytes);
  if (v instanceof duck.DuckDBListValue || v instanceof duck.DuckDBArrayValue) return v.items.map((x) => normalizeDuck(x, duck));
  if (v instanceof duck.DuckDBMapValue) return v.entries.map((e) => [normalizeDuck(e.key, duck), normalizeDuck(e.value, duck)]);
  if (v instanceof duck.DuckDBStructValue) {
    const o = {};
    for (const [k, x] of Object.entries(v.entries)) o[k] = normalizeDuck(x, duck);
    return o;
  }
  return plain(v);
}

async function duckRows(con, duck, file) {
  const reader = await con.runAndReadAll(`SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
  const names = reader.columnNames();
  return reader.getRows().map((row) => {
    const o = {};
    row.forEach((v, i) => { o[names[i]] = normalizeDuck(v, duck); });
    return o;
  });
}

async function duckJson(con, sql) {
  const reader = await con.runAndReadAll(sql);
  return reader.getRowObjectsJson();
}

async function withDuck(fn) {
  const duck = need('@duckdb/node-api', () => require('@duckdb/node-api'));
  const instance = await duck.DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run("SET TimeZone = 'UTC'");
  try {
    return await fn(con, duck);
  } finally {
    con.closeSync?.();
  }
}

async function duckdbRead(req) {
  return withDuck(async (con, duck) => {
    const f = req.file.replaceAll("'", "''");
    return {
      rows: await duckRows(con, duck, req.file),
      schema: await duckJson(con, `SELECT name, type, type_length, repetition_type, num_children, converted_type, scale, precision, field_id, logical_type FROM parquet_schema('${f}')`),
      metadata: await duckJson(con, `SELECT row_group_id, row_group_num_rows, path_in_schema, type, stats_min_value, stats_max_value, stats_null_count, compression, encodings FROM parquet_metadata('${f}')`),
      kv: await duckJson(con, `SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('${f}')`),
    };
  });
}

async function duckdbWrite(req) {
  return withDuck(async (con, duck) => {
    const f = req.file.replaceAll("'", "''");
    const options = [`FORMAT parquet`, `COMPRESSION ${req.compression ?? 'snappy'}`];
    if (req.rowGroupSize) options.push(`ROW_GROUP_SIZE ${req.rowGroupSize}`);
    if (req.parquetVersion) options.push(`PARQUET_VERSION ${req.parquetVersion}`);
    await con.run(`COPY (${req.sql}) TO '${f}' (${options.join(', ')})`);
    const encodings = await duckJson(con, `SELECT DISTINCT encodings FROM parquet_metadata('${f}')`);
    return { rows: await duckRows(con, duck, req.file), encodings: encodings.map((e) => e.encodings) };
  });
}

// ------------------------------------------------------------------ hyparquet

function zstdDecompress(input, outputLength) {
  try {
    const out = execFileSync('zstd', ['-d', '-c', '-q'], { input: Buffer.from(input), maxBuffer: outputLength + 1024 });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new Error('ZSTD pages need the zstd command (apt-get install zstd; ./test.sh installs it): ' + e.message);
  }
}

const compressors = {
  GZIP: (input) => new Uint8Array(gunzipSync(Buffer.from(input))),
  ZSTD: zstdDecompress,
};

function isList(el) {
  return el.converted_type === 'LIST' || el.logical_type?.type === 'LIST';
}

function isMap(el) {
  return el.converted_type === 'MAP' || el.converted_type === 'MAP_KEY_VALUE' || el.logical_type?.type === 'MAP';
}

function normalizeHy(v, node) {
  if (v === null || v === undefined) return null;
  const el = node.element;
  if (node.children.length > 0) {
    if (isList(el)) {
      const wrapper = node.children[0];
      const element = wrapper.children.length === 1 ? wrapper.children[0] : wrapper;
      return Array.from(v, (x) => normalizeHy(x, element));
    }
    if (isMap(el)) {
      const kv = node.children[0];
      const entries = v instanceof Map ? [...v.entries()] : Array.isArray(v) ? v.map((e) => [e.key, e.value]) : Object.entries(v);
      return entries.map(([k, x]) => [normalizeHy(k, kv.children[0]), normalizeHy(x, kv.children[1])]);
    }
    const o = {};
    for (const child of node.children) o[child.element.name] = normalizeHy(v[child.element.name], child);
    return o;
  }
  if (el.meshworkScale !== undefined) {
    if (v instanceof Uint8Array) return formatDecimal(bytesToBigInt(v), el.meshworkScale);
    return formatDecimal(BigInt(v), el.meshworkScale);
  }
  return plain(v);
}

async function hyparquetRead(req) {
  const hy = need('hyparquet', () => require('hyparquet'));
  const buf = readFileSync(req.file);
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const metadata = hy.parquetMetadata(file);
  const summary = {
    created_by: metadata.created_by,
    num_rows: String(metadata.num_rows),
    row_groups: metadata.row_groups.length,
    kv: metadata.key_value_metadata ?? [],
    schema: metadata.schema.map((e) => ({ name: e.name, field_id: e.field_id ?? null, type: e.type ?? null, converted_type: e.converted_type ?? null, logical_type: e.logical_type ? JSON.parse(JSON.stringify(e.logical_type, (k, x) => (typeof x === 'bigint' ? x.toString() : x))) : null })),
  };
  // hyparquet turns decimals into doubles; strip the annotation so it hands back the exact
  // unscaled integer, and apply the scale here.
  for (const e of metadata.schema) {
    if (e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL') {
      e.meshworkScale = e.scale ?? e.logical_type?.scale ?? 0;
      delete e.converted_type;
      delete e.logical_type;
    }
  }
  const parsers = {
    timestampFromMilliseconds: (ms) => 'ts:' + (BigInt(ms) * 1000n).toString(),
    timestampFromMicroseconds: (us) => 'ts:' + BigInt(us).toString(),
    timestampFromNanoseconds: (ns) => 'ts:' + (BigInt(ns) / 1000n).toString(),
    dateFromDays: (d) => 'date:' + d,
    stringFromBytes: (b) => (b === undefined || b === null ? b : new TextDecoder().decode(b)),
    uuidFromBytes: (b) => {
      if (!b) return b;
      const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
      return 'uuid:' + [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
    },
  };
  const rows = await hy.parquetReadObjects({ file, metadata, compressors, parsers, utf8: false });
  const tree = hy.parquetSchema(metadata);
  return {
    metadata: summary,
    rows: rows.map((row) => {
      const o = {};
      for (const child of tree.children) o[child.element.name] = normalizeHy(row[child.element.name], child);
      return o;
    }),
  };
}

const ops = { 'duckdb-read': duckdbRead, 'duckdb-write': duckdbWrite, 'hyparquet-read': hyparquetRead };
const request = JSON.parse(readFileSync(0, 'utf8'));
try {
  const result = await ops[request.op](request);
  process.stdout.write(JSON.stringify(result));
} catch (e) {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
}
