// The store API (CONTRACT.md "The store API"): objects at rest are AES-256-GCM under the data key,
// which lives only in this process. The KEK arrives on stdin (hex) from the boot binding and is
// used once, to open or make the data key's record under it, then overwritten.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const [port, storeDir, recordPath] = process.argv.slice(2);
// The contract's local data key (no kms, no hsm): nonce(12) || AES-256-GCM(KEK, key) || tag(16).
const recordAad = Buffer.from('residency-dek');
const idPattern = /^[A-Za-z0-9._-]{1,128}$/;

function seal(key, plain, aad) {
  const nonce = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function open(key, blob, aad) {
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(blob.subarray(blob.length - 16));
  return Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
}

function writeDurably(file, bytes) {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  fs.writeSync(fd, bytes);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

function dataKey(kek) {
  if (fs.existsSync(recordPath)) return open(kek, fs.readFileSync(recordPath), recordAad);
  const key = crypto.randomBytes(32);
  fs.mkdirSync(path.dirname(recordPath), { recursive: true });
  writeDurably(recordPath, seal(kek, key, recordAad));
  return key;
}

function serve(key) {
  fs.mkdirSync(storeDir, { recursive: true });
  const server = http.createServer((req, res) => {
    const answer = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (req.url === '/health' && req.method === 'GET') return answer(200, { status: 'serving' });
    const match = /^\/objects\/([^/?]+)$/.exec(req.url ?? '');
    if (match === null || !idPattern.test(match[1])) return answer(404, { error: 'NOT_FOUND' });
    const id = match[1];
    const file = path.join(storeDir, `${id}.obj`);
    if (req.method === 'GET') {
      if (!fs.existsSync(file)) return answer(404, { error: 'NOT_FOUND' });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(open(key, fs.readFileSync(file), Buffer.from(id)));
    }
    if (req.method !== 'PUT') return answer(405, { error: 'METHOD_NOT_ALLOWED' });
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      writeDurably(file, seal(key, Buffer.concat(chunks), Buffer.from(id)));
      answer(201, { id });
    });
  });
  server.listen(Number(port), '0.0.0.0');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

const input = [];
process.stdin.on('data', (chunk) => input.push(chunk));
process.stdin.on('end', () => {
  const hex = Buffer.concat(input);
  const kek = Buffer.from(hex.toString().trim(), 'hex');
  hex.fill(0);
  try {
    serve(dataKey(kek));
  } finally {
    kek.fill(0);
  }
});
