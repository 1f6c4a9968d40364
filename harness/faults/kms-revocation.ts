import type { RevocationReason } from '../../sims/kms/kms.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';
import { kmsNamed } from './kms-outage.ts';

/**
 * The key server revokes a key (KMIP Revoke) with its owner's credentials, as an operator
 * answering a compromise (the key becomes COMPROMISED) or retiring it (cessation of operation:
 * DEACTIVATED) would. A revoked key stays revoked: the heal has nothing to undo, and says so in
 * the history by healing nothing.
 */
export function kmsRevocation(
  kmsName: string,
  owner: string,
  uid: string,
  reason: RevocationReason = 'key-compromise',
): Fault {
  return {
    name: `kms-revocation-${kmsName}-${uid}`,
    description: `key server ${kmsName} revokes key ${uid} of ${owner} (${reason})`,
    async invoke(world: World) {
      await kmsNamed(world, kmsName).revokeKey(owner, uid, reason);
      return () => Promise.resolve();
    },
  };
}
