import { hostPaths } from './host-paths.ts';

/**
 * Boot binding's local data key, kept by a site with neither `kms` nor `hsm` (CONTRACT.md, "The
 * cell's HSM"): `nonce(12) || AES-256-GCM(KEK, key, aad) || tag(16)` at `path`. Stated so that the
 * harness can unwrap it with the KEK it unseals itself (the power scenarios look for it in memory)
 * whatever the stack's language.
 */
export const localDataKey = {
  path: hostPaths.localDataKey,
  nonceBytes: 12,
  tagBytes: 16,
  keyBytes: 32,
  aad: 'residency-dek',
} as const;
