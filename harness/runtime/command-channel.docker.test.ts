import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import {
  baseImageTag,
  resourcesIn,
  testEngine,
  testNamespace,
} from '../testing/docker-test-kit.ts';
import { silentLogger } from '../util/log.ts';
import { RunSession } from './run-session.ts';
import type { StartedContainer } from './started-container.ts';

/** Counts the engine's exec_start events for a container while an action runs. */
async function enginesExecsDuring(
  engine: EngineEndpoint,
  container: StartedContainer,
  action: () => Promise<unknown>,
): Promise<number> {
  // Events are filtered by whole seconds: start the window after the last second of what came before.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const since = Math.floor(Date.now() / 1000);
  await action();
  const until = Math.ceil(Date.now() / 1000) + 1;
  const stream = await engine.docker.getEvents({
    since,
    until,
    filters: { container: [container.id], event: ['exec_start'] },
  });
  const text = await new Promise<string>((resolve, reject) => {
    let all = '';
    stream.on('data', (chunk: Buffer) => (all += chunk.toString()));
    stream.on('end', () => {
      resolve(all);
    });
    stream.on('error', reject);
  });
  return text.split('\n').filter((line) => line.includes('exec_start')).length;
}

describe('commands through a command channel', () => {
  let engine: EngineEndpoint;
  let session: RunSession;
  let container: StartedContainer;
  const namespace = testNamespace('channel');

  beforeAll(async () => {
    engine = await testEngine();
    const image = await baseImageTag(engine);
    session = await RunSession.open({ docker: engine.docker, namespace, log: silentLogger });
    container = await session
      .container(image, 'channelled')
      .withInit()
      .withCommandChannel()
      .withCommand(['sleep', 'infinity'])
      .start();
  });

  afterAll(async () => {
    await session.teardown();
    expect(await resourcesIn(engine, namespace)).toEqual({
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });

  it('gives exit codes, stdout, stderr and binary output as an exec would', async () => {
    const result = await container.exec(['sh', '-c', "printf 'out'; printf 'err' >&2; exit 3"]);
    expect(result).toMatchObject({ exitCode: 3, stdout: 'out', stderr: 'err' });
    const bytes = await container.exec(['sh', '-c', "printf '\\000\\001\\377'"]);
    expect([...bytes.stdoutBytes]).toEqual([0, 1, 255]);
    const quoted = await container.exec(['echo', "it's $HOME; `x`"]);
    expect(quoted.stdout).toBe("it's $HOME; `x`\n");
    await expect(container.run(['false'])).rejects.toMatchObject({ code: 'EXEC_FAILED' });
  });

  it('runs commands side by side, with one exec for all of them', async () => {
    let results: { stdout: string }[] = [];
    const execs = await enginesExecsDuring(engine, container, async () => {
      results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          container.exec(['sh', '-c', `sleep 1; echo ${String(i)}`]),
        ),
      );
    });
    expect(results.map((r) => r.stdout.trim())).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    // The channel was opened by the first test; these eight commands cost the engine no exec.
    expect(execs).toBe(0);
  });

  it('keeps long answers of commands side by side whole', async () => {
    const expected = Array.from({ length: 20_000 }, (_, i) => String(i + 1)).join('\n') + '\n';
    const results = await Promise.all(
      Array.from({ length: 4 }, () => container.exec(['seq', '1', '20000'])),
    );
    for (const result of results) expect(result.stdout).toBe(expected);
  });

  it('keeps a long answer whole while short answers arrive in the middle of it', async () => {
    const expected = Array.from({ length: 1_000_000 }, (_, i) => String(i + 1)).join('\n') + '\n';
    const [long, ...short] = await Promise.all([
      container.exec(['seq', '1', '1000000']),
      ...Array.from({ length: 40 }, (_, i) =>
        container.exec(['sh', '-c', `sleep 0.$((${String(i)} % 10)); echo short-${String(i)}`]),
      ),
    ]);
    expect(long.stdout).toBe(expected);
    expect(short.map((r) => r.stdout)).toEqual(
      Array.from({ length: 40 }, (_, i) => `short-${String(i)}\n`),
    );
  });

  it('ends a command at its timeout with EXEC_TIMEOUT, and keeps serving others', async () => {
    await expect(container.exec(['sleep', '30'], { timeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'EXEC_TIMEOUT',
    });
    expect((await container.exec(['echo', 'still here'])).stdout).toBe('still here\n');
  });

  it("gives up on an answer that never comes, after the command's bound and a grace", async () => {
    // The command kills the channel's worker that would have answered it, then lingers.
    // (this shell's parent runs the script, its parent is `timeout`, and the worker is above it)
    const script =
      'timeout=$(cut -d" " -f4 /proc/$PPID/stat); kill -9 "$(cut -d" " -f4 /proc/$timeout/stat)"; sleep 40';
    await expect(
      container.exec(['bash', '-c', script], { timeoutMs: 1_000 }),
    ).rejects.toMatchObject({
      code: 'EXEC_TIMEOUT',
      message: expect.stringContaining('not answered through the command channel') as string,
    });
    expect((await container.exec(['echo', 'still here'])).stdout).toBe('still here\n');
  }, 30_000);

  it('sends commands with stdin through a plain exec', async () => {
    const piped = await container.exec(['cat'], { stdin: 'piped' });
    expect(piped.stdout).toBe('piped');
  });

  it('answers a command in flight as killed when the container stops, and does not hang', async () => {
    const inFlight = container.exec(['sleep', '60']);
    // Settled into a value at once, so that its rejection is handled while the container stops.
    const outcome = inFlight.then(
      (result) => result,
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    await container.stop(1);
    expect(await outcome).toMatchObject({ exitCode: 137 });
  });
});
