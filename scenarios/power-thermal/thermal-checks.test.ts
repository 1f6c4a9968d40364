import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { boundsInForce } from '../../harness/scenario/scenario-bounds.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import type { AvailabilityProbe } from './store-availability.ts';
import { criticalActionBound } from './thermal-bounds.ts';
import {
  configuredCriticalPhase,
  criticalActionAtConfiguredLimit,
  type CrossingObservation,
  readingsAgreeWithModel,
} from './thermal-checks.ts';
import type { CheckedRead } from './thermal-evidence.ts';

const change = 1_000_000;
const crossing = change + 14_600;

/** Store probes every 500 ms from the cooling failure; refused from `stopsAtMs` on. */
function probes(stopsAtMs: number | undefined, untilMs = crossing + 20_000): AvailabilityProbe[] {
  const out: AvailabilityProbe[] = [];
  for (let at = change; at <= untilMs; at += 500) {
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

function history(
  storeProbes: AvailabilityProbe[] | undefined,
  crossed: { atMs?: number } = { atMs: crossing },
): History {
  const crossingWallMs = crossed.atMs;
  const h = new History();
  const observed: CrossingObservation = {
    phase: configuredCriticalPhase,
    sensor: 'cpu',
    thresholdC: 85,
    direction: 'rising',
    change: { modelS: 0, wallMs: change },
    crossingModelS: crossingWallMs === undefined ? undefined : 219,
    crossingWallMs,
    speedup: 15,
  };
  h.record('observation', 'thermal-crossing', observed);
  if (storeProbes !== undefined)
    h.record('observation', 'store-availability', { probes: storeProbes });
  return h;
}

describe('critical-action-at-configured-limit', () => {
  const check = criticalActionAtConfiguredLimit('at-limit', criticalActionBound);
  const status = async (h: History) => (await checkStatuses([check], h))['at-limit'];

  it('passes when the store stops within the bound of the configured limit', async () => {
    const verdict = await check.verify(history(probes(crossing + 1_200)));
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toBe(
      'the store stopped 1405 ms (21 model s) after cpu reached the configured 85 C',
    );
  });

  it('fails a stack that acts seconds later, even well before the hardware trip', async () => {
    const verdict = await check.verify(history(probes(crossing + 5_000)));
    expect(verdict.status).toBe('fail');
    expect(verdict.summary).toMatch(/stopped only 5405 ms .* beyond 3000 ms$/);
  });

  it('fails a stack that never stops', async () => {
    expect(await status(history(probes(undefined)))).toBe('fail');
  });

  it('holds a stack to its own tighter bound', async () => {
    const h = history(probes(crossing + 1_200));
    h.record('observation', boundsInForce.name, { [criticalActionBound.name]: 1_000 });
    expect(await status(h)).toBe('fail');
  });

  it('is unknown when the store was never seen serving after the cooling failed', async () => {
    expect(await status(history(probes(change)))).toBe('unknown');
  });

  it('is unknown when the model never reached the limit or the probes are missing', async () => {
    expect(await status(history(probes(crossing + 1_200), {}))).toBe('unknown');
    expect(await status(history(undefined))).toBe('unknown');
    expect(await status(new History())).toBe('unknown');
  });
});

describe('readings agree with the model', () => {
  const check = readingsAgreeWithModel('agree', 'reads equal the model', 2);
  const window = { min: 24_000, max: 24_400 };
  const expected = { inlet: window, cpu: { min: 61_000, max: 61_000 }, exhaust: window };
  /** A read of the BMC: `inlet` in C as the protocol reported it, the other sensors on the model. */
  function read(protocol: 'ipmi' | 'snmp', inlet: number, at: number): CheckedRead {
    return {
      protocol,
      startedAtMs: at,
      finishedAtMs: at + 50,
      ok: true,
      readings: { inlet, cpu: 61, exhaust: protocol === 'ipmi' ? 24 : 24.2 },
      command: `${protocol} read`,
      output: '',
      expected,
    };
  }
  function history(reads: CheckedRead[]): History {
    const h = new History();
    for (const r of reads) h.record('observation', 'bmc-read', r);
    return h;
  }
  const status = async (reads: CheckedRead[]) =>
    (await checkStatuses([check], history(reads)))['agree'];

  it('passes reads within the published window at each protocol’s resolution', async () => {
    const reads = [read('ipmi', 24, 0), read('ipmi', 24.5, 1), read('snmp', 24.1, 2)];
    expect(await status([...reads, read('snmp', 24.4, 3)])).toBe('pass');
  });

  it('fails a BMC whose reading leaves the model’s window, or whose read failed', async () => {
    const good = [read('ipmi', 24, 0), read('snmp', 24.1, 1), read('snmp', 24.2, 2)];
    expect(await status([...good, read('ipmi', 25.5, 3)])).toBe('fail');
    expect(await status([...good, { ...read('ipmi', 24, 3), ok: false }])).toBe('fail');
  });

  it('is unknown with fewer reads of a protocol than it needs', async () => {
    expect(await status([read('ipmi', 24, 0), read('ipmi', 24, 1), read('snmp', 24.1, 2)])).toBe(
      'unknown',
    );
  });
});
