import { SovhError } from '../util/sovh-error.ts';
import type { World } from '../world/world.ts';
import { StartedKms } from '../../sims/kms/kms.ts';
import type { Fault } from './fault.ts';

/** The key server a fault names, or a bad-input error saying what the node is instead. */
export function kmsNamed(world: World, name: string): StartedKms {
  const sim = world.sim(name);
  if (!(sim instanceof StartedKms))
    throw new SovhError(
      'NOT_A_KMS',
      `simulator ${name} is a ${sim.kind}, not a kms: the fault needs a key server`,
    );
  return sim;
}

/**
 * The key server goes down: its container stops, so nothing answers on its address. The heal
 * starts it again with the same CA, keys and database and waits until KMIP listens.
 */
export function kmsOutage(kmsName: string): Fault {
  return {
    name: `kms-outage-${kmsName}`,
    description: `key server ${kmsName} goes down: nothing answers on its address`,
    async invoke(world: World) {
      const kms = kmsNamed(world, kmsName);
      await kms.stop();
      return () => kms.start();
    },
  };
}
