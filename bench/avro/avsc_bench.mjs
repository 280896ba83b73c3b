// The avsc side of the Avro codec benchmark (bench/Meshwork.Bench "avro"): decodes and encodes exactly the records
// the C# side wrote, for about the same time, and reports MB/s of Avro binary.
// usage: node avsc_bench.mjs <dir with schema.json and records.bin> <seconds per phase>
// records.bin: for each record, a 4-byte little-endian length and the record's Avro binary encoding.
// avsc is taken from tests/conformance/node_modules (cd tests/conformance && npm install).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'tests', 'conformance', 'package.json'));
let avro;
try {
  avro = require('avsc');
} catch {
  process.stderr.write('avsc is not installed: cd tests/conformance && npm install\n');
  process.exit(3);
}

const [dir, secondsText] = process.argv.slice(2);
const seconds = Number(secondsText);
const type = avro.Type.forSchema(JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8')));
const file = readFileSync(join(dir, 'records.bin'));
const payloads = [];
for (let offset = 0; offset < file.length;) {
  const length = file.readInt32LE(offset);
  payloads.push(file.subarray(offset + 4, offset + 4 + length));
  offset += 4 + length;
}
const totalBytes = payloads.reduce((sum, p) => sum + p.length, 0);

// Repeats fn for about `seconds` after a warm-up of the same length, in whole rounds over every record.
function measure(fn) {
  const run = (budgetNs) => {
    let rounds = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0n;
    do {
      fn();
      rounds++;
      elapsed = process.hrtime.bigint() - start;
    } while (elapsed < budgetNs);
    return { rounds, seconds: Number(elapsed) / 1e9 };
  };
  const budget = BigInt(Math.round(seconds * 1e9));
  run(budget);
  const result = run(budget);
  return { ...result, mbPerSecond: (result.rounds * totalBytes) / result.seconds / 1e6, recordsPerSecond: (result.rounds * payloads.length) / result.seconds };
}

let decoded = payloads.map((p) => type.fromBuffer(p));
let identical = decoded.every((value, i) => type.toBuffer(value).equals(payloads[i]));
let sink = 0;
const decode = measure(() => {
  for (const p of payloads) {
    sink += type.fromBuffer(p) === null ? 1 : 0;
  }
});
// type.encode into one preallocated buffer is avsc's fastest path (toBuffer would also copy each record out), and it is
// what the C# side does: a reused buffer.
const scratch = Buffer.alloc(1 << 16);
const encode = measure(() => {
  for (const value of decoded) {
    sink += type.encode(value, scratch, 0);
  }
});
console.log(JSON.stringify({ tool: `avsc ${require('avsc/package.json').version}`, node: process.version, records: payloads.length, totalBytes, identical, decode, encode, sink: sink > 0 }));
