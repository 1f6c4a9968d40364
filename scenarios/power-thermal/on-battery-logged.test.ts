import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { onBatteryLogged } from './on-battery-logged.ts';

const loss = 1_000_000;
const lowBattery = loss + 7_500;
const check = onBatteryLogged('on-battery-logged');

async function statusOf(onBatteryAtMs: number[], withLog = true) {
  const h = new History();
  h.record('observation', 'power-timeline', {
    lossWallMs: loss,
    lowBatteryWallMs: lowBattery,
    lowBatterySource: 'upsc',
    exhaustedWallMs: loss + 20_000,
  });
  if (withLog)
    h.record('observation', 'residency-log', {
      lines: [
        { atMs: loss - 5_000, text: 'residency: power watch: upsmon monitoring ups@10.0.0.3:3493' },
        ...onBatteryAtMs.map((atMs) => ({ atMs, text: 'residency: POWER_ON_BATTERY ups=ups' })),
        { atMs: lowBattery + 900, text: 'residency: POWER_CRITICAL event=LOWBATT' },
      ],
    });
  return (await checkStatuses([check], h))[check.name];
}

describe('on-battery-logged', () => {
  it('passes a marker between the mains failure and LB', async () => {
    expect(await statusOf([loss + 1_200])).toBe('pass');
  });

  it('fails no marker, one from before the outage, and one only after LB', async () => {
    expect(await statusOf([])).toBe('fail');
    expect(await statusOf([loss - 60_000])).toBe('fail');
    expect(await statusOf([lowBattery + 500])).toBe('fail');
  });

  it('says unknown when the log was not read', async () => {
    expect(await statusOf([loss + 1_200], false)).toBe('unknown');
  });
});
