import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { quietContext, worldWithFakeHsm } from '../../harness/testing/fake-hsm-world.ts';
import type { FaultMoment, KitWatch, PlannedFault } from './evidence-kit.ts';
import { runIncidentSchedule } from './incident-schedule.ts';

function recordingWatch(seen: string[]): KitWatch {
  return {
    during: () => Promise.resolve(),
    at: (moment: FaultMoment, fault: PlannedFault) => {
      seen.push(`${moment} ${fault.type}`);
      return Promise.resolve();
    },
    finish: () => Promise.resolve(),
    abort: () => Promise.resolve(),
  };
}

describe('the incident schedule', () => {
  it('applies each fault through the registry at its time, heals it after its `for`, and tells the kits', async () => {
    const effects: string[] = [];
    const seen: string[] = [];
    const history = new History();
    const context = quietContext(worldWithFakeHsm(effects), history);
    const startedAtMs = Date.now();
    await runIncidentSchedule(
      context,
      {
        faults: [
          {
            atMs: 50,
            forMs: 100,
            type: 'hsm-cut',
            parameters: { hsm: 'hsm-a' },
            path: 'schedule[0]',
          },
        ],
        endMs: 250,
      },
      [recordingWatch(seen)],
      startedAtMs,
    );
    const endedAfterMs = Date.now() - startedAtMs;
    expect(effects).toEqual(['cut', 'reconnect']);
    expect(seen).toEqual([
      'before-fault hsm-cut',
      'after-fault hsm-cut',
      'before-heal hsm-cut',
      'after-heal hsm-cut',
    ]);
    const fault = history.events.find((e) => e.kind === 'fault');
    const heal = history.events.find((e) => e.kind === 'heal');
    expect(fault?.data).toMatchObject({ type: 'hsm-cut', parameters: { hsm: 'hsm-a' } });
    expect(Date.parse(fault?.at ?? '') - startedAtMs).toBeGreaterThanOrEqual(45);
    expect(Date.parse(heal?.at ?? '') - Date.parse(fault?.at ?? '')).toBeGreaterThanOrEqual(95);
    // The schedule holds until its end even when every fault is over.
    expect(endedAfterMs).toBeGreaterThanOrEqual(245);
  });
});
