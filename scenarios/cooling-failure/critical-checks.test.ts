import { describe, expect, it } from 'vitest';
import { runChecks } from '../../harness/checks/check.ts';
import type { CapabilityReport } from '../../harness/runtime/capabilities.ts';
import { History } from '../../harness/scenario/history.ts';
import { boundsInForce } from '../../harness/scenario/scenario-bounds.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import type { AvailabilityProbe } from '../power-thermal/store-availability.ts';
import { criticalActionBound } from '../power-thermal/thermal-bounds.ts';
import type { CrossingObservation, TracedCrossing } from '../power-thermal/thermal-checks.ts';
import {
  configuredCriticalPhase,
  criticalActionAtConfiguredLimit,
  criticalActionInTime,
  hardwareCriticalPhase,
} from './critical-checks.ts';

const change = 1_000_000;
const crossing = change + 14_600;
const tripAt = crossing + 8_000;

/** Store probes every 500 ms from the change; refused from `stopsAtMs` on. */
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

/** A crossing of the CPU: the model's at `modelAtMs` if it crossed, and a played trace's. */
function cpuCrossing(
  phase: string,
  thresholdC: number,
  modelAtMs: number | undefined,
  trace?: TracedCrossing,
): CrossingObservation {
  return {
    phase,
    sensor: 'cpu',
    thresholdC,
    direction: 'rising',
    change: { modelS: 0, wallMs: change },
    crossingModelS: modelAtMs === undefined ? undefined : 219,
    crossingWallMs: modelAtMs,
    speedup: 15,
    ...(trace === undefined ? {} : { trace }),
  };
}

function history(
  storeProbes: AvailabilityProbe[] | undefined,
  crossings: { configured?: CrossingObservation; hardware?: CrossingObservation } = {
    configured: cpuCrossing(configuredCriticalPhase, 85, crossing),
  },
): History {
  const h = new History();
  for (const c of [crossings.configured, crossings.hardware])
    if (c !== undefined) h.record('observation', 'thermal-crossing', c);
  if (storeProbes !== undefined)
    h.record('observation', 'store-availability', { probes: storeProbes });
  h.record('observation', 'residency-log', { lines: [] });
  return h;
}

describe('critical-action-at-configured-limit on the model', () => {
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
    const never = { configured: cpuCrossing(configuredCriticalPhase, 85, undefined) };
    expect(await status(history(probes(crossing + 1_200), never))).toBe('unknown');
    expect(await status(history(undefined))).toBe('unknown');
    expect(await status(new History())).toBe('unknown');
  });
});

describe('the critical checks on a recorded trace', () => {
  const start = change + 5_000;
  const tracedAt = start + 6_000;
  const atLimit = criticalActionAtConfiguredLimit('at-limit', criticalActionBound);
  const inTime = criticalActionInTime('in-time', 'stops before the critical temperature');
  /** The trace as played: its first CPU reading at or above the threshold, if one was. */
  const played = (reading?: TracedCrossing['crossing']): TracedCrossing => ({
    startWallMs: start,
    untilWallMs: start + 12_000,
    speedup: 60,
    readings: 24,
    extremeC: reading === undefined ? 84.6 : 96.5,
    ...(reading === undefined ? {} : { crossing: reading }),
  });
  const reading = (wallMs: number, celsius: number, recordedS: number) => ({
    wallMs,
    celsius,
    recordedS,
    previousWallMs: wallMs - 500,
  });
  const configured = (trace: TracedCrossing | undefined, modelAtMs?: number) =>
    cpuCrossing(configuredCriticalPhase, 85, modelAtMs, trace);
  const hardware = (trace: TracedCrossing | undefined, modelAtMs?: number) =>
    cpuCrossing(hardwareCriticalPhase, 95, modelAtMs, trace);
  const traced = {
    configured: configured(played(reading(tracedAt, 85.3, 360))),
    hardware: hardware(played(reading(tracedAt + 4_500, 95, 630))),
  };

  it('takes the crossing from the trace’s first reading at or above the limit, and says so', async () => {
    const verdict = await atLimit.verify(history(probes(tracedAt + 1_200), traced));
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toBe(
      `the store stopped 1505 ms (90 recorded s) after the recorded trace's cpu reached the configured 85 C at ${new Date(tracedAt).toISOString()}`,
    );
    expect(verdict.evidence?.[0]?.source).toMatch(/recorded BMC trace/);
    const before = await inTime.verify(history(probes(tracedAt + 1_200), traced));
    expect(before.status).toBe('pass');
    expect(before.summary).toBe(
      `services stopped 2995 ms before the recorded trace's cpu reached its critical 95 C at ${new Date(tracedAt + 4_500).toISOString()}`,
    );
  });

  it('fails a stack that never acts, or acts late, on the recorded crossing', async () => {
    const never = history(probes(undefined), traced);
    expect((await atLimit.verify(never)).status).toBe('fail');
    expect((await inTime.verify(never)).status).toBe('fail');
    const late = history(probes(tracedAt + 4_000), traced);
    expect((await atLimit.verify(late)).summary).toMatch(
      /^the store stopped only 4005 ms .* after the recorded trace's cpu reached the configured 85 C at .*, beyond 3000 ms$/,
    );
    expect((await inTime.verify(late)).status).toBe('pass');
  });

  it('takes a stop from the reading before the crossing on (the BMC ramps between them), not sooner', async () => {
    const sparse = {
      configured: configured(
        played({ ...reading(tracedAt, 85.3, 360), previousWallMs: tracedAt - 3_000 }),
      ),
    };
    expect((await atLimit.verify(history(probes(tracedAt - 2_500), sparse))).status).toBe('pass');
    const early = await atLimit.verify(history(probes(tracedAt - 4_000), sparse));
    expect(early.status).toBe('fail');
    expect(early.summary).toMatch(/^the store stopped 3995 ms before the recorded trace's cpu/);
  });

  it('is unknown, never a pass, when the trace never reaches the limit or no trace played', async () => {
    const short = {
      configured: configured(played(undefined)),
      hardware: hardware(played(undefined)),
    };
    const h = history(probes(tracedAt + 1_200), short);
    expect(await checkStatuses([atLimit, inTime], h)).toEqual({
      'at-limit': 'unknown',
      'in-time': 'unknown',
    });
    const [result] = await runChecks([atLimit], h, { entries: [] } as unknown as CapabilityReport);
    expect(result?.summary).toMatch(
      /the recorded trace's cpu never did .*24 reading\(s\), highest 84.6 C\): no crossing to judge the critical action by/,
    );
    const none = { configured: configured(undefined), hardware: hardware(undefined) };
    expect(await checkStatuses([atLimit, inTime], history(probes(tracedAt), none))).toEqual({
      'at-limit': 'unknown',
      'in-time': 'unknown',
    });
  });

  it('prefers the model’s crossing when the model crossed', async () => {
    const modelAt = tracedAt + 10_000;
    const both = {
      configured: configured(traced.configured.trace, modelAt),
      hardware: hardware(traced.hardware.trace, modelAt + 8_000),
    };
    // A stop on time for the trace's crossing is 8.8 s early for the model's.
    const early = await atLimit.verify(history(probes(tracedAt + 1_200), both));
    expect(early.status).toBe('fail');
    expect(early.summary).toMatch(/before cpu reached the configured 85 C$/);
    const onModel = await atLimit.verify(history(probes(modelAt + 1_200, modelAt + 20_000), both));
    expect(onModel.summary).toBe(
      'the store stopped 1505 ms (23 model s) after cpu reached the configured 85 C',
    );
    const inTimeOnModel = await inTime.verify(
      history(probes(modelAt + 1_200, modelAt + 20_000), both),
    );
    expect(inTimeOnModel.summary).toMatch(/before the model's critical temperature$/);
  });

  it('judges the model’s hardware critical temperature as cooling-failure records it', async () => {
    const h = history(probes(crossing + 1_200), { hardware: hardware(undefined, tripAt) });
    const verdict = await inTime.verify(h);
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toBe(
      "services stopped 6595 ms before the model's critical temperature",
    );
  });
});
