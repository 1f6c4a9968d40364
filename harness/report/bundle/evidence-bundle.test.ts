import { mkdtemp, readFile, rm, unlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syntheticRunReport } from '../testing/synthetic-run.ts';
import {
  manifestPath,
  publicKeyPath,
  signaturePath,
  statementPath,
  type BundleManifest,
} from './bundle-manifest.ts';
import { signEnvelope } from './dsse.ts';
import { evidenceStatement, inTotoPayloadType } from './in-toto-statement.ts';
import { readBundle } from './bundle-reader.ts';
import { newRunKey, signManifest } from './bundle-signing.ts';
import { formatVerification, verifyBundle } from './bundle-verifier.ts';
import { sealBundle, writeEvidenceBundle, writeTarGz } from './bundle-writer.ts';
import { evidenceFiles } from './evidence-files.ts';

const meta = { runId: '20261126-100000-abcd', createdAt: '2026-11-26T10:00:41.000Z' };

function inputs() {
  const report = syntheticRunReport();
  return evidenceFiles({
    report,
    resultsJson: Buffer.from(JSON.stringify(report)),
    junitXml: Buffer.from('<testsuites/>'),
    reportHtml: Buffer.from('<!DOCTYPE html>'),
    imageFacts: [{ tag: 'sovh/host:aaaa', id: 'sha256:1111', repoDigests: [] }],
  });
}

async function flipOneByte(path: string, offset: number): Promise<void> {
  const content = await readFile(path);
  content[offset] = (content[offset] ?? 0) ^ 0x01;
  await writeFile(path, content);
}

describe('the evidence bundle', () => {
  let work: string;
  let bundleDir: string;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'sovh-bundle-test-'));
    bundleDir = join(work, 'evidence');
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('holds the run, its environment, image digests, and per run topology, history, logs and attachments', () => {
    const paths = [...inputs().keys()];
    expect(paths).toEqual(
      expect.arrayContaining([
        'README.txt',
        'results.json',
        'junit.xml',
        'report.html',
        'run/environment.json',
        'run/images.json',
        'run/versions.json',
        'scenarios/thermal-and-power/topology.json',
        'scenarios/thermal-and-power/world.json',
        'scenarios/thermal-and-power/history.jsonl',
        'scenarios/thermal-and-power/verdicts.json',
        'scenarios/thermal-and-power/logs/vm1-boot-1-on-m1.log',
        'scenarios/thermal-and-power/attachments/audit-log-vm1.txt',
        'scenarios/thermal-and-power--egress-accept/attachments/egress-probe.pcap',
      ]),
    );
    const images = JSON.parse(inputs().get('run/images.json')?.toString() ?? '[]') as {
      tag: string;
      id?: string;
      detail?: string;
    }[];
    expect(images.find((i) => i.tag === 'sovh/host:aaaa')?.id).toBe('sha256:1111');
    expect(images.find((i) => i.tag === 'sovh/sim-observer:bbbb')?.detail).toMatch(/not asked/);
  });

  it('keeps an attachment byte for byte', () => {
    const pcap = inputs().get(
      'scenarios/thermal-and-power--egress-accept/attachments/egress-probe.pcap',
    );
    expect(pcap).toEqual(Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]));
  });

  it('verifies an untouched bundle, as a folder and as a .tar.gz', async () => {
    const written = await writeEvidenceBundle(bundleDir, inputs(), meta);
    expect(written.archive).toBe(`${bundleDir}.tar.gz`);
    for (const path of [bundleDir, written.archive]) {
      const verification = verifyBundle(await readBundle(path), {
        expectKey: written.keyFingerprint,
      });
      expect(verification, formatVerification(path, verification)).toMatchObject({
        ok: true,
        signature: 'valid',
        runId: meta.runId,
        changed: [],
        missing: [],
        added: [],
        problems: [],
      });
      expect(verification.listed).toBe(inputs().size);
    }
  });

  it('fails naming the one file of which one byte changed', async () => {
    await writeEvidenceBundle(bundleDir, inputs(), meta);
    const victim = 'scenarios/thermal-and-power/attachments/audit-log-vm1.txt';
    await flipOneByte(join(bundleDir, victim), 7);
    const verification = verifyBundle(await readBundle(bundleDir));
    expect(verification.ok).toBe(false);
    expect(verification.signature).toBe('valid');
    expect(verification.changed.map((c) => c.path)).toEqual([victim]);
    expect(verification.missing).toEqual([]);
    expect(formatVerification(bundleDir, verification)).toContain(`CHANGED  ${victim}`);
  });

  it('fails naming a file changed inside the .tar.gz', async () => {
    const sealed = sealBundle(inputs(), meta);
    sealed.files.set('junit.xml', Buffer.from('<testsuites/ >'));
    const archive = join(work, 'evidence.tar.gz');
    await writeTarGz(sealed.files, 'evidence', archive, new Date(meta.createdAt));
    const verification = verifyBundle(await readBundle(archive));
    expect(verification.ok).toBe(false);
    expect(verification.changed.map((c) => c.path)).toEqual(['junit.xml']);
  });

  it('names files that went missing and files that were added', async () => {
    await writeEvidenceBundle(bundleDir, inputs(), meta);
    await unlink(join(bundleDir, 'junit.xml'));
    await mkdir(join(bundleDir, 'extra'));
    await writeFile(join(bundleDir, 'extra', 'note.txt'), 'added later');
    const verification = verifyBundle(await readBundle(bundleDir));
    expect(verification.ok).toBe(false);
    expect(verification.missing).toEqual(['junit.xml']);
    expect(verification.added).toEqual(['extra/note.txt']);
  });

  it('fails when the manifest is edited to match a changed file, because the signature breaks', async () => {
    await writeEvidenceBundle(bundleDir, inputs(), meta);
    const manifestFile = join(bundleDir, manifestPath);
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as BundleManifest;
    const entry = manifest.files.find((f) => f.path === 'junit.xml');
    if (entry === undefined) throw new Error('junit.xml not in the manifest');
    entry.sha256 = '0'.repeat(64);
    await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    const verification = verifyBundle(await readBundle(bundleDir));
    expect(verification.ok).toBe(false);
    expect(verification.signature).toBe('invalid');
    expect(verification.problems.join('\n')).toContain(manifestPath);
  });

  it('fails when the key is swapped, and a re-signed bundle fails against the pinned key', async () => {
    const original = await writeEvidenceBundle(bundleDir, inputs(), meta);
    const forger = newRunKey();
    await writeFile(join(bundleDir, publicKeyPath), forger.publicKeyPem);
    const swapped = verifyBundle(await readBundle(bundleDir));
    expect(swapped.ok).toBe(false);
    expect(swapped.signature).toBe('invalid');

    // A forger who rewrites the manifest's key and signs it again fools only an unpinned check.
    const manifestFile = join(bundleDir, manifestPath);
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as BundleManifest;
    manifest.signature.publicKeyFingerprint = forger.fingerprint;
    const bytes = Buffer.from(JSON.stringify(manifest));
    await writeFile(manifestFile, bytes);
    await writeFile(join(bundleDir, signaturePath), signManifest(bytes, forger));
    // The statement still names the first manifest and key: re-signing the manifest is not enough.
    const halfForged = verifyBundle(await readBundle(bundleDir));
    expect(halfForged.ok).toBe(false);
    expect(halfForged.problems.join('\n')).toContain(`${statementPath} is not signed by the key`);
    expect(halfForged.problems.join('\n')).toContain(`CHANGED ${manifestPath}`);
    // Re-signing the statement too fools only an unpinned check.
    const { files } = await readBundle(bundleDir);
    files.delete(statementPath);
    const statement = evidenceStatement(files, { forged: true });
    const envelope = signEnvelope(inTotoPayloadType, Buffer.from(JSON.stringify(statement)), {
      privateKey: forger.privateKey,
      keyid: forger.fingerprint,
    });
    await writeFile(join(bundleDir, statementPath), JSON.stringify(envelope));
    expect(verifyBundle(await readBundle(bundleDir)).ok).toBe(true);
    const pinned = verifyBundle(await readBundle(bundleDir), {
      expectKey: original.keyFingerprint,
    });
    expect(pinned.ok).toBe(false);
    expect(pinned.problems.join('\n')).toContain(
      `not by the expected key ${original.keyFingerprint}`,
    );
  });

  it('fails on a folder that is not a bundle, and refuses to overwrite one', async () => {
    await mkdir(bundleDir);
    await writeFile(join(bundleDir, 'mine.txt'), 'not evidence');
    const verification = verifyBundle(await readBundle(bundleDir));
    expect(verification.ok).toBe(false);
    expect(verification.problems[0]).toMatch(/manifest.json is missing/);
    await expect(writeEvidenceBundle(bundleDir, inputs(), meta)).rejects.toThrow(
      /not an evidence bundle/,
    );
    expect(await readFile(join(bundleDir, 'mine.txt'), 'utf8')).toBe('not evidence');
  });

  it('rewrites its own bundle whole when written again', async () => {
    await writeEvidenceBundle(bundleDir, inputs(), meta);
    await writeFile(join(bundleDir, 'stale.txt'), 'left from before');
    const again = await writeEvidenceBundle(bundleDir, inputs(), meta);
    const verification = verifyBundle(await readBundle(bundleDir), {
      expectKey: again.keyFingerprint,
    });
    expect(verification.ok).toBe(true);
  });
});
