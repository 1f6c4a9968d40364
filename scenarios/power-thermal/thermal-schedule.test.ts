import { describe, expect, it } from 'vitest';
import type { LastPlayedTrace, StartedBmc } from '../../sims/bmc/bmc.ts';
import { playedTraceCrossing } from './thermal-schedule.ts';

const start = 5_000_000;

/** A BMC that played CPU readings every 500 ms from `start` (only lastPlayedTrace is read). */
function bmcThatPlayed(cpuC: number[]): StartedBmc {
  const played: LastPlayedTrace = {
    startWallMs: start,
    untilWallMs: start + cpuC.length * 500,
    speedup: 60,
    healed: false,
    timeline: cpuC.map((celsius, i) => ({
      sensor: 'cpu',
      celsius,
      recordedS: i * 30,
      modelS: i * 15,
      wallMs: start + i * 500,
    })),
  };
  return { lastPlayedTrace: () => played } as unknown as StartedBmc;
}

describe('a played trace against a critical limit', () => {
  const bmc = bmcThatPlayed([83.9, 85.0, 85.9]);

  it('counts a reading at the limit when the limit acts at or above it', () => {
    const at = playedTraceCrossing(bmc, 'cpu', 85, 'rising', start, start + 2_000, 'at-or-past');
    expect(at?.crossing).toEqual({
      wallMs: start + 500,
      celsius: 85,
      recordedS: 30,
      previousWallMs: start,
    });
  });

  it('counts only a reading past it otherwise, as the alarm thresholds do', () => {
    const past = playedTraceCrossing(bmc, 'cpu', 85, 'rising', start, start + 2_000);
    expect(past?.crossing?.celsius).toBe(85.9);
  });

  it('has no crossing, and its highest reading, when the trace stays under the limit', () => {
    const under = playedTraceCrossing(bmc, 'cpu', 95, 'rising', start, start + 2_000, 'at-or-past');
    expect(under).toMatchObject({ readings: 3, extremeC: 85.9 });
    expect(under?.crossing).toBeUndefined();
  });
});
