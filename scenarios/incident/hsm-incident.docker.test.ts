import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../../harness/engine/engine-locator.ts';
import {
  namespacedEngine,
  nothingLeft,
  resourcesIn,
} from '../../harness/testing/docker-test-kit.ts';
import { exampleIncident, runIncidentFile } from './incident-test-kit.ts';

const example = exampleIncident('hsm-cut-under-load.yaml');

describe('an HSM incident file, run end to end', () => {
  const { engine: engineNow, namespace } = namespacedEngine();
  let engine: EngineEndpoint;

  beforeAll(() => {
    engine = engineNow();
  });

  it('passes the built-in HSM checks against the reference stack, its cuts in the history', async () => {
    const env = { SOVH_NAMESPACE: namespace('hsm-incident') };
    const { scenario } = await runIncidentFile(example, env.SOVH_NAMESPACE);
    expect(scenario?.scenario).toBe('hsm-cut-under-load');
    expect(
      scenario?.checks.map((c) => [c.name, c.status]),
      JSON.stringify(scenario?.checks, null, 1),
    ).toEqual([
      ['writes-refused-within-bound', 'pass'],
      ['reads-refused-within-bound', 'pass'],
      ['nothing-stored-during-cut', 'pass'],
      ['device-not-found-logged', 'pass'],
      ['recovers-without-restart', 'pass'],
    ]);
    const kinds = scenario?.history
      .filter((e) => e.kind === 'fault' || e.kind === 'heal')
      .map((e) => e.kind);
    expect(kinds).toEqual(['fault', 'heal', 'fault', 'heal']);
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });

  it('fails writes-refused-within-bound against the mutant that falls back to a software key', async () => {
    const env = { SOVH_NAMESPACE: namespace('hsm-incident-mutant') };
    const { scenario } = await runIncidentFile(
      example,
      env.SOVH_NAMESPACE,
      'software-key-fallback',
    );
    expect(scenario?.mutant).toMatchObject({ caught: true, verdict: 'caught' });
    const status = scenario?.checks.find((c) => c.name === 'writes-refused-within-bound')?.status;
    expect(status, JSON.stringify(scenario?.checks, null, 1)).toBe('fail');
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });
});
