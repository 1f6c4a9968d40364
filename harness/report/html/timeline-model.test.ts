import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../scenario/history.ts';
import type { ScenarioResult } from '../../scenario/scenario-result.ts';
import { lineTimestampMs, notableLines } from './notable-lines.ts';
import { sampleCharts } from './sample-charts.ts';
import { niceTicks } from './svg-scale.ts';
import { timelineModel } from './timeline-model.ts';

const epoch = Date.parse('2026-11-26T10:00:00.000Z');

function event(
  seq: number,
  atMs: number,
  kind: HistoryEvent['kind'],
  name: string,
  data?: unknown,
): HistoryEvent {
  return { seq, atMs, at: new Date(epoch + atMs).toISOString(), kind, name, data };
}

function result(history: HistoryEvent[], logs: ScenarioResult['logs'] = []): ScenarioResult {
  return {
    scenario: 's',
    description: '',
    status: 'failed',
    startedAt: new Date(epoch).toISOString(),
    durationMs: 0,
    phases: { imagesMs: 0, bringUpMs: 0, runMs: 0, checksMs: 0, teardownMs: 0 },
    images: {},
    checks: [
      {
        name: 'c',
        description: '',
        status: 'fail',
        summary: '',
        durationMs: 0,
        evidenceAtMs: [1_500],
      },
    ],
    history,
    logs,
  };
}

describe('the timeline model', () => {
  it('pairs steps with their ends and faults with their heals, marking failures', () => {
    const model = timelineModel(
      result([
        event(0, 1_000, 'step', 'a'),
        event(1, 2_000, 'step-end', 'a', { ok: true }),
        event(2, 2_000, 'fault', 'f', { description: 'cut the cable' }),
        event(3, 2_500, 'step', 'b'),
        event(4, 3_000, 'step-end', 'b', { ok: false, error: 'timed out' }),
        event(5, 4_000, 'heal', 'f'),
      ]),
    );
    expect(model.steps).toEqual([
      { name: 'a', startMs: 1_000, endMs: 2_000, ok: true, open: false },
      { name: 'b', startMs: 2_500, endMs: 3_000, ok: false, open: false, detail: 'timed out' },
    ]);
    expect(model.faults).toEqual([
      { name: 'f', startMs: 2_000, endMs: 4_000, ok: true, open: false, detail: 'cut the cable' },
    ]);
    expect(model.checks).toEqual([{ name: 'c', status: 'fail', evidenceAtMs: [1_500] }]);
    expect(model.startMs).toBeLessThan(1_000);
    expect(model.endMs).toBeGreaterThan(4_000);
  });

  it('shows a step the schedule stopped in and a fault never healed as open to the end', () => {
    const model = timelineModel(
      result([
        event(0, 1_000, 'fault', 'f'),
        event(1, 1_200, 'step', 'stuck'),
        event(2, 9_000, 'error', 'run', { error: 'boom' }),
      ]),
    );
    expect(model.steps).toEqual([
      { name: 'stuck', startMs: 1_200, endMs: 9_000, ok: false, open: true },
    ]);
    expect(model.faults[0]).toMatchObject({ name: 'f', endMs: 9_000, open: true });
    expect(model.errors).toEqual([{ name: 'run', atMs: 9_000, detail: 'boom' }]);
  });
});

describe('log lines of note', () => {
  it('reads ISO-8601 stamps with an offset, a Z, a space, a comma or none at all', () => {
    expect(lineTimestampMs('2026-11-26T10:00:01.500+00:00 residency: x')).toBe(epoch + 1_500);
    expect(lineTimestampMs('2026-11-26T11:00:02+0100 x')).toBe(epoch + 2_000);
    expect(lineTimestampMs('[2026-11-26 10:00:03,250Z] x')).toBe(epoch + 3_250);
    expect(lineTimestampMs('2026-11-26T10:00:04.123456 x')).toBe(epoch + 4_123);
    expect(lineTimestampMs('Nov 26 10:00:05 kernel: martian source')).toBeUndefined();
  });

  it('finds the manual error strings once each, placed on the run timeline', () => {
    const lines = notableLines(
      result(
        [event(0, 0, 'step', 'a')],
        [
          {
            source: 'vm1 boot 1',
            text: '2026-11-26T10:00:06.000Z GEOGRAPHIC_FENCE_ERROR: x\nfine\n',
          },
          { source: 'vm1 running', text: '2026-11-26T10:00:06.000Z GEOGRAPHIC_FENCE_ERROR: x\n' },
          {
            source: 'rtr',
            text: 'IPv4: martian source 10.0.0.1\nBGP Route Revocation of 10.9.0.0/16\n',
          },
          { source: 'hsm', text: '2026-11-26T10:00:01Z ERR_CRYPTO_DEVICE_NOT_FOUND slot 0\n' },
        ],
      ),
    );
    expect(lines.map((l) => [l.code, l.atMs])).toEqual([
      ['ERR_CRYPTO_DEVICE_NOT_FOUND', 1_000],
      ['GEOGRAPHIC_FENCE_ERROR', 6_000],
      ['Martian Source', undefined],
      ['BGP Route Revocation', undefined],
    ]);
  });
});

describe('sample charts', () => {
  it('groups series by chart and unit and picks lines, strips or bars', () => {
    const sample = (
      seq: number,
      atMs: number,
      series: string,
      value: number | string,
      extra = {},
    ) => event(seq, atMs, 'sample', series, { series, value, chart: series, ...extra });
    const charts = sampleCharts([
      sample(0, 100, 'a', 20, { chart: 'temps', unit: 'C', band: { low: 18, high: 27 } }),
      sample(1, 200, 'b', 21, { chart: 'temps', unit: 'C' }),
      sample(2, 300, 'a', 22, { chart: 'temps', unit: 'C' }),
      sample(3, 300, 'a-fahrenheit', 72, { chart: 'temps', unit: 'F' }),
      sample(4, 400, 'ups', 'OL'),
      sample(5, 500, 'wipe', 850, { chart: 'wipe', unit: 'ms' }),
    ]);
    expect(charts.map((c) => [c.title, c.unit, c.kind, c.series.map((s) => s.series)])).toEqual([
      ['temps', 'C', 'line', ['a', 'b']],
      ['temps', 'F', 'bars', ['a-fahrenheit']],
      ['ups', undefined, 'state', ['ups']],
      ['wipe', 'ms', 'bars', ['wipe']],
    ]);
    expect(charts[0]?.band).toEqual({ low: 18, high: 27 });
  });

  it('puts axis ticks on round values', () => {
    expect(niceTicks(0, 37.2, 5)).toEqual([0, 10, 20, 30]);
    expect(niceTicks(17.5, 28.3, 5)).toEqual([20, 25]);
    expect(niceTicks(0.2, 0.93, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
  });
});
