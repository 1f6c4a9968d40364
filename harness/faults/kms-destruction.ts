import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';
import { kmsNamed } from './kms-outage.ts';

/**
 * The key server destroys a key (KMIP Destroy, after a Revoke for cessation of operation when it
 * is still active) with its owner's credentials, as an operator retiring a host's key would. The
 * KMS then holds no such object: asked about it, it answers Item Not Found. A destroyed key stays
 * destroyed: the heal has nothing to undo.
 */
export function kmsDestruction(kmsName: string, owner: string, uid: string): Fault {
  return {
    name: `kms-destruction-${kmsName}-${uid}`,
    description: `key server ${kmsName} destroys key ${uid} of ${owner}`,
    async invoke(world: World) {
      await kmsNamed(world, kmsName).destroyKey(owner, uid);
      return () => Promise.resolve();
    },
  };
}
