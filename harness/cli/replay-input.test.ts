import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../report/run-report.ts';
import { syntheticRunReport } from '../report/testing/synthetic-run.ts';
import { runCli } from '../testing/run-cli.ts';
import { harnessVersion } from './harness-version.ts';

/** A recorded run folder holding `report` as its results.json. */
async function runFolder(root: string, name: string, report: unknown): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'results.json'),
    typeof report === 'string' ? report : JSON.stringify(report),
  );
  return dir;
}

function seededRun(change: Partial<RunReport> = {}): RunReport {
  const report = syntheticRunReport();
  return {
    ...report,
    harness: { ...report.harness, version: harnessVersion().version },
    seed: 5,
    scenarios: report.scenarios.map((s) => ({ ...s, seed: 5 })),
    ...change,
  };
}

// Bad input is refused before the engine is touched: each case starts the real CLI, no engine.
describe('sovh replay: bad input', { timeout: 120_000 }, () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sovh-replay-input-'));
  });

  const refuses = async (args: string[], message: RegExp) => {
    const result = await runCli(['replay', ...args]);
    expect(result.stderr).toMatch(message);
    expect(result.exitCode, result.all).toBe(2);
  };

  it('names a missing folder, a folder without results.json and a file that is not JSON', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    await Promise.all([
      refuses([join(root, 'nowhere')], /no run at .*nowhere; give a run folder/),
      refuses([empty], /cannot read .*empty\/results\.json .*written by `sovh run`/),
      refuses([await runFolder(root, 'garbage', '{"format": "sovh-r')], /is not JSON/),
      refuses(
        [await runFolder(root, 'other-json', { hello: 'world' })],
        /is not the results of a sovh run/,
      ),
    ]);
  });

  it('names the version that wrote results of another harness', async () => {
    const dir = await runFolder(root, 'old', {
      ...seededRun(),
      harness: { version: '0.0.1', node: 'v20', platform: 'linux-x64' },
    });
    await refuses(
      [dir],
      new RegExp(
        `written by sovh 0\\.0\\.1, this is sovh ${harnessVersion().version.replace(/\./g, '\\.')}`,
      ),
    );
  });

  it('refuses results without a seed, and writing the replay over the recorded run', async () => {
    const unseeded = { ...syntheticRunReport(), harness: seededRun().harness };
    const dir = await runFolder(root, 'same', seededRun());
    await Promise.all([
      refuses([await runFolder(root, 'unseeded', unseeded)], /has no seed/),
      refuses([dir, '--report-dir', dir], /is the recorded run's own folder/),
    ]);
  });

  it('names a recorded scenario this harness does not have', async () => {
    // The synthetic run's scenario (thermal-and-power) is not a built-in one.
    await refuses(
      [await runFolder(root, 'unknown', seededRun({ options: { cwd: root } }))],
      /records a run of thermal-and-power that cannot be made here: unknown scenario "thermal-and-power"/,
    );
  });
});
