import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { objectNonceBytes } from '../../harness/checks/probes/data-at-rest.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';

/** The nonces of one object file, read off the VM disk before and after it was rewritten. */
export interface ObjectNonces {
  objectId: string;
  path: string;
  /** Hex; absent when the file could not be read. */
  before?: string;
  after?: string;
  rewrite: { ok: boolean; detail: string };
}

export const objectNonces = observationKey<ObjectNonces>('object-nonces');

/** The nonce an object file opens with, in hex; the whole file when it is shorter. */
export function nonceOf(blob: Buffer): string {
  return blob.subarray(0, objectNonceBytes).toString('hex');
}

/**
 * Under one data key, an AES-GCM nonce must never repeat (CONTRACT.md, the store API): two
 * ciphertexts under the same key and nonce give away the XOR of their plaintexts and the key that
 * authenticates them. The record written in the first boot is written again after the power
 * returned, under the same data key: a nonce derived from the object id, or a counter that starts
 * again at each boot, gives the file the nonce it had.
 */
export const objectNonceNeverRepeats: Check = {
  name: 'object-nonce-never-repeats',
  description:
    'The record written before the outage, written again once the store serves after the power returned, rests under another nonce than it had (AES-GCM under one data key)',
  verify(history) {
    const seen = lastObservation(history, objectNonces).data;
    if (!seen.rewrite.ok)
      throw new MissingEvidence(
        objectNonces.name,
        `the rewrite did not go through: ${seen.rewrite.detail}`,
      );
    if (seen.before === undefined || seen.after === undefined)
      throw new MissingEvidence(
        objectNonces.name,
        `${seen.path} could not be read ${seen.before === undefined ? 'before' : 'after'} the rewrite`,
      );
    return verdictOf(
      seen.before !== seen.after,
      `${seen.objectId}: nonce ${seen.before} before the rewrite, ${seen.after} after`,
      `${seen.objectId} was written again under the nonce it had: ${seen.after}`,
      {
        expected: 'a nonce never used before under the data key',
        observed: `before ${seen.before}, after ${seen.after}`,
        evidence: [
          {
            source: `first ${objectNonceBytes} bytes of ${seen.path} on the data disk`,
            excerpt: `before: ${seen.before}\nafter:  ${seen.after}`,
          },
        ],
      },
    );
  },
};
