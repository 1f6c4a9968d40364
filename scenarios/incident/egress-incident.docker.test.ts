import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../../harness/engine/engine-locator.ts';
import {
  namespacedEngine,
  nothingLeft,
  resourcesIn,
} from '../../harness/testing/docker-test-kit.ts';
import { runCli } from '../../harness/testing/run-cli.ts';

/** egress-default-deny's world, probed after a short schedule by its own checks. */
const incident = `name: egress-after-a-pause
scenario: egress-default-deny
schedule:
  - wait: 1s
checks:
  - domestic-and-sovereign-api-reachable
  - foreign-endpoints-receive-nothing
  - output-policy-drop
`;

/** egress-ipv6's dual-stack world, probed over IPv6 after the same schedule. */
const ipv6Incident = `name: ipv6-egress-after-a-pause
scenario: egress-ipv6
schedule:
  - wait: 1s
checks:
  - domestic-ipv6-reachable
  - foreign-ipv6-receives-nothing
`;

interface Results {
  scenarios: {
    checks: { name: string; status: string }[];
    mutant?: { caught: boolean; verdict: string };
  }[];
}

describe('an incident file judged by the egress checks', () => {
  const { engine: engineNow, namespace } = namespacedEngine();
  let engine: EngineEndpoint;
  let file: string;
  let ipv6File: string;

  beforeAll(async () => {
    engine = engineNow();
    const dir = await mkdtemp(join(tmpdir(), 'sovh-egress-incident-'));
    file = join(dir, 'egress.yaml');
    ipv6File = join(dir, 'egress-ipv6.yaml');
    await writeFile(file, incident);
    await writeFile(ipv6File, ipv6Incident);
  });

  const run = async (extra: string[], name: string, incidentFile = file) => {
    const env = { SOVH_NAMESPACE: namespace(name) };
    const reportDir = await mkdtemp(join(tmpdir(), 'sovh-incident-'));
    const result = await runCli(['run', incidentFile, ...extra, '--report-dir', reportDir], env);
    const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as Results;
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
    return { result, scenario: results.scenarios[0] };
  };

  it('passes against the reference stack', async () => {
    const { result, scenario } = await run([], 'egress-incident');
    expect(result.exitCode, result.all).toBe(0);
    expect(scenario?.checks.map((c) => [c.name, c.status])).toEqual([
      ['domestic-and-sovereign-api-reachable', 'pass'],
      ['foreign-endpoints-receive-nothing', 'pass'],
      ['output-policy-drop', 'pass'],
    ]);
  });

  it('fails foreign-endpoints-receive-nothing against the mutant that lets UDP out', async () => {
    const { result, scenario } = await run(['--mutant', 'udp-egress-open'], 'egress-incident-m');
    expect(result.exitCode, result.all).toBe(0);
    expect(scenario?.mutant).toMatchObject({ caught: true, verdict: 'caught' });
    const status = scenario?.checks.find((c) => c.name === 'foreign-endpoints-receive-nothing');
    expect(status?.status).toBe('fail');
  });

  it('judges IPv6 egress after the schedule: the reference passes, a fence for IPv4 alone fails', async () => {
    const reference = await run([], 'egress-incident-v6', ipv6File);
    expect(reference.result.exitCode, reference.result.all).toBe(0);
    expect(reference.scenario?.checks.map((c) => [c.name, c.status])).toEqual([
      ['domestic-ipv6-reachable', 'pass'],
      ['foreign-ipv6-receives-nothing', 'pass'],
    ]);
    const mutant = await run(['--mutant', 'fence-ipv4-only'], 'egress-incident-v6m', ipv6File);
    expect(mutant.result.exitCode, mutant.result.all).toBe(0);
    expect(mutant.scenario?.mutant).toMatchObject({ caught: true, verdict: 'caught' });
    expect(mutant.scenario?.checks.map((c) => [c.name, c.status])).toEqual([
      ['domestic-ipv6-reachable', 'pass'],
      ['foreign-ipv6-receives-nothing', 'fail'],
    ]);
  });
});
