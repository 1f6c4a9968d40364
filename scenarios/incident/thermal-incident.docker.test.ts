import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../../harness/engine/engine-locator.ts';
import {
  namespacedEngine,
  nothingLeft,
  resourcesIn,
} from '../../harness/testing/docker-test-kit.ts';
import type { CrossingObservation } from '../power-thermal/thermal-checks.ts';
import { exampleIncident, runIncidentFile } from './incident-test-kit.ts';

/** thermal-excursion's world, its inlet from a room's recorded BMC readings. */
const example = exampleIncident('recorded-thermal-excursion.yaml');
/** cooling-failure's world, its CPU from a machine's recorded BMC readings past its limits. */
const overheat = exampleIncident('recorded-cpu-overheat.yaml');

describe('a recorded thermal excursion, run end to end', () => {
  const { engine: engineNow, namespace } = namespacedEngine();
  let engine: EngineEndpoint;

  beforeAll(() => {
    engine = engineNow();
  });

  it('judges the thermal alarms on the recorded trace’s crossings: the reference passes', async () => {
    const env = { SOVH_NAMESPACE: namespace('thermal-incident') };
    const { scenario } = await runIncidentFile(example, env.SOVH_NAMESPACE);
    expect(scenario?.scenario).toBe('recorded-thermal-excursion');
    const checks = JSON.stringify(scenario?.checks, null, 1);
    expect(
      scenario?.checks.map((c) => [c.name, c.status]),
      checks,
    ).toEqual([
      ['alarm-above-27', 'pass'],
      ['alarm-below-18', 'pass'],
      ['ipmi-snmp-agree-with-model', 'pass'],
      ['readings-pulled-by-host', 'pass'],
    ]);
    const summary = (name: string) => scenario?.checks.find((c) => c.name === name)?.summary;
    expect(summary('alarm-above-27'), checks).toMatch(
      /after the recorded trace's inlet crossed 27 C at /,
    );
    expect(summary('alarm-below-18'), checks).toMatch(
      /after the recorded trace's inlet fell under 18 C at /,
    );
    expect(summary('ipmi-snmp-agree-with-model'), checks).toMatch(
      /inlet and cpu the recorded trace's values while it drove them/,
    );
    expect(scenario?.history.filter((e) => e.kind === 'fault').map((e) => e.data)).toEqual([
      expect.objectContaining({ type: 'bmc-trace' }),
    ]);
    // The model did not cross; the trace did, at its readings of 14:04:30 and 14:19:30 (4.5 s and
    // 19.5 s after its start at 60x).
    const crossings = scenario?.history
      .filter((e) => e.kind === 'observation' && e.name === 'thermal-crossing')
      .map((e) => e.data as CrossingObservation);
    expect(crossings?.map((c) => [c.phase, c.crossingWallMs])).toEqual([
      ['above-27', undefined],
      ['below-18', undefined],
    ]);
    const afterStart = crossings?.map((c) =>
      c.trace?.crossing === undefined ? undefined : c.trace.crossing.wallMs - c.trace.startWallMs,
    );
    expect(afterStart?.[0]).toBeCloseTo(4_500, -1);
    expect(afterStart?.[1]).toBeCloseTo(19_500, -1);
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });

  it('fails alarm-above-27 on the recorded thermal excursion against the mutant that ignores the upper bound', async () => {
    const env = { SOVH_NAMESPACE: namespace('thermal-incident-mutant') };
    // Exit 0: the mutant was caught (its expected check failed).
    const { scenario } = await runIncidentFile(
      example,
      env.SOVH_NAMESPACE,
      'watcher-ignores-upper-bound',
    );
    expect(scenario?.mutant).toMatchObject({ caught: true, verdict: 'caught' });
    const checks = JSON.stringify(scenario?.checks, null, 1);
    const check = (name: string) => scenario?.checks.find((c) => c.name === name);
    expect(check('alarm-above-27')?.status, checks).toBe('fail');
    expect(check('alarm-above-27')?.summary, checks).toMatch(
      /^no high alarm after the recorded trace's inlet crossed 27 C at /,
    );
    // The lower bound still holds: the trace's fall under 18 C is judged, and the alarm comes.
    expect(check('alarm-below-18')?.status, checks).toBe('pass');
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });
});

describe('a recorded CPU overheat, run end to end', () => {
  const { engine: engineNow, namespace } = namespacedEngine();
  let engine: EngineEndpoint;

  beforeAll(() => {
    engine = engineNow();
  });

  it('judges the critical action on the recorded trace’s readings at 80 C and 95 C: the reference passes', async () => {
    const env = { SOVH_NAMESPACE: namespace('overheat-incident') };
    const { scenario } = await runIncidentFile(overheat, env.SOVH_NAMESPACE);
    expect(scenario?.scenario).toBe('recorded-cpu-overheat');
    const checks = JSON.stringify(scenario?.checks, null, 1);
    expect(
      scenario?.checks.map((c) => [c.name, c.status]),
      checks,
    ).toEqual([
      ['critical-action-at-configured-limit', 'pass'],
      ['critical-action-in-time', 'pass'],
    ]);
    const summary = (name: string) => scenario?.checks.find((c) => c.name === name)?.summary;
    expect(summary('critical-action-at-configured-limit'), checks).toMatch(
      /after the recorded trace's cpu reached the configured 80 C at /,
    );
    expect(summary('critical-action-in-time'), checks).toMatch(
      /before the recorded trace's cpu reached its critical 95 C at /,
    );
    // The model did not cross; the trace did, at its readings of 210 s and 690 s (5.25 s and
    // 17.25 s after its start at 40x).
    const crossings = scenario?.history
      .filter((e) => e.kind === 'observation' && e.name === 'thermal-crossing')
      .map((e) => e.data as CrossingObservation);
    expect(crossings?.map((c) => [c.phase, c.thresholdC, c.crossingWallMs])).toEqual([
      ['configured-critical', 80, undefined],
      ['hardware-critical', 95, undefined],
    ]);
    const afterStart = crossings?.map((c) =>
      c.trace?.crossing === undefined ? undefined : c.trace.crossing.wallMs - c.trace.startWallMs,
    );
    expect(afterStart?.[0]).toBeCloseTo(5_250, -1);
    expect(afterStart?.[1]).toBeCloseTo(17_250, -1);
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });

  it('fails both critical checks on the recorded overheat against the mutant that takes no critical action', async () => {
    const env = { SOVH_NAMESPACE: namespace('overheat-incident-mutant') };
    // Exit 0: the mutant was caught (its expected checks failed).
    const { scenario } = await runIncidentFile(overheat, env.SOVH_NAMESPACE, 'no-critical-action');
    expect(scenario?.mutant).toMatchObject({ caught: true, verdict: 'caught' });
    const checks = JSON.stringify(scenario?.checks, null, 1);
    const check = (name: string) => scenario?.checks.find((c) => c.name === name);
    expect(check('critical-action-at-configured-limit')?.status, checks).toBe('fail');
    expect(check('critical-action-at-configured-limit')?.summary, checks).toBe(
      'the store was still serving at the end of the run',
    );
    expect(check('critical-action-in-time')?.status, checks).toBe('fail');
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });
});
