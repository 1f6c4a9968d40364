import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { SovhError } from '../../util/sovh-error.ts';
import { buildManifest, manifestPath, publicKeyPath, signaturePath } from './bundle-manifest.ts';
import { newRunKey, signManifest } from './bundle-signing.ts';

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

/** Signs the files with a key made now and returns them with the manifest, signature and key. */
export function sealBundle(
  files: ReadonlyMap<string, Buffer>,
  meta: { runId: string; createdAt: string },
): { files: Map<string, Buffer>; keyFingerprint: string } {
  const key = newRunKey();
  const manifest = buildManifest(files, { ...meta, publicKeyFingerprint: key.fingerprint });
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const sealed = new Map(files);
  sealed.set(manifestPath, manifestBytes);
  sealed.set(signaturePath, Buffer.from(`${signManifest(manifestBytes, key)}\n`));
  sealed.set(publicKeyPath, Buffer.from(key.publicKeyPem));
  return { files: sealed, keyFingerprint: key.fingerprint };
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
  meta: { runId: string; createdAt: string },
): Promise<WrittenBundle> {
  await clearBundleDir(dir);
  const sealed = sealBundle(files, meta);
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
