import { createHash } from 'node:crypto';
import { quoteFilePaths } from './tpm-quote.ts';

/** The files of a bundle that are not listed in its manifest: the manifest and its signature. */
export const manifestPath = 'manifest.json';
export const signaturePath = 'manifest.sig';
export const publicKeyPath = 'run-key.pub.pem';
/** The in-toto statement of the bundle in a DSSE envelope: it lists every other file. */
export const statementPath = 'statement.intoto.dsse.json';
export const envelopePaths: readonly string[] = [manifestPath, signaturePath, publicKeyPath];
/**
 * Files made after the manifest and bound to it: its signature and key, the TPM quote over its
 * hash, and the statement over everything. None can be listed in the manifest.
 */
export const outsideManifestPaths: readonly string[] = [
  ...envelopePaths,
  statementPath,
  ...quoteFilePaths,
];

export interface ManifestEntry {
  path: string;
  sha256: string;
  sizeBytes: number;
}

/** manifest.json: the SHA-256 of every file of the bundle, and how it was signed. */
export interface BundleManifest {
  format: 'sovh-evidence/1';
  runId: string;
  createdAt: string;
  hash: 'sha256';
  signature: {
    algorithm: 'ed25519';
    file: string;
    publicKey: string;
    publicKeyFingerprint: string;
  };
  files: ManifestEntry[];
}

export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Whether a path may name a file of a bundle: relative, "/"-separated, no "." or ".." segments.
 * A manifest naming anything else could point a verifier outside the bundle.
 */
export function isBundlePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.includes('\0'))
    return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

export function buildManifest(
  files: ReadonlyMap<string, Buffer>,
  meta: { runId: string; createdAt: string; publicKeyFingerprint: string },
): BundleManifest {
  const entries = [...files.entries()]
    .map(([path, content]) => {
      if (!isBundlePath(path) || outsideManifestPaths.includes(path)) {
        throw new TypeError(`"${path}" cannot be a file of an evidence bundle`);
      }
      return { path, sha256: sha256Hex(content), sizeBytes: content.length };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    format: 'sovh-evidence/1',
    runId: meta.runId,
    createdAt: meta.createdAt,
    hash: 'sha256',
    signature: {
      algorithm: 'ed25519',
      file: signaturePath,
      publicKey: publicKeyPath,
      publicKeyFingerprint: meta.publicKeyFingerprint,
    },
    files: entries,
  };
}
