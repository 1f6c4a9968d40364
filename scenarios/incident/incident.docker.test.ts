import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../../harness/engine/engine-locator.ts';
import {
  namespacedEngine,
  nothingLeft,
  resourcesIn,
} from '../../harness/testing/docker-test-kit.ts';
import { exampleIncident, runIncidentFile } from './incident-test-kit.ts';

const example = exampleIncident('mains-failure-under-load.yaml');
/** The same world's outage from a site's own UPS log: LB comes from the trace. */
const recordedOutage = exampleIncident('recorded-ups-outage.yaml');

describe('an incident file, run end to end', () => {
  const { engine: engineNow, namespace } = namespacedEngine();
  let engine: EngineEndpoint;

  beforeAll(() => {
    engine = engineNow();
  });

  it('passes the built-in key-wipe checks against the reference stack, its faults in the history', async () => {
    const env = { SOVH_NAMESPACE: namespace('incident') };
    const { scenario, reportDir } = await runIncidentFile(example, env.SOVH_NAMESPACE);
    expect(scenario?.scenario).toBe('mains-failure-under-load');
    expect(
      scenario?.checks.map((c) => [c.name, c.status]),
      JSON.stringify(scenario?.checks, null, 1),
    ).toEqual([
      ['keys-gone-from-memory', 'pass'],
      ['no-key-on-filesystems', 'pass'],
      ['sovereign-services-stopped', 'pass'],
      ['wipe-before-thermal-critical', 'pass'],
    ]);
    // Applied through the registry, as `sovh inject` applies them: kind and parameters recorded.
    const faults = scenario?.history.filter((e) => e.kind === 'fault').map((e) => e.data);
    expect(faults).toEqual([
      expect.objectContaining({ type: 'mains-failure', parameters: { ups: 'ups1' } }),
      expect.objectContaining({ type: 'machine-power-off', parameters: { machine: 'rack1' } }),
    ]);
    const junit = await readFile(join(reportDir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(
      /<testcase classname="mains-failure-under-load" name="keys-gone-from-memory"/,
    );
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });

  it('judges a recorded UPS outage from its trace: the reference passes, its LB timed from upsd', async () => {
    const env = { SOVH_NAMESPACE: namespace('incident-trace') };
    const { scenario } = await runIncidentFile(recordedOutage, env.SOVH_NAMESPACE);
    expect(
      scenario?.checks.map((c) => [c.name, c.status]),
      JSON.stringify(scenario?.checks, null, 1),
    ).toEqual([
      ['keys-gone-from-memory', 'pass'],
      ['no-key-on-filesystems', 'pass'],
      ['sovereign-services-stopped', 'pass'],
    ]);
    const faults = scenario?.history.filter((e) => e.kind === 'fault').map((e) => e.data);
    expect(faults).toEqual([
      expect.objectContaining({ type: 'ups-trace' }),
      expect.objectContaining({ type: 'machine-power-off', parameters: { machine: 'rack1' } }),
    ]);
    const timeline = scenario?.history.find(
      (e) => e.kind === 'observation' && e.name === 'power-timeline',
    )?.data as { lossWallMs: number; lowBatteryWallMs: number } | undefined;
    // The trace: on battery 60 s and LB 360 s after its first line, played at 60x.
    expect(timeline, 'the power timeline').toBeDefined();
    const onBatteryToLowMs = (timeline?.lowBatteryWallMs ?? 0) - (timeline?.lossWallMs ?? 0);
    expect(onBatteryToLowMs).toBeGreaterThanOrEqual(5_000);
    expect(onBatteryToLowMs).toBeLessThan(7_000);
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });

  it('fails keys-gone-from-memory against the mutant whose shutdown leaves the keys in memory, on the recorded outage', async () => {
    const env = { SOVH_NAMESPACE: namespace('incident-mutant') };
    // Exit 0: the mutant was caught (its expected checks failed).
    const { scenario } = await runIncidentFile(
      recordedOutage,
      env.SOVH_NAMESPACE,
      'wipe-deletes-files-only',
    );
    expect(scenario?.mutant).toMatchObject({ caught: true, verdict: 'caught' });
    const status = (name: string) => scenario?.checks.find((c) => c.name === name)?.status;
    expect(status('keys-gone-from-memory'), JSON.stringify(scenario?.checks, null, 1)).toBe('fail');
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });
});
