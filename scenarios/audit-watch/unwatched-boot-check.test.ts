import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { storeWaitsForActiveWatch } from './unwatched-boot-check.ts';
import { unwatchedBoot, type UnwatchedBootObservation } from './unwatched-boot.ts';

const startMs = 1_800_000_000_000;

function observation(change: Partial<UnwatchedBootObservation> = {}): UnwatchedBootObservation {
  return {
    host: 'vm2',
    kernelRules: [],
    looks: Array.from({ length: 10 }, (_, i) => ({
      atMs: startMs + i * 500,
      connected: false,
      detail: 'connection refused',
    })),
    inactiveLines: ['2026-12-06 AUDIT_WATCH_INACTIVE: not loaded; sovereign services not started'],
    inactiveSeenAtMs: startMs + 2_000,
    ...change,
  };
}

async function status(o?: UnwatchedBootObservation) {
  const h = new History();
  if (o !== undefined) h.record('observation', unwatchedBoot.name, o);
  return (await checkStatuses([storeWaitsForActiveWatch], h))['store-waits-for-active-watch'];
}

describe('store-waits-for-active-watch', () => {
  it('passes a store that stayed closed while the stack named the inactive watch', async () => {
    expect(await status(observation())).toBe('pass');
  });

  it('fails a store that accepted one connection, or a stack that never said why', async () => {
    const looks = observation().looks.map((look, i) => ({ ...look, connected: i === 9 }));
    expect(await status(observation({ looks }))).toBe('fail');
    expect(await status(observation({ inactiveLines: [], inactiveSeenAtMs: undefined }))).toBe(
      'fail',
    );
  });

  it('is unknown when the daemon loaded the rule after all, no probe answered, or nothing was observed', async () => {
    const loaded = ['-w /data/sovereign_storage -p wa -k residency_audit'];
    expect(await status(observation({ kernelRules: loaded }))).toBe('unknown');
    expect(await status(observation({ looks: [] }))).toBe('unknown');
    expect(await status()).toBe('unknown');
  });
});
