import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { removeSessions } from '../runtime/reaper.ts';
import { RunSession } from '../runtime/run-session.ts';
import { silentLogger } from '../util/log.ts';
import { waitUntil } from '../util/wait-until.ts';
import {
  createDeadSessionVolume,
  resourcesIn,
  testEngine,
  testNamespace,
} from './docker-test-kit.ts';

/**
 * The janitor as the global setup starts it: a detached process that waits for a test run's main
 * process to end, then removes the sessions of dead test processes, and nothing else.
 */
describe('the docker tests’ janitor', () => {
  let engine: EngineEndpoint;
  let work: string;
  const namespace = testNamespace('janitor');
  // Another test's namespace: a dead session there is not this janitor's to remove.
  const otherNamespace = testNamespace('janitor-other');

  beforeAll(async () => {
    engine = await testEngine();
    work = await mkdtemp(join(tmpdir(), 'sovh-janitor-'));
  });

  afterAll(async () => {
    await removeSessions(engine.docker, namespace, { all: true }, silentLogger);
    await removeSessions(engine.docker, otherNamespace, { all: true }, silentLogger);
    await rm(work, { recursive: true, force: true });
  });

  it('waits for the run to end, then removes what dead test processes left in the namespaces it was given, and keeps live runs', async () => {
    const live = await RunSession.open({ docker: engine.docker, namespace, log: silentLogger });
    await live.createVolume('live');
    // What a worker killed by Ctrl-C leaves: a session whose owner process is gone.
    await createDeadSessionVolume(engine, live.labels(), `sovh-dead-${namespace}`);
    const other = await RunSession.open({
      docker: engine.docker,
      namespace: otherNamespace,
      log: silentLogger,
    });
    await createDeadSessionVolume(engine, other.labels(), `sovh-dead-${otherNamespace}`);
    const run = spawn('sleep', ['60'], { stdio: 'ignore' });
    const log = join(work, 'janitor.log');
    const janitor = spawn(
      process.execPath,
      [join(import.meta.dirname, 'session-janitor.mjs'), String(run.pid), namespace, log, '0'],
      { stdio: 'ignore' },
    );
    const ended = new Promise<number | null>((resolve) => janitor.once('exit', resolve));
    try {
      // While the run lives, nothing is touched.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect((await resourcesIn(engine, namespace)).volumes).toBe(2);
      run.kill('SIGKILL');
      await waitUntil(
        async () => ((await resourcesIn(engine, namespace)).volumes === 1 ? true : undefined),
        {
          timeoutMs: 30_000,
          intervalMs: 250,
          what: 'the dead session',
          expected: 'removed by the janitor',
        },
      ).catch(async (error: unknown) => {
        // The janitor's own notes say where it was; the folder goes with the test.
        const notes = await readFile(log, 'utf8').catch(() => '(the janitor wrote no log)');
        throw new Error(`${(error as Error).message}\njanitor log:\n${notes}`);
      });
      expect(await ended).toBe(0);
      expect((await resourcesIn(engine, otherNamespace)).volumes).toBe(1);
      expect(await readFile(log, 'utf8')).toMatch(
        new RegExp(`test run ${String(run.pid)} ended; removed \\d+ session\\(s\\)`),
      );
    } finally {
      run.kill('SIGKILL');
      janitor.kill('SIGKILL');
      await live.teardown();
      await other.teardown();
    }
    expect(await resourcesIn(engine, namespace)).toEqual({
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });
});
