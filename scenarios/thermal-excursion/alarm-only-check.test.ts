import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { criticalActionBound } from '../power-thermal/thermal-bounds.ts';
import type { ReadProbe } from '../power-thermal/store-availability.ts';
import { alarmOnlyKeepsServing } from './alarm-only-check.ts';

const critical = 1_000_000;
const criticalLine = `2026-12-06T18:00:00.000Z THERMAL_CRITICAL sensor=cpu reading=55.2 limit=55 action=alarm-only`;

/** Reads every second from 3 s before the crossing until `untilMs` after it; 503 from `failsAtMs`. */
function reads(untilMs: number, failsAtMs?: number): ReadProbe[] {
  const out: ReadProbe[] = [];
  for (let at = critical - 3_000; at <= critical + untilMs; at += 1_000) {
    const served = failsAtMs === undefined || at < failsAtMs;
    out.push({
      startedAtMs: at,
      finishedAtMs: at + 30,
      status: served ? 200 : 0,
      served,
      detail: served ? '200' : '0 connection refused',
    });
  }
  return out;
}

function history(storeReads: ReadProbe[], lines: string[] = [criticalLine]): History {
  const h = new History();
  h.record('observation', 'thermal-crossing', {
    phase: 'cpu-critical',
    sensor: 'cpu',
    thresholdC: 55,
    direction: 'rising',
    change: { modelS: 0, wallMs: critical - 1_700 },
    crossingModelS: 50,
    crossingWallMs: critical,
    speedup: 30,
  });
  h.record('observation', 'store-availability', { probes: [], reads: storeReads });
  h.record('observation', 'residency-log', {
    lines: lines.map((text) => ({ atMs: Date.parse(text.split(' ')[0] ?? ''), text })),
  });
  return h;
}

describe('alarm-only-keeps-serving', () => {
  const check = alarmOnlyKeepsServing('cpu-critical', criticalActionBound);
  const status = async (h: History) =>
    (await checkStatuses([check], h))['alarm-only-keeps-serving'];

  it('passes when the critical reading is logged alarm-only and every later read is served', async () => {
    const verdict = await check.verify(history(reads(10_000)));
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toBe(
      'the stack logged the critical reading (alarm-only) and the store served all 11 reads from the crossing on, 8 of them past the 3000 ms bound',
    );
  });

  it('fails a store that stops after the critical reading, inside the bound or past it', async () => {
    const verdict = await check.verify(history(reads(10_000, critical + 2_000)));
    expect(verdict.status).toBe('fail');
    expect(verdict.summary).toBe(
      'the store stopped serving at an alarm-only site, 2000 ms after the CPU reached 55 C: 0 connection refused',
    );
    expect(await status(history(reads(10_000, critical + 6_000)))).toBe('fail');
  });

  it('fails a watch that never logged the critical reading, or logged another action', async () => {
    expect(await status(history(reads(10_000), []))).toBe('fail');
    const shutdownLine = criticalLine.replace('alarm-only', 'residency-shutdown');
    const verdict = await check.verify(history(reads(10_000), [shutdownLine]));
    expect(verdict.summary).toMatch(/another action than the site's alarm-only/);
  });

  it('is unknown when the reads end before the bound has passed, or the evidence is missing', async () => {
    expect(await status(history(reads(3_500)))).toBe('unknown');
    expect(await status(new History())).toBe('unknown');
  });

  it('does not count a refusal before the crossing against the stack', async () => {
    const early = reads(10_000).map((r) =>
      r.startedAtMs < critical ? { ...r, served: false, status: 0 } : r,
    );
    expect(await status(history(early))).toBe('pass');
  });
});
