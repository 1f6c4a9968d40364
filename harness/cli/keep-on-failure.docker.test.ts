import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import type { RunReport } from '../report/run-report.ts';
import { removeSessions } from '../runtime/reaper.ts';
import { nothingLeft, resourcesIn, testEngine, testNamespace } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import { silentLogger } from '../util/log.ts';

/** A quick world, and a mutant whose checks fail in it. */
const scenario = 'dns-leakage';
const mutant = 'foreign-resolver-listed';

async function results(dir: string): Promise<RunReport> {
  return JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunReport;
}

describe('sovh run --keep=on-failure', () => {
  let engine: EngineEndpoint;
  let work: string;
  const namespace = testNamespace('keep-failure');
  const env = { SOVH_NAMESPACE: namespace };

  beforeAll(async () => {
    engine = await testEngine();
    work = await mkdtemp(join(tmpdir(), 'sovh-keep-failure-'));
  });

  afterAll(async () => {
    await removeSessions(engine.docker, namespace, { all: true }, silentLogger);
    await rm(work, { recursive: true, force: true });
  });

  it('keeps the world whose check failed, unhealed, says how to get in, and sovh down removes it', async () => {
    const dir = join(work, 'failed');
    const run = await runCli(
      ['run', scenario, '--mutant', mutant, '--keep=on-failure', '--report-dir', dir],
      env,
    );
    expect(run.exitCode, run.all).toBe(0);
    const [result] = (await results(dir)).scenarios;
    const session = result?.kept?.session ?? '';
    expect(session, run.all).toMatch(/^[0-9a-f]{8}$/);
    expect(result?.kept?.reason).toMatch(/foreign-resolver-receives-nothing fail/);
    expect(result?.history.some((e) => e.name === 'kept-on-failure')).toBe(true);
    expect(run.stdout).toContain(`kept: ${scenario} [mutant ${mutant}] (run ${session})`);
    expect(run.stdout).toContain('npx sovh exec -it vm1');
    expect(run.stdout).toContain(`npx sovh down --session ${session}`);

    // The world is still there: a command in its host answers.
    expect((await resourcesIn(engine, namespace)).containers).toBeGreaterThan(0);
    const exec = await runCli(['exec', 'vm1', '--', 'cat', '/etc/resolv.conf'], env);
    expect(exec.exitCode, exec.all).toBe(0);
    expect(exec.stdout).toContain('nameserver');

    // No supervisor holds a kept world: a fault is refused with what works instead.
    const inject = await runCli(['inject', session, 'resolver-outage'], env);
    expect(inject.exitCode, inject.all).toBe(2);
    expect(inject.stderr).toContain(`run ${session} is a world kept by \`sovh run --keep\``);
    expect(inject.stderr).toContain(`npx sovh up ${scenario}`);

    const down = await runCli(['down', '--session', session], env);
    expect(down.exitCode, down.all).toBe(0);
    expect(await resourcesIn(engine, namespace)).toEqual(nothingLeft);
  });

  it('keeps nothing when every check passes', async () => {
    const dir = join(work, 'passed');
    const run = await runCli(['run', scenario, '--keep=on-failure', '--report-dir', dir], env);
    expect(run.exitCode, run.all).toBe(0);
    expect((await results(dir)).scenarios[0]?.kept).toBeUndefined();
    expect(run.stdout).not.toContain('kept:');
    expect(await resourcesIn(engine, namespace)).toEqual(nothingLeft);
  });
});
