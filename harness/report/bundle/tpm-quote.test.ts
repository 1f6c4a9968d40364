import { execFileSync } from 'node:child_process';
import { constants, createHash, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFirmwareVersion, parseQuoteAttest } from './tpm-attest.ts';
import { quotePaths, verifyQuote } from './tpm-quote.ts';

/** A quote swtpm 0.7.1 made (tpm2_quote -l sha256:all -q sha256("hello\n")), as tpm2-tools printed it. */
const swtpmQuote = Buffer.from(
  'ff54434780180022000b95f6528e76a4797983eb0dc0a71b82a40bf8dae968bce8d3a72270ce7bd98b7700205891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be0300000000000005da000000010000000001201910230016363600000001000b03ffffff0020019de64c9318655e422c3d03831169896e31f02a1d74e4d8fef575bf4e0d75fa',
  'hex',
);

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const sized = (b: Buffer) => Buffer.concat([u16(b.length), b]);

/** TPMS_ATTEST of a quote, marshalled here from the TPM 2.0 specification, apart from the parser. */
function marshalQuote(extraData: Buffer, pcrs: number[], pcrDigest: Buffer): Buffer {
  const bitmap = Buffer.alloc(3);
  for (const i of pcrs) bitmap[i >> 3] = (bitmap[i >> 3] ?? 0) | (1 << (i & 7));
  return Buffer.concat([
    u32(0xff544347),
    u16(0x8018),
    sized(Buffer.from('000b' + '11'.repeat(32), 'hex')),
    sized(extraData),
    Buffer.alloc(8, 1), // clock
    u32(2),
    u32(3),
    Buffer.from([1]),
    Buffer.from('0007005500000000', 'hex'), // firmware 7.85.0.0
    u32(1),
    u16(0x000b),
    Buffer.from([3]),
    bitmap,
    sized(pcrDigest),
  ]);
}

/** The files of a bundle's quote, made as a TPM would make them, with a key made here as the AK. */
function quoteFiles(manifest: Buffer, algorithm: 'rsa' | 'ecc' = 'rsa') {
  const keyPair = () =>
    algorithm === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ak = keyPair();
  const ek = keyPair();
  const values: Record<string, string> = {};
  for (const i of [0, 1, 7])
    values[String(i)] = sha256(Buffer.from(`pcr ${String(i)}`)).toString('hex');
  const digest = sha256(
    Buffer.concat([0, 1, 7].map((i) => Buffer.from(values[String(i)] ?? '', 'hex'))),
  );
  const message = marshalQuote(sha256(manifest), [0, 1, 7], digest);
  const signature = sign(
    'sha256',
    message,
    algorithm === 'rsa'
      ? { key: ak.privateKey, padding: constants.RSA_PKCS1_PADDING }
      : { key: ak.privateKey, dsaEncoding: 'der' },
  );
  const pem = (k: typeof ak.publicKey) => Buffer.from(k.export({ type: 'spki', format: 'pem' }));
  const ekDer = ek.publicKey.export({ type: 'spki', format: 'der' });
  const files = new Map<string, Buffer>([
    [quotePaths.message, message],
    [quotePaths.signature, signature],
    [quotePaths.pcrs, Buffer.from(JSON.stringify({ bank: 'sha256', values }))],
    [quotePaths.akPublic, pem(ak.publicKey)],
    [quotePaths.ekPublic, pem(ek.publicKey)],
  ]);
  return { files, ekFingerprint: `sha256:${sha256(ekDer).toString('hex')}`, values };
}

function flip(files: Map<string, Buffer>, path: string, offset: number): Map<string, Buffer> {
  const copy = Buffer.from(files.get(path) ?? Buffer.alloc(0));
  copy[offset] = (copy[offset] ?? 0) ^ 0x01;
  return new Map(files).set(path, copy);
}

describe('the TPM quote of a bundle', () => {
  it('parses a quote swtpm made: the qualifying data, the firmware, all 24 SHA-256 PCRs', () => {
    const attest = parseQuoteAttest(swtpmQuote);
    expect(attest.extraData).toEqual(sha256(Buffer.from('hello\n')));
    expect(attest.firmwareVersion).toBe(0x2019102300163636n);
    expect(formatFirmwareVersion(attest.firmwareVersion)).toBe('8217.4131.22.13878');
    expect(attest.selection).toEqual([{ hashAlg: 0x000b, pcrs: [...Array(24).keys()] }]);
    expect(attest.pcrDigest.toString('hex')).toBe(
      '019de64c9318655e422c3d03831169896e31f02a1d74e4d8fef575bf4e0d75fa',
    );
    // A fresh TPM: PCRs 17-22 (the dynamic root's) start as all ones, the others as zeros.
    const fresh = [...Array(24).keys()].map((i) => Buffer.alloc(32, i >= 17 && i <= 22 ? 0xff : 0));
    expect(sha256(Buffer.concat(fresh))).toEqual(attest.pcrDigest);
  });

  it('refuses what is not a quote, naming the field', () => {
    expect(() => parseQuoteAttest(Buffer.from('00000000', 'hex'))).toThrow(/magic is 0x0/);
    expect(() => parseQuoteAttest(swtpmQuote.subarray(0, 50))).toThrow(/ends inside extraData/);
    expect(() => parseQuoteAttest(Buffer.concat([swtpmQuote, Buffer.from([0])]))).toThrow(
      /1 byte\(s\) after the quote/,
    );
  });

  it('accepts a quote signed by the AK over the manifest hash, and says which TPM made it', () => {
    const manifest = Buffer.from('{"files":[]}\n');
    const { files, ekFingerprint } = quoteFiles(manifest);
    const verification = verifyQuote(files, manifest);
    expect(verification.problems).toEqual([]);
    expect(verification).toMatchObject({
      ok: true,
      ekFingerprint,
      pcrs: [0, 1, 7],
      firmwareVersion: '7.85.0.0',
      ekCertificate: false,
    });
  });

  it('accepts a quote by an ECC P-256 AK (ECDSA, DER) and refuses one of its signature bytes changed', () => {
    const manifest = Buffer.from('{"files":[]}\n');
    const { files, ekFingerprint } = quoteFiles(manifest, 'ecc');
    expect(verifyQuote(files, manifest)).toMatchObject({ ok: true, ekFingerprint, problems: [] });
    for (const offset of [0, 10, 40]) {
      expect(verifyQuote(flip(files, quotePaths.signature, offset), manifest).problems).toEqual([
        `${quotePaths.signature} is not a signature of ${quotePaths.message} by the AK in ${quotePaths.akPublic}: one of the three changed`,
      ]);
    }
  });

  it('refuses an AK of another kind than RSA or ECC P-256', () => {
    const manifest = Buffer.from('{"files":[]}\n');
    const { files } = quoteFiles(manifest);
    const ed25519 = generateKeyPairSync('ed25519').publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    const other = new Map(files).set(quotePaths.akPublic, Buffer.from(ed25519));
    expect(verifyQuote(other, manifest).problems).toContain(
      `${quotePaths.akPublic} is not an RSA or ECC P-256 public key`,
    );
  });

  it('refuses a quote made for another manifest', () => {
    const { files } = quoteFiles(Buffer.from('manifest A'));
    const verification = verifyQuote(files, Buffer.from('manifest B'));
    expect(verification.ok).toBe(false);
    expect(verification.problems.join('\n')).toMatch(
      /qualifying data of tpm\/quote.msg .* is not the SHA-256 of manifest.json/,
    );
  });

  it('names the file of which one byte changed: the message, the signature, the AK, a PCR value', () => {
    const manifest = Buffer.from('m');
    const { files, values } = quoteFiles(manifest);
    // A byte of the clock: the message still parses, the signature no longer holds.
    expect(verifyQuote(flip(files, quotePaths.message, 80), manifest).problems).toEqual([
      `${quotePaths.signature} is not a signature of ${quotePaths.message} by the AK in ${quotePaths.akPublic}: one of the three changed`,
    ]);
    expect(verifyQuote(flip(files, quotePaths.signature, 9), manifest).ok).toBe(false);
    const otherAk = quoteFiles(manifest).files.get(quotePaths.akPublic) ?? Buffer.alloc(0);
    expect(
      verifyQuote(new Map(files).set(quotePaths.akPublic, otherAk), manifest).problems.join(),
    ).toContain('by the AK in tpm/ak.pub.pem');
    const changedPcr = { ...values, '7': '0'.repeat(64) };
    const pcrs = Buffer.from(JSON.stringify({ bank: 'sha256', values: changedPcr }));
    expect(verifyQuote(new Map(files).set(quotePaths.pcrs, pcrs), manifest).problems).toEqual([
      `the PCR values in ${quotePaths.pcrs} do not hash to the digest the TPM quoted in ${quotePaths.message}: a value changed`,
    ]);
    const fewer = Buffer.from(JSON.stringify({ bank: 'sha256', values: { '0': values['0'] } }));
    expect(verifyQuote(new Map(files).set(quotePaths.pcrs, fewer), manifest).problems[0]).toBe(
      `${quotePaths.pcrs} lists PCRs 0, the quote selects 0,1,7`,
    );
  });

  it('checks that an EK certificate in the bundle certifies the EK it names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sovh-ekcert-'));
    try {
      // A certificate made by openssl, apart from Node: a stand-in for a TPM maker's EK certificate.
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-subj',
          '/CN=EK',
          '-keyout',
          join(dir, 'ek.key'),
          '-out',
          join(dir, 'ek.der'),
          '-outform',
          'DER',
          '-days',
          '1',
        ],
        { stdio: 'ignore' },
      );
      const certificate = readFileSync(join(dir, 'ek.der'));
      const ekPem = Buffer.from(
        createPublicKey(readFileSync(join(dir, 'ek.key'))).export({ type: 'spki', format: 'pem' }),
      );
      const manifest = Buffer.from('m');
      const { files } = quoteFiles(manifest);
      files.set(quotePaths.ekCertificate, certificate);
      const mismatched = verifyQuote(files, manifest);
      expect(mismatched.problems).toEqual([
        expect.stringMatching(
          /^tpm\/ek-cert.der certifies another key \(sha256:[0-9a-f]{64}\) than tpm\/ek.pub.pem$/,
        ),
      ]);
      files.set(quotePaths.ekPublic, ekPem);
      expect(verifyQuote(files, manifest)).toMatchObject({ ok: true, ekCertificate: true });
      files.set(quotePaths.ekCertificate, Buffer.from('not a certificate'));
      expect(verifyQuote(files, manifest).problems).toEqual([
        `${quotePaths.ekCertificate} is not an X.509 certificate (DER)`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names each missing file', () => {
    const { files } = quoteFiles(Buffer.from('m'));
    files.delete(quotePaths.ekPublic);
    files.delete(quotePaths.signature);
    const verification = verifyQuote(files, Buffer.from('m'));
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual(
      expect.arrayContaining([
        `${quotePaths.signature} is missing`,
        `${quotePaths.ekPublic} is missing`,
      ]),
    );
  });
});
