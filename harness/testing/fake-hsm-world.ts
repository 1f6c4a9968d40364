import { History } from '../scenario/history.ts';
import { ScenarioContext } from '../scenario/scenario-context.ts';
import { silentLogger } from '../util/log.ts';
import type { World } from '../world/world.ts';
import { StartedHsm } from '../../sims/hsm/hsm.ts';

/**
 * For unit tests of the fault path: a world with one HSM simulator `hsm-a` without a container
 * (the registry's hsm-cut checks the class and calls these, each recorded in `effects`), a KMS
 * and a host `vm1`, as far as fault parameters look at a world.
 */
export function worldWithFakeHsm(effects: string[]): World {
  const hsm = Object.assign(Object.create(StartedHsm.prototype) as StartedHsm, {
    kind: 'hsm',
    name: 'hsm-a',
    cutCable: () => {
      effects.push('cut');
      return Promise.resolve();
    },
    reconnectCable: () => {
      effects.push('reconnect');
      return Promise.resolve();
    },
  });
  return {
    allSims: () => [hsm, { kind: 'kms', name: 'kms' }],
    sim: (name: string) => {
      if (name !== 'hsm-a') throw new Error(`no sim ${name}`);
      return hsm;
    },
    topology: { machines: [], hosts: [{ name: 'vm1' }], zones: [] },
  } as unknown as World;
}

/** A scenario context on `world` with an empty capability probe, quiet. */
export function quietContext(world: World, history = new History()): ScenarioContext {
  return new ScenarioContext(world, history, silentLogger, {
    probedAt: '',
    engine: { address: '', flavour: '', version: '', apiVersion: '', kernel: '' },
    entries: [],
  });
}
