import { describe, expect, it } from 'vitest';
import { lastObservation, type Check } from '../checks/check.ts';
import { fail, pass } from '../checks/verdict.ts';
import type { CapabilityReport } from '../runtime/capabilities.ts';
import { quietContext } from '../testing/fake-hsm-world.ts';
import type { World } from '../world/world.ts';
import { findCuts } from './cut-finder.ts';
import { History } from './history.ts';

const capabilities: CapabilityReport = {
  probedAt: '',
  engine: { address: '', flavour: '', version: '', apiVersion: '', kernel: '' },
  entries: [],
};

const readsX: Check = {
  name: 'reads-x',
  description: '',
  verify: (h) => pass(`x is ${String(lastObservation<number>(h, 'x').data)}`),
};
const readsY: Check = {
  name: 'reads-y',
  description: '',
  verify: (h) => (h.observations<number>('y').some((e) => e.data > 5) ? fail('y > 5') : pass('ok')),
};
const readsZ: Check = {
  name: 'reads-z',
  description: '',
  verify: (h) => pass(`z is ${String(lastObservation<number>(h, 'z').data)}`),
};

/** Step one observes x, step two y, then step "again" runs twice and observes z the second time. */
async function referenceRun(): Promise<History> {
  const history = new History();
  const context = quietContext({} as unknown as World, history);
  await context.step('one', () => Promise.resolve(context.observe('x', 1)));
  await context.step('two', () => Promise.resolve(context.observe('y', 2)));
  await context.step('again', () => Promise.resolve());
  await context.step('again', () => Promise.resolve(context.observe('z', 3)));
  return history;
}

describe('finding where a mutant run could stop', () => {
  it('names the earliest step that decides the named checks, and none when only a repeated step would', async () => {
    const history = await referenceRun();
    const found = await findCuts(
      {
        name: 'demo',
        checks: [readsX, readsY, readsZ],
        mutants: [
          { name: 'x-only', expectFailing: ['reads-x'] },
          { name: 'x-and-y', expectFailing: ['reads-x', 'reads-y'], stopAfterStep: 'two' },
          { name: 'z', expectFailing: ['reads-z'] },
        ],
      },
      { history: history.events },
      capabilities,
    );
    expect(found.map((c) => [c.mutant, c.earliest, c.declared])).toEqual([
      ['x-only', 'one', undefined],
      ['x-and-y', 'two', 'two'],
      ['z', undefined, undefined],
    ]);
    expect(found[2]?.savedMs).toBe(0);
    expect(found[0]?.savedMs).toBeGreaterThanOrEqual(found[1]?.savedMs ?? 0);
  });
});
