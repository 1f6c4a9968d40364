import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { listWorldRecords } from '../live/world-dirs.ts';
import {
  liveResourceCount,
  namespacedEngine,
  nothingLeft,
  resourcesIn,
} from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import { describeError, SovhError } from '../util/sovh-error.ts';
import { waitUntil } from '../util/wait-until.ts';

const nothing = nothingLeft;

describe('sovh against the engine', () => {
  const { engine: engineNow, namespace } = namespacedEngine();
  let engine: EngineEndpoint;

  beforeAll(() => {
    engine = engineNow();
  });

  it('doctor --json prints the capability probe', async () => {
    const result = await runCli(['doctor', '--json']);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as {
      entries: { name: string; available: boolean; detail: string }[];
    };
    expect(report.entries.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'netem',
        'vxlan',
        'vlan-8021q',
        'gre',
        'xfrm-esp',
        'aes-ni',
        'kernel-audit',
        'chattr-overlay',
        'cap:NET_ADMIN',
      ]),
    );
    expect(report.entries.every((e) => e.detail.length > 0)).toBe(true);
  });

  it('up --detach leaves a world running that exec reaches and down removes; its printed seed is the one the world keeps', async () => {
    const env = {
      SOVH_NAMESPACE: namespace('up'),
      SOVH_STATE_DIR: await mkdtemp(join(tmpdir(), 'sovh-up-')),
    };
    const up = await runCli(['up', 'boot-binding', '--detach'], env);
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stdout).toMatch(/host\s+vm1\s+sovereign/);
    // No --seed: this command draws one, and the background supervisor must draw from that one.
    const chosen = /in the background with seed (\d+) /.exec(up.stderr)?.[1];
    const printed = /^seed: (\d+) \(the same draws again: --seed \1\)$/m.exec(up.stdout)?.[1];
    expect(chosen, up.all).toBeDefined();
    expect(printed, up.stdout).toBe(chosen);
    const [kept] = await listWorldRecords(env.SOVH_NAMESPACE, env);
    expect(kept?.record.seed).toBe(Number(printed));
    const status = await runCli(['status', 'boot-binding', '--json'], env);
    expect((JSON.parse(status.stdout) as { seed: number }[])[0]?.seed, status.all).toBe(
      Number(printed),
    );
    const exec = await runCli(['exec', 'vm1', '--', 'cat', '/etc/residency/site.json'], env);
    expect(exec.exitCode, exec.all).toBe(0);
    expect(JSON.parse(exec.stdout)).toMatchObject({ host: 'vm1', zone: { name: 'sovereign' } });
    const unknown = await runCli(['exec', 'vm9', '--', 'true'], env);
    expect(unknown.stderr).toMatch(/no running node named "vm9"; running nodes: .*vm1/);
    const down = await runCli(['down'], env);
    expect(down.exitCode, down.all).toBe(0);
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothing);
  });

  it('a run interrupted with SIGINT tears its world down and exits 130', async () => {
    const env = { SOVH_NAMESPACE: namespace('sigint') };
    const child = runCli(['run', 'boot-binding'], env);
    let output = '';
    child.all.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    let ended = false;
    void child.finally(() => {
      ended = true;
    });
    // Interrupt once the host has booted, in the middle of the schedule.
    await waitUntil(
      async () => {
        if (ended) throw new SovhError('TEST_RUN_ENDED', 'sovh run ended before its world was up');
        return (await liveResourceCount(engine, env.SOVH_NAMESPACE)).containers >= 6
          ? true
          : undefined;
      },
      {
        what: 'the boot-binding world',
        expected: 'up with its host',
        timeoutMs: 300_000,
        intervalMs: 500,
      },
    ).catch((error: unknown) => {
      throw new Error(`${describeError(error)}; its output so far:\n${output}`);
    });
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, result.all).toBe(130);
    expect(result.all).toMatch(/SIGINT: tearing down 1 run\(s\)/);
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothing);
  });

  it('run --mutant exits 0 when the mutant is caught, naming the failed checks, and writes junit.xml and results.json', async () => {
    const env = { SOVH_NAMESPACE: namespace('mutant') };
    const reportDir = await mkdtemp(join(tmpdir(), 'sovh-report-'));
    const result = await runCli(
      ['run', 'boot-binding', '--mutant', 'kek-plain-file', '--report-dir', reportDir],
      env,
    );
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(
      /boot-binding \[mutant kek-plain-file\]\s+FAILED .*failed: .*kek-sealed-to-pcrs/,
    );
    expect(result.stdout).toMatch(
      /boot-binding \[mutant kek-plain-file\]\s+caught\s+kek-sealed-to-pcrs fail/,
    );
    const junit = await readFile(join(reportDir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(
      /<testcase classname="boot-binding \[mutant kek-plain-file\]" name="kek-sealed-to-pcrs"[^>]*>\s*<failure/,
    );
    const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as {
      scenarios: { mutant?: { caught: boolean; verdict: string } }[];
    };
    expect(results.scenarios[0]?.mutant).toMatchObject({ caught: true, verdict: 'caught' });
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothing);
  });

  it('run --repeat 2 makes each run twice, records it, and prints the stability of every check', async () => {
    const env = { SOVH_NAMESPACE: namespace('repeat') };
    const reportDir = await mkdtemp(join(tmpdir(), 'sovh-report-'));
    const result = await runCli(
      ['run', 'config-immutability', '--repeat', '2', '--report-dir', reportDir],
      env,
    );
    expect(result.exitCode, result.all).toBe(0);
    const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as {
      repeat?: number;
      scenarios: { scenario: string; checks: unknown[] }[];
    };
    expect(results.repeat).toBe(2);
    expect(results.scenarios.map((s) => s.scenario)).toEqual([
      'config-immutability',
      'config-immutability',
    ]);
    const checks = results.scenarios[0]?.checks.length ?? 0;
    expect(result.stdout).toContain(
      `stability over repetitions (0 unstable of ${String(checks)} checks):`,
    );
    expect(result.stdout).toMatch(/stable +config-immutability \/ \S+ +pass 2\/2/);
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothing);
  });
});
