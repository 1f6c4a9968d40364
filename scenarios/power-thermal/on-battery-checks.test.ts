import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { servesOnBattery } from './on-battery-checks.ts';
import type { PowerTimeline } from './power-checks.ts';
import type { AvailabilityProbe, ReadProbe } from './store-availability.ts';

const loss = 1_000_000;
const fsd = loss + 4_000;

/** Probes every 500 ms around the outage; refused from `stopsAtMs` on. */
function probes(stopsAtMs: number | undefined): AvailabilityProbe[] {
  const out: AvailabilityProbe[] = [];
  for (let at = loss - 2_000; at <= fsd + 4_000; at += 500) {
    const connected = stopsAtMs === undefined || at < stopsAtMs;
    out.push({
      startedAtMs: at,
      finishedAtMs: at + 5,
      connected,
      detail: connected ? 'ok' : 'refused',
    });
  }
  return out;
}

/** Reads of the earlier record every second around the outage; answered 503 from `failsAtMs` on. */
function reads(failsAtMs: number | undefined): ReadProbe[] {
  const out: ReadProbe[] = [];
  for (let at = loss - 2_000; at <= fsd + 4_000; at += 1_000) {
    const served = failsAtMs === undefined || at < failsAtMs;
    out.push({
      startedAtMs: at,
      finishedAtMs: at + 40,
      status: served ? 200 : 503,
      served,
      detail: served ? '200' : '503 {"error": "KEYS_WIPED"}',
    });
  }
  return out;
}

function history(
  storeProbes: AvailabilityProbe[],
  criticalAtMs = fsd,
  storeReads: ReadProbe[] = reads(undefined),
): History {
  const h = new History();
  const timeline: PowerTimeline = {
    lossWallMs: loss,
    lowBatteryWallMs: criticalAtMs,
    lowBatterySource: 'test',
    criticalStatus: 'FSD',
    exhaustedWallMs: loss + 15_000,
  };
  h.record('observation', 'power-timeline', timeline);
  h.record('observation', 'store-availability', { probes: storeProbes, reads: storeReads });
  return h;
}

describe('serves-on-battery', () => {
  const check = servesOnBattery('on-battery', 1_000);
  const status = async (h: History) => (await checkStatuses([check], h))['on-battery'];

  it('passes when the store answers until a poll before FSD, whatever it does after', async () => {
    const verdict = await check.verify(history(probes(fsd - 400)));
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toBe(
      'the store answered all 6 probes and served the record to all 3 reads on battery, until 3000 ms after the mains failed',
    );
  });

  it('fails a store that keeps its port open and answers with an error on battery', async () => {
    const verdict = await check.verify(history(probes(undefined), fsd, reads(loss + 800)));
    expect(verdict.status).toBe('fail');
    expect(verdict.summary).toBe(
      'the store stopped serving the record on battery, 1000 ms after the mains failed, before upsd reported FSD',
    );
    expect(verdict.observed).toBe('6 of 6 connects answered; 1 of 3 reads served the record');
  });

  it('fails a stack that stops on battery alone', async () => {
    const verdict = await check.verify(history(probes(loss + 1_200)));
    expect(verdict.status).toBe('fail');
    expect(verdict.summary).toBe(
      'the store stopped answering on battery, 1500 ms after the mains failed, before upsd reported FSD',
    );
  });

  it('is unknown when too few probes fall on battery, or the evidence is missing', async () => {
    expect(await status(history(probes(undefined), loss + 2_000))).toBe('unknown');
    expect(await status(new History())).toBe('unknown');
    expect(await status(history(probes(undefined), fsd, []))).toBe('unknown');
  });
});
