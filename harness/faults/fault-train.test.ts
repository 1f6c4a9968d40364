import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../util/seeded-random.ts';
import { drawGaps, runFaultTrain, type FaultTrainPlan } from './fault-train.ts';

const plan: FaultTrainPlan = { holdsMs: [30, 10, 10, 10], gapMs: { min: 5, max: 25 } };

describe('fault train', () => {
  it('draws its gaps from the seed: the same seed gives the same gaps, each within the range', () => {
    const first = drawGaps(plan, new SeededRandom(7).stream('gaps'));
    const again = drawGaps(plan, new SeededRandom(7).stream('gaps'));
    const other = drawGaps(
      { ...plan, holdsMs: Array.from({ length: 40 }, () => 1) },
      new SeededRandom(8).stream('gaps'),
    );
    expect(first).toEqual(again);
    expect(first).toHaveLength(3);
    for (const gap of [...first, ...other]) {
      expect(gap).toBeGreaterThanOrEqual(5);
      expect(gap).toBeLessThanOrEqual(25);
    }
    // Drawn, not fixed: forty draws over 21 values are not all one value.
    expect(new Set(other).size).toBeGreaterThan(1);
  });

  it('injects, holds, runs the work of the held fault, heals, and records each window in order', async () => {
    const events: string[] = [];
    let faults = 0;
    const windows = await runFaultTrain(plan, {
      gaps: new SeededRandom(1).stream('gaps'),
      inject: () => {
        const n = (faults += 1);
        events.push(`cut ${n}`);
        return Promise.resolve(() => {
          events.push(`heal ${n}`);
          return Promise.resolve();
        });
      },
      whileHeld: (index) => {
        events.push(`held ${index}`);
        return Promise.resolve();
      },
    });
    expect(events).toEqual([
      'cut 1',
      'held 0',
      'heal 1',
      'cut 2',
      'held 1',
      'heal 2',
      'cut 3',
      'held 2',
      'heal 3',
      'cut 4',
      'held 3',
      'heal 4',
    ]);
    expect(windows).toHaveLength(4);
    for (const [i, w] of windows.entries()) {
      expect(w.cutBeganAtMs).toBeLessThanOrEqual(w.cutAtMs);
      expect(w.cutAtMs).toBeLessThanOrEqual(w.healBeganAtMs);
      expect(w.healBeganAtMs).toBeLessThanOrEqual(w.healedAtMs);
      const next = windows[i + 1];
      if (next !== undefined) expect(w.healedAtMs).toBeLessThanOrEqual(next.cutBeganAtMs);
    }
  });

  it('heals a fault whose held work failed, and reports the failure', async () => {
    const healed: number[] = [];
    await expect(
      runFaultTrain(plan, {
        gaps: new SeededRandom(1).stream('gaps'),
        inject: () =>
          Promise.resolve(() => {
            healed.push(1);
            return Promise.resolve();
          }),
        whileHeld: () => Promise.reject(new Error('scan failed')),
      }),
    ).rejects.toThrow('scan failed');
    expect(healed).toEqual([1]);
  });
});
