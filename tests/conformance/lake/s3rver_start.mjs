// Starts s3rver (npm) on 127.0.0.1 with a free port and one bucket, prints "s3rver listening on PORT",
// and exits by itself when the parent test process is gone or after a time limit.
//   node s3rver_start.mjs DIRECTORY BUCKET PARENT_PID
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [directory, bucket, parentPid] = process.argv.slice(2);
let S3rver;
try {
  S3rver = require('s3rver');
} catch (e) {
  process.stderr.write(`s3rver is not installed: run ./test.sh (or npm install in tests/conformance): ${e.message}\n`);
  process.exit(3);
}

const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(`s3rver listening on ${port}\n`);

const MAX_LIFETIME_MS = 10 * 60 * 1000;
const stop = async () => { await server.close(); process.exit(0); };
setTimeout(stop, MAX_LIFETIME_MS).unref();
setInterval(() => {
  try { process.kill(Number(parentPid), 0); } catch { stop(); }
}, 1000);
