// Reads an Iceberg table with icebird (npm) and prints its rows as JSON.
//   node icebird_read.mjs TABLE_URL [METADATA_FILE_NAME|-] [FROM=TO ...]
// icebird fetches every location it finds in the metadata (file:// for local tables; s3:// which it turns into
// https://BUCKET.s3.amazonaws.com/...). Each FROM=TO pair maps such a location prefix to the loopback server the test
// started; any other address is refused, so nothing ever leaves this machine.
// Values: bigint -> "long:<digits>", Date -> "ms:<epoch millis>", bytes -> "b64:...", others as JSON.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [tableUrl, metadataArg, ...pairs] = process.argv.slice(2);
const rewrites = pairs.map((p) => { const i = p.indexOf('='); return [p.slice(0, i), p.slice(i + 1)]; });

const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  let url = typeof input === 'string' ? input : input.url;
  for (const [from, to] of rewrites) {
    if (url.startsWith(from)) { url = to + url.slice(from.length); break; }
  }
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') {
    return Promise.reject(new Error(`refusing to fetch ${url}: only loopback servers are allowed in tests`));
  }
  return realFetch(url, init);
};

let icebird;
try {
  icebird = await import('icebird');
} catch (e) {
  process.stderr.write(`icebird is not installed: run ./test.sh (or npm install in tests/conformance): ${e.message}\n`);
  process.exit(3);
}

function plain(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return 'long:' + v.toString();
  if (v instanceof Date) return 'ms:' + v.getTime();
  if (v instanceof Uint8Array) return 'b64:' + Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return v;
}

try {
  const options = { tableUrl };
  if (metadataArg && metadataArg !== '-') options.metadataFileName = metadataArg;
  const metadata = await icebird.icebergMetadata(options);
  const rows = await icebird.icebergRead({ ...options, metadata });
  process.stdout.write(JSON.stringify({ currentSnapshotId: String(metadata['current-snapshot-id']), rows: rows.map(plain) }));
} catch (e) {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
}
