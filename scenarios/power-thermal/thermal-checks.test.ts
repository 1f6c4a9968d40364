import { describe, expect, it } from 'vitest';
import { runChecks } from '../../harness/checks/check.ts';
import type { CapabilityReport } from '../../harness/runtime/capabilities.ts';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { thermalAlarmBound } from './thermal-bounds.ts';
import {
  alarmAbove27,
  alarmBelow18,
  alarmClearedUnder27,
  type CrossingObservation,
  readingsAgreeWithModel,
  type TracedCrossing,
} from './thermal-checks.ts';
import type { CheckedRead } from './thermal-evidence.ts';

/** A history with one crossing of the thermal model and the stack's residency log. */
function crossingHistory(
  crossing: CrossingObservation,
  log: { atMs: number; text: string }[],
): History {
  const h = new History();
  h.record('observation', 'thermal-crossing', crossing);
  h.record('observation', 'residency-log', { lines: log });
  return h;
}

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

describe('the alarm checks on a recorded trace', () => {
  const start = 2_000_000;
  const crossedAt = start + 4_500;
  const above = alarmAbove27(thermalAlarmBound);
  const below = alarmBelow18(thermalAlarmBound);
  const played = (crossing?: TracedCrossing['crossing']): TracedCrossing => ({
    startWallMs: start,
    untilWallMs: start + 30_000,
    speedup: 60,
    readings: 61,
    extremeC: crossing === undefined ? 26.4 : 30.2,
    ...(crossing === undefined ? {} : { crossing }),
  });
  const runChecksOn = (h: History) =>
    runChecks([above], h, { entries: [] } as unknown as CapabilityReport);
  /** The schedule's crossings (the model's, if it crossed; the trace's) and the stack's log. */
  function history(
    trace: TracedCrossing | undefined,
    log: { atMs: number; text: string }[],
    modelCrossedAtMs?: number,
  ): History {
    return crossingHistory(
      {
        phase: 'above-27',
        sensor: 'inlet',
        thresholdC: 27,
        direction: 'rising',
        change: { modelS: 300, wallMs: start - 5_000 },
        crossingModelS: modelCrossedAtMs === undefined ? undefined : 400,
        crossingWallMs: modelCrossedAtMs,
        speedup: 30,
        ...(trace === undefined ? {} : { trace }),
      },
      log,
    );
  }
  const high = (atMs: number) => ({
    atMs,
    text: `${new Date(atMs).toISOString()} THERMAL_ALARM sensor=inlet reading=27.1 range=18-27 side=high`,
  });
  const crossing = {
    wallMs: crossedAt,
    celsius: 27.3,
    recordedS: 270,
    previousWallMs: crossedAt - 500,
  };

  it('passes an alarm within the bound of the trace’s first reading above 27 C, and says so', async () => {
    const verdict = await above.verify(history(played(crossing), [high(crossedAt + 700)]));
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toBe(
      `alarm raised 700 ms (42 recorded s) after the recorded trace's inlet crossed 27 C at ${new Date(crossedAt).toISOString()}`,
    );
    expect(verdict.evidence?.[0]?.source).toMatch(/recorded BMC trace/);
  });

  it('fails a stack that never alarms, or alarms late, on the recorded crossing', async () => {
    const none = await above.verify(history(played(crossing), []));
    expect(none.status).toBe('fail');
    expect(none.summary).toMatch(/^no high alarm after the recorded trace's inlet crossed 27 C/);
    const late = await above.verify(history(played(crossing), [high(crossedAt + 2_500)]));
    expect(late.status).toBe('fail');
    expect(late.summary).toMatch(/2500 ms .* beyond 2000 ms$/);
  });

  it('takes an alarm from the reading before the crossing on (the BMC ramps between them), not sooner', async () => {
    // Sparse readings: the one before came 3 s earlier, and the sensor passed 27 C in between.
    const sparse = { ...crossing, previousWallMs: crossedAt - 3_000 };
    expect((await above.verify(history(played(sparse), [high(crossedAt - 2_000)]))).status).toBe(
      'pass',
    );
    expect((await above.verify(history(played(sparse), [high(crossedAt - 3_500)]))).status).toBe(
      'fail',
    );
    // Dense readings: no earlier than the sensors' tolerance of 1 s.
    expect((await above.verify(history(played(crossing), [high(crossedAt - 1_500)]))).status).toBe(
      'fail',
    );
  });

  it('is unknown, never a pass, when the trace never crosses or no trace played', async () => {
    const statuses = async (h: History) => (await checkStatuses([above], h))['alarm-above-27'];
    expect(await statuses(history(played(undefined), [high(crossedAt)]))).toBe('unknown');
    const [result] = await runChecksOn(history(played(undefined), [high(crossedAt)]));
    expect(result?.summary).toMatch(
      /the recorded trace's inlet never rose above it .*61 reading\(s\), highest 26.4 C\): no crossing to judge the alarm by/,
    );
    expect(await statuses(history(undefined, [high(crossedAt)]))).toBe('unknown');
    expect(await statuses(history({ ...played(undefined), readings: 0 }, [high(crossedAt)]))).toBe(
      'unknown',
    );
  });

  it('judges the model’s crossing when the model crossed', async () => {
    const modelAt = start + 20_000;
    // An alarm on time for the trace's crossing is 15.3 s early for the model's.
    const verdict = await above.verify(history(played(crossing), [high(crossedAt + 700)], modelAt));
    expect(verdict.status).toBe('fail');
    expect(verdict.summary).toMatch(/before the model's inlet passed 27 C$/);
    const onModel = await above.verify(history(undefined, [high(modelAt + 500)], modelAt));
    expect(onModel.summary).toBe(
      "alarm raised 500 ms (15 model s) after the model's inlet passed 27 C",
    );
  });

  it('reads its own phase: alarm-below-18 judges the fall under 18 C', async () => {
    const h = new History();
    const fellAt = start + 19_500;
    h.record('observation', 'thermal-crossing', {
      phase: 'below-18',
      sensor: 'inlet',
      thresholdC: 18,
      direction: 'falling',
      change: { modelS: 300, wallMs: start - 5_000 },
      speedup: 30,
      trace: played({
        wallMs: fellAt,
        celsius: 17.8,
        recordedS: 1170,
        previousWallMs: fellAt - 500,
      }),
    } satisfies CrossingObservation);
    const low = `${new Date(fellAt + 900).toISOString()} THERMAL_ALARM sensor=inlet reading=17.9 range=18-27 side=low`;
    h.record('observation', 'residency-log', {
      lines: [high(crossedAt + 700), { atMs: fellAt + 900, text: low }],
    });
    const verdict = await below.verify(h);
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toContain("after the recorded trace's inlet fell under 18 C at");
  });
});

describe('readings agree with a recorded trace for the sensors it drove', () => {
  const check = readingsAgreeWithModel('agree', 'reads equal the model', 1);
  /** A read while the trace drove the inlet at 28.0-28.3 C (published millidegrees). */
  function read(protocol: 'ipmi' | 'snmp', inlet: number, traced: boolean): CheckedRead {
    const window = { min: 28_000, max: 28_300 };
    return {
      protocol,
      startedAtMs: 0,
      finishedAtMs: 50,
      ok: true,
      readings: { inlet, cpu: 61, exhaust: 30 },
      command: `${protocol} read`,
      output: '',
      expected: {
        inlet: window,
        cpu: { min: 61_000, max: 61_000 },
        exhaust: { min: 30_000, max: 30_000 },
      },
      ...(traced ? { traced: ['inlet' as const] } : {}),
    };
  }
  const verify = (reads: CheckedRead[]) => {
    const h = new History();
    for (const r of reads) h.record('observation', 'bmc-read', r);
    return check.verify(h);
  };

  it('passes reads of the trace’s values and says the trace drove them', async () => {
    const verdict = await verify([read('ipmi', 28, true), read('snmp', 28.2, true)]);
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toBe(
      "2 reads (1 IPMI, 1 SNMP) all equal the model's values, and inlet the recorded trace's values while it drove them (2 reads)",
    );
  });

  it('fails a read away from what the trace played, naming the trace', async () => {
    const verdict = await verify([read('ipmi', 28, true), read('snmp', 25.1, true)]);
    expect(verdict.status).toBe('fail');
    expect(verdict.observed).toMatch(
      /snmp inlet 25.1 C at .*, the recorded trace played 28.00..28.30 C/,
    );
  });
});

describe('the alarm clear check', () => {
  const cleared = alarmClearedUnder27(thermalAlarmBound);
  const changeAt = 3_000_000;
  const crossedAt = changeAt + 300;
  /** The model's inlet falling back under 27 C after an overcooling change, and the stack's log. */
  function history(log: { atMs: number; text: string }[]): History {
    return crossingHistory(
      {
        phase: 'back-under-27',
        sensor: 'inlet',
        thresholdC: 27,
        direction: 'falling',
        change: { modelS: 500, wallMs: changeAt },
        crossingModelS: 509,
        crossingWallMs: crossedAt,
        speedup: 30,
      },
      log,
    );
  }
  const line = (atMs: number, text: string) => ({
    atMs,
    text: `${new Date(atMs).toISOString()} ${text}`,
  });
  const clear = (atMs: number) =>
    line(atMs, 'THERMAL_ALARM_CLEARED sensor=inlet reading=26.9 range=18-27');

  const alarm = line(
    crossedAt - 5_000,
    'THERMAL_ALARM sensor=inlet reading=27.1 range=18-27 side=high',
  );

  it('passes a clear within the bound of the model falling back under 27 C', async () => {
    const verdict = await cleared.verify(history([alarm, clear(crossedAt + 600)]));
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toBe(
      "alarm cleared 600 ms (18 model s) after the model's inlet fell under 27 C",
    );
  });

  it('fails an alarm that is never cleared, though the stack goes on alarming, or a late clear', async () => {
    const latched = await cleared.verify(
      history([
        alarm,
        line(crossedAt + 9_000, 'THERMAL_ALARM sensor=inlet reading=17.9 range=18-27 side=low'),
      ]),
    );
    expect(latched.status).toBe('fail');
    expect(latched.summary).toBe("no alarm clear after the model's inlet fell under 27 C");
    const late = await cleared.verify(history([alarm, clear(crossedAt + 2_600)]));
    expect(late.status).toBe('fail');
    expect(late.summary).toMatch(/^alarm cleared 2600 ms .* beyond 2000 ms$/);
  });

  it('does not take a clear of another sensor, or one from before the change', async () => {
    const other = line(
      crossedAt + 500,
      'THERMAL_ALARM_CLEARED sensor=exhaust reading=26.9 range=18-27',
    );
    expect((await cleared.verify(history([alarm, other]))).status).toBe('fail');
    expect((await cleared.verify(history([alarm, clear(changeAt - 5_000)]))).status).toBe('fail');
  });

  it('is unknown, not failed, when no high alarm stood to be cleared', async () => {
    const verdict = await cleared.verify(history([clear(crossedAt + 600)]));
    expect(verdict.status).toBe('unknown');
    expect(verdict.summary).toMatch(/^no high alarm stood before .*nothing to clear/);
  });
});
