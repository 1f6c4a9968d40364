import { mkdir, mkdtemp, readFile, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import scenarioBootBinding from '../../scenarios/boot-binding/boot-binding.ts';
import { ImageBuilder } from '../engine/image-builder.ts';
import { baseImageRecipe } from '../engine/image-recipe.ts';
import { patcherImage } from '../../images/recipes.ts';
import { listSessions } from '../runtime/engine-resources.ts';
import { prepareWorldImages } from '../scenario/scenario-images.ts';
import { scenarioTopology } from '../scenario/scenario-runner.ts';
import { nothingLeft, resourcesIn, testEngine, testNamespace } from '../testing/docker-test-kit.ts';
import { OwnEngine } from '../testing/own-engine.ts';
import { runCli } from '../testing/run-cli.ts';
import { silentLogger } from '../util/log.ts';
import { waitUntil } from '../util/wait-until.ts';

/**
 * Engine faults that the machine's shared engine cannot be put through without breaking every
 * other run on it, on an engine of the test's own whose data root is a tmpfs of its own:
 * - a real restart in the middle of a run: dockerd stops as a service stop or a package upgrade
 *   stops it (SIGTERM: it stops every container, closes its socket, exits), then starts again on
 *   the same data root;
 * - its disk filling during an image build: the tmpfs is shrunk to what it holds, then a run
 *   needs an image the engine does not have.
 */
const scenario = scenarioBootBinding.name;
const mutant = 'kek-plain-file';
/** Room for the world's images (about 1.3 GB) and a run's containers. */
const dataRootSize = '4g';

async function bridgeExists(name: string): Promise<boolean> {
  return (await execa('ip', ['link', 'show', name], { reject: false })).exitCode === 0;
}

interface RunResults {
  scenarios: { status: string; reason?: string; checks: { status: string; summary: string }[] }[];
}

describe('an engine of its own', () => {
  const dir = join(tmpdir(), `sovh-own-engine-${String(process.pid)}`);
  const engine = new OwnEngine(dir);

  beforeAll(async () => {
    // The world's images come from the shared engine, where the suite builds them anyway.
    const shared = await testEngine();
    const builder = new ImageBuilder(shared.docker, silentLogger);
    const images = await prepareWorldImages(
      builder,
      scenarioTopology(scenarioBootBinding, undefined),
      undefined,
    );
    const base = await builder.ensure(baseImageRecipe);
    await mkdir(engine.dataRoot, { recursive: true });
    await execa('mount', [
      '-t',
      'tmpfs',
      '-o',
      `size=${dataRootSize}`,
      'sovh-own-engine',
      engine.dataRoot,
    ]);
    const sharedBridge = await bridgeExists('docker0');
    await engine.start();
    // The shared engine's default bridge must come through the second engine's start.
    expect(await bridgeExists('docker0')).toBe(sharedBridge);
    await engine.loadFrom(shared, [
      base.tag,
      images.pod,
      images.tpm,
      images.observer,
      images.host,
      (await builder.ensure(patcherImage)).tag,
      ...Object.values(images.sims),
    ]);
  }, 900_000);

  afterAll(async () => {
    // Stops the engine, then unmounts its tmpfs and whatever else it left mounted.
    await engine.destroy();
  }, 120_000);

  it('a restart mid-schedule ends the run with a named error and every check unknown; the teardown finishes once the engine is back, leaving nothing', async () => {
    const namespace = testNamespace('engine-restart');
    const env = { SOVH_NAMESPACE: namespace, DOCKER_HOST: engine.dockerHost };
    const reportDir = await mkdtemp(join(tmpdir(), 'sovh-report-'));
    const child = runCli(['run', scenario, '--report-dir', reportDir], env);
    let output = '';
    child.all.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitUntil(() => Promise.resolve(/\bstep: /.test(output) ? true : undefined), {
      what: `the ${scenario} run on the test's own engine`,
      expected: 'in its schedule',
      timeoutMs: 300_000,
      intervalMs: 100,
    });
    await sleep(500);
    const running = (await listSessions(engine.docker, namespace)).flatMap((s) => s.containers);
    expect(running.length).toBeGreaterThan(0);

    const stoppedAt = Date.now();
    await engine.stop();
    const downMs = Date.now() - stoppedAt;
    await engine.start();
    process.stdout.write(
      `engine down for ${String(downMs)} ms, back after ${String(Date.now() - stoppedAt)} ms\n`,
    );

    const result = await child;
    process.stdout.write(`run ended ${String(Date.now() - stoppedAt)} ms after the stop\n`);
    expect(result.all).toMatch(/the container engine stopped answering \(unix:\/\/\S+docker\.sock/);
    // The engine answered again within the teardown's wait: the run removed its own world.
    expect(result.all).not.toMatch(/did not answer again/);
    expect(result.exitCode, result.all).toBe(1);
    const results = JSON.parse(
      await readFile(join(reportDir, 'results.json'), 'utf8'),
    ) as RunResults;
    const [run] = results.scenarios;
    process.stdout.write(`the run's reason: ${run?.reason ?? '(none)'}\n`);
    expect(run?.reason).toMatch(/the container engine stopped answering/);
    // The engine's shutdown kills the containers before it exits: not a kill from outside.
    expect(run?.reason).not.toMatch(/killed from outside/);
    expect(run?.checks.length).toBeGreaterThan(0);
    for (const check of run?.checks ?? []) expect(check.status).toBe('unknown');
    expect(await resourcesIn(engine.endpoint(), namespace)).toEqual(nothingLeft);

    const down = await runCli(['down', '--all'], env);
    expect(down.exitCode, down.all).toBe(0);
    expect(await resourcesIn(engine.endpoint(), namespace)).toEqual(nothingLeft);
  }, 600_000);

  it('a disk that fills during an image build fails the run before its world starts, naming the full disk and the fix, leaving nothing', async () => {
    const namespace = testNamespace('engine-disk-full');
    const env = { SOVH_NAMESPACE: namespace, DOCKER_HOST: engine.dockerHost };
    const reportDir = await mkdtemp(join(tmpdir(), 'sovh-report-'));
    // The engine's disk holds what it holds now and not a page more.
    const room = await statfs(engine.dataRoot);
    const usedKiB = Math.ceil(((room.blocks - room.bfree) * room.bsize) / 1024);
    await execa('mount', ['-o', `remount,size=${String(usedKiB)}k`, engine.dataRoot]);
    try {
      // A mutant's image is a build on top of the loaded stack image: the engine has to write it.
      const result = await runCli(
        ['run', scenario, '--mutant', mutant, '--report-dir', reportDir],
        env,
      );
      expect(result.all).toMatch(
        /building image host-mutant-\S+ .*failed: .*no space left on device/s,
      );
      process.stdout.write(
        `${result.all
          .split('\n')
          .filter((line) => /no space|disk is full/.test(line))
          .join('\n')}\n`,
      );
      expect(result.all).toMatch(/the engine's disk is full/);
      expect(result.exitCode, result.all).not.toBe(0);
      expect(result.all).not.toMatch(/bringing up the world/);
    } finally {
      await execa('mount', ['-o', `remount,size=${dataRootSize}`, engine.dataRoot]);
    }
    const left = await engine.docker.listContainers({ all: true });
    expect(left.map((c) => c.Names.join(','))).toEqual([]);
    expect(await resourcesIn(engine.endpoint(), namespace)).toEqual(nothingLeft);
    // The engine itself came through: it still answers.
    await engine.docker.ping();
  }, 600_000);
});
