import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { listWorldRecords } from '../live/world-dirs.ts';
import type { ReportedStatus } from './live-output.ts';
import { namespacedEngine, nothingLeft, resourcesIn } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import { waitUntil } from '../util/wait-until.ts';

const cli = join(import.meta.dirname, 'sovh.mjs');

describe('a live world broken by hand', () => {
  const { engine, namespace } = namespacedEngine();
  const env: Record<string, string> = {};
  const world = 'pw';

  afterAll(async () => {
    if (env.SOVH_STATE_DIR === undefined) return;
    // Whatever happened above, the supervisor this file started ends with it.
    for (const { record, alive } of await listWorldRecords(env.SOVH_NAMESPACE ?? '', env)) {
      if (alive) process.kill(record.pid, 'SIGTERM');
    }
  });

  async function status(): Promise<ReportedStatus> {
    const result = await runCli(['status', world, '--json'], env);
    expect(result.exitCode, result.all).toBe(0);
    const [only] = JSON.parse(result.stdout) as ReportedStatus[];
    if (only === undefined) throw new Error(`status listed no world: ${result.all}`);
    return only;
  }

  it('up holds the world and runs its clock; inject, status, heal and down act on it through its supervisor', async () => {
    env.SOVH_NAMESPACE = namespace('live');
    env.SOVH_STATE_DIR = await mkdtemp(join(tmpdir(), 'sovh-live-'));
    const reportDir = await mkdtemp(join(tmpdir(), 'sovh-live-report-'));
    const up = await runCli(
      [
        'up',
        'power-failure-key-wipe',
        '--name',
        world,
        '--speedup',
        '20',
        '--detach',
        '--report-dir',
        reportDir,
      ],
      env,
    );
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stdout).toMatch(/host\s+vm1\s+sovereign/);
    expect(up.stdout).toMatch(/ups ups1: OL/);

    const before = await status();
    expect(before.faults).toEqual([]);
    expect(before.model.ups).toMatchObject([{ ups: 'ups1', mains: true, chargePercent: 100 }]);
    expect(before.model.thermal).toMatchObject([{ machine: 'rack1', cooling: 'on' }]);

    // Bad input: each one line naming the fix, and the world goes on.
    const unknownFault = await runCli(['inject', world, 'hsm-cutt'], env);
    expect(unknownFault.exitCode).toBe(2);
    expect(unknownFault.stderr).toMatch(/^sovh: unknown fault "hsm-cutt"; known faults: hsm-cut, /);
    const unknownNode = await runCli(['inject', world, 'hsm-cut', '--hsm', 'hsm-z'], env);
    expect(unknownNode.exitCode).toBe(2);
    expect(unknownNode.stderr).toMatch(
      /--hsm: this world has no HSM simulator named "hsm-z"; its HSM simulators: hsm$/,
    );
    const badParameter = await runCli(['inject', world, 'hsm-cut', '--speed', '3'], env);
    expect(badParameter.stderr).toContain(
      'fault hsm-cut has no parameter --speed; its parameters: --hsm <hsm>',
    );
    const unknownWorld = await runCli(['inject', 'nowhere', 'hsm-cut'], env);
    expect(unknownWorld.stderr).toMatch(/no world named "nowhere" is up; worlds up: pw/);

    const mains = await runCli(['inject', world, 'mains-failure'], env);
    expect(mains.exitCode, mains.all).toBe(0);
    expect(mains.stdout).toContain('injected mains-failure-ups1 into world pw');
    const cut = await runCli(['inject', world, 'hsm-cut', '--for', '3s'], env);
    expect(cut.exitCode, cut.all).toBe(0);

    // The UPS as the stack sees it (upsd), not as the supervisor says.
    await waitUntil(
      async () => {
        const read = await runCli(
          ['exec', 'ups1', '--', 'upsc', 'ups1@127.0.0.1', 'ups.status'],
          env,
        );
        return read.stdout.includes('OB') ? read.stdout : undefined;
      },
      { what: 'upsd of ups1', expected: 'reporting OB', timeoutMs: 60_000, intervalMs: 1_000 },
    );
    const during = await status();
    expect(during.faults.map((f) => f.name)).toContain('mains-failure-ups1');
    expect(during.model.ups[0]?.mains).toBe(false);
    expect(during.model.thermal[0]?.cooling).toBe('off');

    // --for heals the HSM cut by itself.
    await waitUntil(
      async () => {
        const faults = (await status()).faults.map((f) => f.name);
        return faults.includes('hsm-cable-cut-hsm') ? undefined : faults;
      },
      {
        what: 'hsm-cable-cut-hsm',
        expected: 'healed by --for',
        timeoutMs: 60_000,
        intervalMs: 1_000,
      },
    );

    const heal = await runCli(['heal', world], env);
    expect(heal.exitCode, heal.all).toBe(0);
    expect(heal.stdout).toContain('healed mains-failure-ups1 in world pw');
    expect((await status()).faults).toEqual([]);

    // A command with stdin, and a node's output.
    const piped = await execa('node', [cli, 'exec', '-i', 'vm1', '--', 'cat'], {
      env,
      input: 'typed into vm1\n',
      reject: false,
    });
    expect(piped.exitCode, piped.stderr).toBe(0);
    expect(piped.stdout).toBe('typed into vm1');
    const logs = await runCli(['logs', 'ups1'], env);
    expect(logs.exitCode, logs.all).toBe(0);
    expect(logs.stdout).toMatch(/^state /m);

    const down = await runCli(['down', world], env);
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stdout).toContain(`world pw is down; its history: ${reportDir}`);
    const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as {
      scenarios: { history: { kind: string; name: string }[] }[];
    };
    const events = (results.scenarios[0]?.history ?? [])
      .filter((e) => e.kind === 'fault' || e.kind === 'heal')
      .map((e) => `${e.kind} ${e.name}`);
    expect(events).toEqual([
      'fault mains-failure-ups1',
      'fault hsm-cable-cut-hsm',
      'heal hsm-cable-cut-hsm',
      'heal mains-failure-ups1',
    ]);
    expect(
      results.scenarios[0]?.history.some((e) => e.kind === 'sample' && e.name === 'ups1 charge'),
    ).toBe(true);

    const gone = await runCli(['inject', world, 'mains-failure'], env);
    expect(gone.exitCode).toBe(2);
    expect(gone.stderr).toMatch(/no world named "pw" is up, nor any other; start one with/);
    expect(await resourcesIn(engine(), env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  });
});
