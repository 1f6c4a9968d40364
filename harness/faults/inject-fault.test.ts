import { describe, expect, it } from 'vitest';
import { History } from '../scenario/history.ts';
import { ScenarioContext } from '../scenario/scenario-context.ts';
import { silentLogger } from '../util/log.ts';
import { isSovhError } from '../util/sovh-error.ts';
import type { World } from '../world/world.ts';
import { StartedHsm } from '../../sims/hsm/hsm.ts';
import { injectFault } from './inject-fault.ts';

/** A world with one HSM, one KMS and one host, as far as fault parameters look at it. */
function fakeWorld(effects: string[]): World {
  // An HSM simulator without a container: the fault's own code checks the class and calls these.
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

function contextOn(world: World, history: History): ScenarioContext {
  return new ScenarioContext(world, history, silentLogger, {
    probedAt: '',
    engine: { address: '', flavour: '', version: '', apiVersion: '', kernel: '' },
    entries: [],
  });
}

describe('injectFault', () => {
  it('records a registered fault with its kind and parameters, and its heal', async () => {
    const history = new History();
    const effects: string[] = [];
    const context = contextOn(fakeWorld(effects), history);
    // The node left out is the world's only HSM.
    const heal = await injectFault(context, 'hsm-cut');
    expect(effects).toEqual(['cut']);
    const fault = history.events.find((e) => e.kind === 'fault');
    expect(fault?.name).toBe('hsm-cable-cut-hsm-a');
    expect(fault?.data).toMatchObject({ type: 'hsm-cut', parameters: { hsm: 'hsm-a' } });
    await heal();
    await context.healAll();
    expect(effects).toEqual(['cut', 'reconnect']);
    expect(history.events.filter((e) => e.kind === 'heal').map((e) => e.name)).toEqual([
      'hsm-cable-cut-hsm-a',
    ]);
  });

  it('refuses a node the world does not have before anything is recorded', async () => {
    const history = new History();
    const context = contextOn(fakeWorld([]), history);
    const error: unknown = await injectFault(context, 'kms-outage', { kms: 'kms-b' }).catch(
      (e: unknown) => e,
    );
    expect(isSovhError(error) && error.code).toBe('UNKNOWN_NODE');
    expect(String(error)).toContain(
      'no key server (KMS) simulator named "kms-b"; its key server (KMS) simulators: kms',
    );
    expect(history.events).toEqual([]);
  });
});
