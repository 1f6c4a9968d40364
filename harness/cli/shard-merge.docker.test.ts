import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../report/run-report.ts';
import { removeSessions } from '../runtime/reaper.ts';
import { resourcesIn, testEngine, testNamespace } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import { silentLogger } from '../util/log.ts';
import type { EngineEndpoint } from '../engine/engine-locator.ts';

/**
 * Two of the quickest scenarios (under 10 s a run), five runs with their mutants: enough for two
 * shards to differ, cheap enough to run twice.
 */
const selection = ['config-immutability', 'dns-no-sovereign-resolver'];

function verdicts(report: RunReport): Record<string, string[]> {
  const entries = report.scenarios.map((s): [string, string[]] => [
    `${s.scenario}${s.mutant === undefined ? '' : ` [mutant ${s.mutant.name}]`}`,
    s.checks.map((c) => `${c.name}: ${c.status}`),
  ]);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

async function results(dir: string): Promise<RunReport> {
  return JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunReport;
}

describe('shards and merge', () => {
  let engine: EngineEndpoint;
  let work: string;
  const namespace = testNamespace('shards');
  const env = { SOVH_NAMESPACE: namespace };

  beforeAll(async () => {
    engine = await testEngine();
    work = await mkdtemp(join(tmpdir(), 'sovh-shards-'));
  });

  afterAll(async () => {
    await removeSessions(engine.docker, namespace, { all: true }, silentLogger);
    await rm(work, { recursive: true, force: true });
  });

  it('two shards in two processes against one engine merge into the verdicts of one run', async () => {
    const dir = (name: string) => join(work, name);
    const run = (extra: string[], name: string) =>
      runCli(['run', ...selection, '--with-mutants', '--report-dir', dir(name), ...extra], env);
    const [first, second] = await Promise.all([
      run(['--shard', '1/2'], 'shard-1'),
      run(['--shard', '2/2'], 'shard-2'),
    ]);
    expect(first.exitCode, first.all).toBe(0);
    expect(second.exitCode, second.all).toBe(0);
    const [one, two] = [await results(dir('shard-1')), await results(dir('shard-2'))];
    expect(one.scenarios.length).toBeGreaterThan(0);
    expect(two.scenarios.length).toBeGreaterThan(0);

    const merged = await runCli(
      ['merge', dir('shard-2'), dir('shard-1'), '--report-dir', dir('merged')],
      env,
    );
    expect(merged.exitCode, merged.all).toBe(0);
    const whole = await runCli(
      ['run', ...selection, '--with-mutants', '--report-dir', dir('whole')],
      env,
    );
    expect(whole.exitCode, whole.all).toBe(0);
    const mergedReport = await results(dir('merged'));
    expect(verdicts(mergedReport)).toEqual(verdicts(await results(dir('whole'))));
    expect(mergedReport.mergedFrom?.map((m) => m.shard.index)).toEqual([1, 2]);

    const verified = await runCli(['verify', join(dir('merged'), 'evidence.tar.gz')], env);
    expect(verified.exitCode, verified.all).toBe(0);
    expect(await resourcesIn(engine, namespace)).toEqual({
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });

  it('refuses a shard whose bundle was changed, naming the file', async () => {
    const shardDir = join(work, 'shard-1');
    const bundle = join(shardDir, 'evidence', 'results.json');
    const text = await readFile(bundle, 'utf8');
    await writeFile(bundle, text.replace('"pass"', '"fail"'));
    await rm(join(shardDir, 'evidence.tar.gz'));
    const merged = await runCli(['merge', shardDir, join(work, 'shard-2')], env);
    expect(merged.exitCode).toBe(2);
    expect(merged.stderr).toMatch(/does not verify \(results.json changed/);
  });
});
