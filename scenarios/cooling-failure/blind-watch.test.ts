import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { blindWatchReportedCheck } from './blind-watch.ts';

const window = {
  machine: 'rack2',
  blindFromMs: 100_000,
  blindUntilMs: 110_000,
  restoredWaitUntilMs: 114_000,
};
const unavailable = (atMs: number) => ({
  atMs,
  text: 'THERMAL_READINGS_UNAVAILABLE bmc=10.45.0.9: ipmitool exited 1; snmpget exited 1',
});
const restored = (atMs: number) => ({ atMs, text: 'THERMAL_READINGS_RESTORED' });

async function statusOf(lines: { atMs: number; text: string }[]): Promise<string | undefined> {
  const h = new History();
  h.record('observation', 'bmc-blind-window', { ...window, logLines: lines });
  return (await checkStatuses([blindWatchReportedCheck], h))[blindWatchReportedCheck.name];
}

describe('readings-unavailable-reported', () => {
  it('passes on one failure inside the blind window and its restoration after', async () => {
    expect(await statusOf([unavailable(107_200), restored(111_500)])).toBe('pass');
  });

  it('fails a watch that never says it is blind', async () => {
    expect(await statusOf([])).toBe('fail');
  });

  it('fails a failure logged only before the blind window', async () => {
    expect(await statusOf([unavailable(95_000), restored(96_000)])).toBe('fail');
  });

  it('fails when the readings are not said to be back while the harness waited', async () => {
    expect(await statusOf([unavailable(107_200)])).toBe('fail');
    expect(await statusOf([unavailable(107_200), restored(140_000)])).toBe('fail');
  });

  it('fails a failure logged at every poll', async () => {
    expect(await statusOf([unavailable(107_200), unavailable(107_700), restored(111_500)])).toBe(
      'fail',
    );
  });

  it('accepts a failure that a read in flight logs just after the heal', async () => {
    expect(await statusOf([unavailable(111_900), restored(112_500)])).toBe('pass');
  });

  it('says unknown when the BMC was never silenced', async () => {
    const h = new History();
    expect((await checkStatuses([blindWatchReportedCheck], h))[blindWatchReportedCheck.name]).toBe(
      'unknown',
    );
  });
});
