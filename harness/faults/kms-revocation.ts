import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';
import { kmsNamed } from './kms-outage.ts';

/**
 * The key server revokes a key (KMIP Revoke, reason: key compromise) with its owner's
 * credentials, as an operator answering a compromise would. A revoked key stays revoked: the heal
 * has nothing to undo, and says so in the history by healing nothing.
 */
export function kmsRevocation(kmsName: string, owner: string, uid: string): Fault {
  return {
    name: `kms-revocation-${kmsName}-${uid}`,
    description: `key server ${kmsName} revokes key ${uid} of ${owner} (key compromise)`,
    async invoke(world: World) {
      await kmsNamed(world, kmsName).revokeKey(owner, uid);
      return () => Promise.resolve();
    },
  };
}
