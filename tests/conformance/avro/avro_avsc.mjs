// Conformance driver for avsc (npm; installed by `npm install` in tests/conformance).
// Reads one JSON request on stdin and writes one JSON response on stdout; values use the Avro JSON encoding
// (unions wrapped as {"branch": value}, bytes as ISO-8859-1 strings, logical types as their underlying type).
//   {"op": "encode", "cases": [{"schema": S, "values": [json...]}]} -> {"results": [{"hex": [...]} | {"error": msg}]}
//   {"op": "decode", "cases": [{"schema": S, "hex": [...]}]}        -> {"results": [{"values": [...]} | {"error": msg}]}
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
let avro;
try {
  avro = require('avsc');
} catch {
  process.stderr.write('avsc is not installed: run `npm install` in tests/conformance (package.json lists avsc)\n');
  process.exit(3);
}

// wrapUnions makes every union value {"branch": value}, which is the Avro JSON encoding.
const typeOf = (schema) => avro.Type.forSchema(schema, { wrapUnions: true });

function encode(c) {
  const type = typeOf(c.schema);
  return { hex: c.values.map((v) => type.toBuffer(type.fromString(JSON.stringify(v))).toString('hex')) };
}

function decode(c) {
  const type = typeOf(c.schema);
  return { values: c.hex.map((h) => JSON.parse(type.toString(type.fromBuffer(Buffer.from(h, 'hex'))))) };
}

const ops = { encode, decode };
const request = JSON.parse(readFileSync(0, 'utf8'));
const results = request.cases.map((c) => {
  try {
    return ops[request.op](c);
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
});
process.stdout.write(JSON.stringify({ results }));
