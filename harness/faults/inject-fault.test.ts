import { describe, expect, it } from 'vitest';
import { History } from '../scenario/history.ts';
import { isSovhError } from '../util/sovh-error.ts';
import { quietContext, worldWithFakeHsm } from '../testing/fake-hsm-world.ts';
import { injectFault } from './inject-fault.ts';

describe('injectFault', () => {
  it('records a registered fault with its kind and parameters, and its heal', async () => {
    const history = new History();
    const effects: string[] = [];
    const context = quietContext(worldWithFakeHsm(effects), history);
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
    const context = quietContext(worldWithFakeHsm([]), history);
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
