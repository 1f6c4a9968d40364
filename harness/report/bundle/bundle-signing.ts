import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

/**
 * The run's signing key: an Ed25519 pair made for one run. The private half signs the manifest
 * and is then dropped (never written); the public half travels in the bundle, and its fingerprint
 * is printed at the end of the run so it can be pinned from outside (a CI log).
 */
export interface RunKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
}

export function newRunKey(): RunKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem, fingerprint: keyFingerprint(publicKeyPem) };
}

/** "sha256:<hex>" of the public key's DER (SubjectPublicKeyInfo) encoding. */
export function keyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

/** The signature of the manifest's exact bytes, base64. */
export function signManifest(manifest: Buffer, key: RunKey): string {
  return sign(null, manifest, key.privateKey).toString('base64');
}

/** Whether the signature is the key's over these bytes; a malformed key or signature is false. */
export function signatureValid(
  manifest: Buffer,
  signatureBase64: string,
  publicKeyPem: string,
): boolean {
  try {
    const publicKey = createPublicKey(publicKeyPem);
    if (publicKey.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, manifest, publicKey, Buffer.from(signatureBase64.trim(), 'base64'));
  } catch {
    return false;
  }
}
