import { hostPaths } from './host-paths.ts';

/**
 * The record that ties the data key's custody together (CONTRACT.md, "The cell's HSM"):
 * `nonce(12) || AES-256-GCM(KEK, json, aad) || tag(16)` at `path`, where the JSON holds exactly
 * `fields`, and `wrapped` is the data key wrapped by the HSM with RFC 3394 AES key wrap (a 32-byte
 * key wraps to 40 bytes). Stated so that the harness can open it with the KEK it unseals itself.
 */
export const dataKeyRecord = {
  path: hostPaths.dataKeyRecord,
  nonceBytes: 12,
  tagBytes: 16,
  aad: 'residency-data-key-record',
  fields: ['kms', 'uid', 'hsmToken', 'wrapped'],
  wrappedBytes: 40,
} as const;
