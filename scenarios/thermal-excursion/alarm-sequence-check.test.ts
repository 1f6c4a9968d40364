import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import type { CrossingObservation } from '../power-thermal/thermal-checks.ts';
import { alarmsFollowCrossings } from './alarm-sequence-check.ts';

const lowCrossingMs = 1_800_000_060_000;

const line = (atMs: number, text: string) => ({ atMs, text: `2026-12-06 ${text}` });
const high = line(
  1_800_000_000_000,
  'THERMAL_ALARM sensor=inlet reading=27.2 range=18-27 side=high',
);
const cleared = line(
  1_800_000_030_000,
  'THERMAL_ALARM_CLEARED sensor=inlet reading=26.9 range=18-27',
);
const low = line(
  lowCrossingMs + 400,
  'THERMAL_ALARM sensor=inlet reading=17.9 range=18-27 side=low',
);
const correct = [high, cleared, low];

function history(lines: { atMs: number; text: string }[], crossed = true): History {
  const h = new History();
  const crossing: CrossingObservation = {
    phase: 'below-18',
    sensor: 'inlet',
    thresholdC: 18,
    direction: 'falling',
    change: { modelS: 0, wallMs: lowCrossingMs - 5_000 },
    crossingModelS: crossed ? 150 : undefined,
    crossingWallMs: crossed ? lowCrossingMs : undefined,
    speedup: 30,
  };
  h.record('observation', 'thermal-crossing', crossing);
  h.record('observation', 'residency-log', { lines });
  return h;
}

const check = alarmsFollowCrossings(['inlet']);
const status = async (h: History) => (await checkStatuses([check], h))['alarms-follow-crossings'];

describe('alarms-follow-crossings', () => {
  it('passes one inlet line per crossing, and nothing for other sensors', async () => {
    expect(await status(history(correct))).toBe('pass');
  });

  it('fails a low alarm that flaps while the inlet stays under 18 C', async () => {
    const flapping = [
      ...correct,
      line(lowCrossingMs + 900, 'THERMAL_ALARM_CLEARED sensor=inlet reading=17.7 range=18-27'),
      line(lowCrossingMs + 1_400, 'THERMAL_ALARM sensor=inlet reading=17.6 range=18-27 side=low'),
    ];
    expect(await status(history(flapping))).toBe('fail');
  });

  it('fails an alarm for a sensor that is not a range sensor, and a missing clear', async () => {
    const cpu = line(
      1_799_999_000_000,
      'THERMAL_ALARM sensor=cpu reading=41.0 range=18-27 side=high',
    );
    expect(await status(history([cpu, ...correct]))).toBe('fail');
    expect(await status(history([high, low]))).toBe('fail');
  });

  it('is unknown when the inlet never fell under 18 C, or the log was not read', async () => {
    expect(await status(history(correct, false))).toBe('unknown');
    const h = new History();
    expect(await status(h)).toBe('unknown');
  });
});
