import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { syntheticRunReport } from '../testing/synthetic-run.ts';
import { publicKeyPath, statementPath } from './bundle-manifest.ts';
import { verifyBundle } from './bundle-verifier.ts';
import { sealBundle } from './bundle-writer.ts';
import { envelopeSignedBy, preAuthEncoding, signEnvelope } from './dsse.ts';
import { evidenceFiles } from './evidence-files.ts';

/** The DSSE v1 protocol as its specification states it, written apart from dsse.ts. */
function specPae(type: string, body: Buffer): Buffer {
  const t = Buffer.from(type);
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} ${type} ${body.length} `), body]);
}

/** What a third party does with the bundle's envelope, with Node's crypto and nothing of sovh. */
function thirdPartyCheck(files: ReadonlyMap<string, Buffer>) {
  const envelope = JSON.parse(files.get(statementPath)?.toString() ?? '{}') as {
    payloadType: string;
    payload: string;
    signatures: { keyid: string; sig: string }[];
  };
  const payload = Buffer.from(envelope.payload, 'base64');
  const key = createPublicKey(files.get(publicKeyPath)?.toString() ?? '');
  const signed = envelope.signatures.some((s) =>
    verify(null, specPae(envelope.payloadType, payload), key, Buffer.from(s.sig, 'base64')),
  );
  const statement = JSON.parse(payload.toString()) as {
    _type: string;
    predicateType: string;
    subject: { name: string; digest: { sha256: string } }[];
  };
  const wrong = statement.subject
    .filter(
      (s) =>
        createHash('sha256')
          .update(files.get(s.name) ?? Buffer.alloc(0))
          .digest('hex') !== s.digest.sha256,
    )
    .map((s) => s.name);
  return { envelope, statement, signed, wrong };
}

function bundleFiles(): Map<string, Buffer> {
  const report = syntheticRunReport();
  return evidenceFiles({
    report,
    resultsJson: Buffer.from(JSON.stringify(report)),
    junitXml: Buffer.from('<testsuites/>'),
    reportHtml: Buffer.from('<!DOCTYPE html>'),
  });
}

const meta = { runId: '20261202-100000-abcd', createdAt: '2026-12-02T10:00:00.000Z' };

describe('DSSE and the in-toto statement', () => {
  it('encodes PAE as the specification example does', () => {
    expect(
      preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world')).toString(),
    ).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    // Lengths count bytes, not characters.
    const body = Buffer.from('grüß');
    expect(preAuthEncoding('t/ü', body)).toEqual(specPae('t/ü', body));
    expect(preAuthEncoding('t/ü', body).toString()).toBe('DSSEv1 4 t/ü 6 grüß');
  });

  it('signs an envelope a verifier written from the specification accepts, and refuses a changed type or payload', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const payload = Buffer.from('{"a":1}');
    const envelope = signEnvelope('application/x-test', payload, { privateKey, keyid: 'k1' });
    const sig = Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64');
    expect(verify(null, specPae('application/x-test', payload), publicKey, sig)).toBe(true);
    expect(envelopeSignedBy(envelope, publicKey)).toBe(true);
    // Negative controls: the same signature over another type or another payload is refused.
    expect(verify(null, specPae('application/x-other', payload), publicKey, sig)).toBe(false);
    expect(envelopeSignedBy({ ...envelope, payloadType: 'application/x-other' }, publicKey)).toBe(
      false,
    );
    const changed = { ...envelope, payload: Buffer.from('{"a":2}').toString('base64') };
    expect(envelopeSignedBy(changed, publicKey)).toBe(false);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(envelopeSignedBy(envelope, other)).toBe(false);
  });

  it("writes the bundle's statement so that a third party verifies it without the harness", () => {
    const sealed = sealBundle(bundleFiles(), meta);
    const check = thirdPartyCheck(sealed.files);
    expect(check.envelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(check.envelope.signatures[0]?.keyid).toBe(sealed.keyFingerprint);
    expect(check.statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(check.statement.predicateType).toBe('https://sovh.dev/attestation/evidence-bundle/v1');
    expect(check.signed).toBe(true);
    expect(check.wrong).toEqual([]);
    // Every file but the envelope itself is a subject, the manifest and its signature included.
    expect(check.statement.subject.map((s) => s.name).sort()).toEqual(
      [...sealed.files.keys()].filter((p) => p !== statementPath).sort(),
    );
    expect(verifyBundle({ files: sealed.files, oddities: [] })).toMatchObject({
      ok: true,
      statement: 'valid',
    });
  });

  it('is caught by the third party and by sovh verify when one byte of the manifest signature or the statement changes', () => {
    const sealed = sealBundle(bundleFiles(), meta);
    const sig = Buffer.from(sealed.files.get('manifest.sig') ?? Buffer.alloc(0));
    sig[0] = (sig[0] ?? 0) ^ 0x01;
    const files = new Map(sealed.files).set('manifest.sig', sig);
    expect(thirdPartyCheck(files).wrong).toEqual(['manifest.sig']);
    const verification = verifyBundle({ files, oddities: [] });
    expect(verification.ok).toBe(false);
    expect(verification.problems.join('\n')).toContain(`CHANGED manifest.sig`);

    const envelope = JSON.parse(sealed.files.get(statementPath)?.toString() ?? '') as {
      payload: string;
    };
    const payload = Buffer.from(envelope.payload, 'base64').toString();
    // One character of the statement changes: the run id it names (still valid JSON).
    envelope.payload = Buffer.from(
      payload.replace(meta.runId, `${meta.runId.slice(0, -1)}e`),
    ).toString('base64');
    const tampered = new Map(sealed.files).set(
      statementPath,
      Buffer.from(JSON.stringify(envelope)),
    );
    expect(thirdPartyCheck(tampered).signed).toBe(false);
    const second = verifyBundle({ files: tampered, oddities: [] });
    expect(second.ok).toBe(false);
    expect(second.statement).toBe('invalid');
    expect(second.problems.join('\n')).toContain(`${statementPath} is not signed by the key`);
  });

  it('names a file added beside the manifest, and a removed statement', () => {
    const sealed = sealBundle(bundleFiles(), meta);
    const added = new Map(sealed.files).set('tpm/quote.msg', Buffer.from('x'));
    const verification = verifyBundle({ files: added, oddities: [] });
    expect(verification.ok).toBe(false);
    expect(verification.problems.join('\n')).toContain(
      `tpm/quote.msg is not a subject of ${statementPath}: it was added`,
    );
    const removed = new Map(sealed.files);
    removed.delete(statementPath);
    const second = verifyBundle({ files: removed, oddities: [] });
    expect(second).toMatchObject({ ok: false, statement: 'missing' });
  });
});
