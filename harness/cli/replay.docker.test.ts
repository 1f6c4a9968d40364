import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import type { RunReport } from '../report/run-report.ts';
import { removeSessions } from '../runtime/reaper.ts';
import { scenarioRandom } from '../scenario/scenario-runner.ts';
import { resourcesIn, testEngine, testNamespace } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import { silentLogger } from '../util/log.ts';

/**
 * dns-leakage: a quick world that draws randomness (the canary names it asks the resolvers for),
 * against a mutant whose checks fail.
 */
const scenario = 'dns-leakage';
const mutant = 'foreign-resolver-listed';
const seed = 424_242;

async function results(dir: string): Promise<RunReport> {
  return JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunReport;
}

const failedChecks = (report: RunReport) =>
  report.scenarios.flatMap((s) => s.checks.filter((c) => c.status === 'fail').map((c) => c.name));

/** The canary names the run drew, as its history recorded them (queries it made and observed). */
const canaryNames = (report: RunReport) =>
  [
    ...new Set(
      JSON.stringify(report.scenarios.map((s) => s.history)).match(
        /sovh-(?:control|outage)-[0-9a-f]{12}\.control\.example/g,
      ) ?? [],
    ),
  ].sort();

describe('sovh replay', () => {
  let engine: EngineEndpoint;
  let work: string;
  const namespace = testNamespace('replay');
  const env = { SOVH_NAMESPACE: namespace };

  beforeAll(async () => {
    engine = await testEngine();
    work = await mkdtemp(join(tmpdir(), 'sovh-replay-'));
  });

  afterAll(async () => {
    await removeSessions(engine.docker, namespace, { all: true }, silentLogger);
    await rm(work, { recursive: true, force: true });
  });

  it('replays a failing mutant run with the same seed: the same failed checks, the same draws, no difference', async () => {
    const recordedDir = join(work, 'recorded');
    const run = await runCli(
      ['run', scenario, '--mutant', mutant, '--seed', String(seed), '--report-dir', recordedDir],
      env,
    );
    // Exit 0: the mutant was caught, i.e. the checks it names failed.
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stderr).toContain(`seed ${String(seed)}`);
    expect(run.stdout).toContain(`seed: ${String(seed)}`);
    const recorded = await results(recordedDir);
    expect(recorded.seed).toBe(seed);
    expect(recorded.scenarios.map((s) => s.seed)).toEqual([seed]);
    const failed = failedChecks(recorded);
    expect(failed.length, run.all).toBeGreaterThan(0);

    const replayDir = join(work, 'replayed');
    const replay = await runCli(['replay', recordedDir, '--report-dir', replayDir], env);
    expect(replay.exitCode, replay.all).toBe(0);
    expect(replay.stdout).toContain(`verdicts against the recorded run ${recorded.runId}:`);
    expect(replay.stdout).toMatch(/replay: all \d+ verdict\(s\) the same as recorded/);
    expect(replay.stdout).not.toContain('DIFFERS');
    const replayed = await results(replayDir);
    expect(replayed.replayOf?.runId).toBe(recorded.runId);
    expect(replayed.scenarios.map((s) => [s.scenario, s.mutant?.name, s.seed])).toEqual([
      [scenario, mutant, seed],
    ]);
    expect(failedChecks(replayed)).toEqual(failed);

    // The draws: the canary names are the seed's, in the recorded run and in its replay.
    const stream = scenarioRandom(seed, scenario, mutant).stream('canary-names');
    const expected = [
      `sovh-control-${stream.hex(6)}.control.example`,
      `sovh-outage-${stream.hex(6)}.control.example`,
    ].sort();
    expect(canaryNames(recorded)).toEqual(expected);
    expect(canaryNames(replayed)).toEqual(expected);

    // Negative control: a recorded verdict that the replay cannot reproduce is named, exit 1.
    const alteredDir = join(work, 'altered');
    await mkdir(alteredDir);
    const [flipped] = failed;
    const altered: RunReport = {
      ...recorded,
      scenarios: recorded.scenarios.map((s) => ({
        ...s,
        checks: s.checks.map((c) => (c.name === flipped ? { ...c, status: 'pass' as const } : c)),
      })),
    };
    await writeFile(join(alteredDir, 'results.json'), JSON.stringify(altered));
    const differing = await runCli(
      ['replay', alteredDir, '--report-dir', join(work, 'replayed-altered')],
      env,
    );
    expect(differing.exitCode, differing.all).toBe(1);
    expect(differing.stdout).toContain(`DIFFERS  ${scenario} [mutant ${mutant}]: ${flipped ?? ''}`);
    expect(differing.stdout).toMatch(/recorded pass, now fail/);
    expect(differing.stdout).toMatch(/replay: 1 of \d+ verdict\(s\) differ from the recorded run/);

    expect(await resourcesIn(engine, namespace)).toEqual({
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });
});
