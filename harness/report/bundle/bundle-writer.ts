import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { SovhError } from '../../util/sovh-error.ts';
import {
  buildManifest,
  isBundlePath,
  manifestPath,
  publicKeyPath,
  signaturePath,
  statementPath,
} from './bundle-manifest.ts';
import { newRunKey, signManifest, type RunKey } from './bundle-signing.ts';
import { signEnvelope } from './dsse.ts';
import { evidenceStatement, inTotoPayloadType } from './in-toto-statement.ts';
import { quoteFilePaths, quotePaths } from './tpm-quote.ts';

export interface WrittenBundle {
  dir: string;
  archive: string;
  keyFingerprint: string;
  fileCount: number;
}

/** The folder of a bundle is rewritten whole; one that is not a bundle is never touched. */
async function clearBundleDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => undefined);
  if (entries === undefined || entries.length === 0) return;
  if (!entries.includes(manifestPath)) {
    throw new SovhError(
      'EVIDENCE_DIR_NOT_EMPTY',
      `${dir} exists and is not an evidence bundle (no ${manifestPath}); move it away or choose another --report-dir`,
    );
  }
  await rm(dir, { recursive: true });
}

/**
 * Makes files bound to the manifest once its bytes exist (a TPM quote over its hash). They stay
 * outside the manifest and inside the statement, so a changed byte in them is still named.
 */
export type BundleAttestor = (manifestBytes: Buffer) => Promise<ReadonlyMap<string, Buffer>>;

export interface SealedBundle {
  files: Map<string, Buffer>;
  keyFingerprint: string;
}

type BundleMeta = { runId: string; createdAt: string };

function signedManifest(files: ReadonlyMap<string, Buffer>, meta: BundleMeta, key: RunKey) {
  const manifest = buildManifest(files, { ...meta, publicKeyFingerprint: key.fingerprint });
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const sealed = new Map(files);
  sealed.set(manifestPath, manifestBytes);
  sealed.set(signaturePath, Buffer.from(`${signManifest(manifestBytes, key)}\n`));
  sealed.set(publicKeyPath, Buffer.from(key.publicKeyPem));
  return { sealed, manifestBytes };
}

/** The in-toto statement over every file so far, in a DSSE envelope signed with the run key. */
function addStatement(sealed: Map<string, Buffer>, meta: BundleMeta, key: RunKey): SealedBundle {
  for (const path of sealed.keys())
    if (!isBundlePath(path))
      throw new TypeError(`"${path}" cannot be a file of an evidence bundle`);
  const statement = evidenceStatement(sealed, {
    format: 'sovh-evidence/1',
    runId: meta.runId,
    createdAt: meta.createdAt,
    manifest: manifestPath,
    publicKeyFingerprint: key.fingerprint,
    tpmQuote: sealed.has(quotePaths.message),
  });
  const envelope = signEnvelope(inTotoPayloadType, Buffer.from(JSON.stringify(statement)), {
    privateKey: key.privateKey,
    keyid: key.fingerprint,
  });
  sealed.set(statementPath, Buffer.from(`${JSON.stringify(envelope, null, 2)}\n`));
  return { files: sealed, keyFingerprint: key.fingerprint };
}

/** Signs the files with a key made now and returns them with the manifest, signature, key and statement. */
export function sealBundle(files: ReadonlyMap<string, Buffer>, meta: BundleMeta): SealedBundle {
  const key = newRunKey();
  return addStatement(signedManifest(files, meta, key).sealed, meta, key);
}

/**
 * As sealBundle, with the attestor's files (made from the manifest's bytes) added before the
 * statement is signed. The key's private half is dropped when this returns.
 */
export async function sealAttestedBundle(
  files: ReadonlyMap<string, Buffer>,
  meta: BundleMeta,
  attest: BundleAttestor,
): Promise<SealedBundle> {
  const key = newRunKey();
  const { sealed, manifestBytes } = signedManifest(files, meta, key);
  for (const [path, content] of await attest(manifestBytes)) {
    if (!quoteFilePaths.includes(path) || sealed.has(path))
      throw new TypeError(`"${path}" cannot be an attestation file of an evidence bundle`);
    sealed.set(path, content);
  }
  return addStatement(sealed, meta, key);
}

/** A gzipped tar of the files under `<root>/`, in path order, with one fixed time for all. */
export async function writeTarGz(
  files: ReadonlyMap<string, Buffer>,
  root: string,
  archivePath: string,
  mtime: Date,
): Promise<void> {
  const pack = tar.pack();
  const paths = [...files.keys()].sort();
  const packing = (async () => {
    for (const path of paths) {
      const content = files.get(path) ?? Buffer.alloc(0);
      await new Promise<void>((resolve, reject) => {
        pack.entry(
          { name: `${root}/${path}`, mode: 0o644, mtime, size: content.length },
          content,
          (error) => {
            if (error) reject(error);
            else resolve();
          },
        );
      });
    }
    pack.finalize();
  })();
  await Promise.all([
    packing,
    pipeline(Readable.from(pack), createGzip({ level: 9 }), createWriteStream(archivePath)),
  ]);
}

/**
 * Writes a signed bundle as a folder (`dir`) and as `<dir>.tar.gz` beside it. The key is made
 * here and its private half is gone when this returns.
 */
export async function writeEvidenceBundle(
  dir: string,
  files: ReadonlyMap<string, Buffer>,
  meta: BundleMeta,
  attest?: BundleAttestor,
): Promise<WrittenBundle> {
  await clearBundleDir(dir);
  const sealed =
    attest === undefined ? sealBundle(files, meta) : await sealAttestedBundle(files, meta, attest);
  for (const [path, content] of sealed.files) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  const archive = `${dir}.tar.gz`;
  if (await stat(archive).catch(() => undefined)) await rm(archive);
  await writeTarGz(sealed.files, 'evidence', archive, new Date(meta.createdAt));
  return { dir, archive, keyFingerprint: sealed.keyFingerprint, fileCount: sealed.files.size };
}
