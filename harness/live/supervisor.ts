import { join } from 'node:path';
import type { Server } from 'node:net';
import { inspectImages } from '../engine/image-facts.ts';
import { defaultReportsRoot, writeRunReport } from '../report/report-writer.ts';
import { newRunId, type RunReport } from '../report/run-report.ts';
import type { RunEnvironment } from '../scenario/environment.ts';
import { History } from '../scenario/history.ts';
import { ScenarioContext } from '../scenario/scenario-context.ts';
import { scenarioRandom } from '../scenario/scenario-runner.ts';
import type { ScenarioResult } from '../scenario/scenario-result.ts';
import type { Scenario } from '../scenario/scenario.ts';
import { collectWorldLogs } from '../scenario/world-logs.ts';
import { bringUpKeptWorld } from '../scenario/world-up.ts';
import { describeError, SovhError } from '../util/sovh-error.ts';
import { prepareWritableDir } from '../util/writable-dir.ts';
import type { ControlRequest } from './control-protocol.ts';
import { serveControlSocket } from './control-server.ts';
import { LiveWorld } from './live-world.ts';
import {
  isProcessAlive,
  readWorldRecord,
  removeWorldDir,
  worldDir,
  writeWorldRecord,
  type WorldRecord,
} from './world-dirs.ts';

export interface SupervisorOptions {
  name: string;
  scenario: Scenario;
  mutant?: string;
  environment: RunEnvironment;
  speedup: number;
  /** The seed of what the world draws (`sovh up --seed`), recorded in world.json and the report. */
  seed: number;
  reportDir?: string;
  /** What the report names as its command and harness. */
  command: string;
  harness: RunReport['harness'];
  /** Called once the world is up and its socket answers. */
  onUp(live: LiveWorld, record: WorldRecord): void;
}

/**
 * Runs a live world in this process until `sovh down` or SIGINT/SIGTERM: brings the world up,
 * runs its clock, answers the control socket, and at the end writes the world's history as a
 * report and removes everything it made. Resolves with the report's directory.
 */
export async function superviseWorld(options: SupervisorOptions): Promise<string> {
  const { environment, name } = options;
  const log = environment.log;
  const dir = worldDir(environment.namespace, name);
  const existing = await readWorldRecord(dir);
  if (existing !== undefined && existing.pid !== process.pid && isProcessAlive(existing.pid)) {
    throw new SovhError(
      'WORLD_EXISTS',
      `a world named ${name} is already up (pid ${existing.pid}); bring it down with \`npx sovh down ${name}\` or give this one another --name`,
    );
  }
  const runId = newRunId();
  const reportDir = options.reportDir ?? join(defaultReportsRoot, runId);
  await prepareWritableDir(reportDir, 'report directory');
  const startedAt = Date.now();
  const record: WorldRecord = {
    format: 'sovh-live-world/1',
    name,
    scenario: options.scenario.name,
    ...(options.mutant === undefined ? {} : { mutant: options.mutant }),
    state: 'starting',
    pid: process.pid,
    startedAt: new Date(startedAt).toISOString(),
    socket: join(dir, 'control.sock'),
    log: join(dir, 'supervisor.log'),
    speedup: options.speedup,
    seed: options.seed,
  };
  await writeWorldRecord(dir, record);
  // The scope of `sovh run --seed` of the same scenario and mutant: the same seed, the same draws.
  const random = scenarioRandom(options.seed, options.scenario.name, options.mutant);

  let up: Awaited<ReturnType<typeof bringUpKeptWorld>>;
  try {
    up = await bringUpKeptWorld(options.scenario, environment, options.mutant, random);
  } catch (error) {
    await removeWorldDir(dir);
    throw error;
  }
  const bringUpMs = Date.now() - startedAt;
  const history = new History();
  history.record('observation', 'seed', { seed: options.seed, scope: random.scope });
  const context = new ScenarioContext(up.world, history, log, environment.capabilities, random);
  let live: LiveWorld;
  let server: Server;
  try {
    live = await LiveWorld.start({
      name,
      scenario: options.scenario.name,
      world: up.world,
      session: up.session,
      context,
      speedup: options.speedup,
      log,
    });
    server = await serveControlSocket(record.socket, (request) => handle(request));
  } catch (error) {
    await up.session.teardown().catch(() => undefined);
    await removeWorldDir(dir);
    throw error;
  }

  let down: Promise<string> | undefined;
  const goDown = (): Promise<string> => {
    down ??= (async () => {
      log.info(`world ${name}: going down`);
      await writeWorldRecord(dir, { ...record, state: 'going-down', sessionId: up.session.id });
      const runStart = Date.now();
      await live.stop().catch((error: unknown) => {
        history.record('error', 'stop', { error: describeError(error) });
      });
      const description = up.world.describe();
      const logs = await collectWorldLogs(up.world).catch(() => []);
      const runMs = Date.now() - runStart;
      const teardownStart = Date.now();
      await up.session.teardown().catch((error: unknown) => {
        history.record(
          'error',
          'teardown',
          { error: describeError(error) },
          { evenIfClosed: true },
        );
        log.warn(describeError(error));
      });
      server.close();
      const result: ScenarioResult = {
        scenario: options.scenario.name,
        description: `live world ${name} (\`sovh up\`): ${options.scenario.description}`,
        status: 'not-applicable',
        reason: 'a live world: faults were applied by hand and no checks were judged',
        startedAt: record.startedAt,
        seed: options.seed,
        durationMs: Date.now() - startedAt,
        phases: {
          imagesMs: 0,
          bringUpMs,
          runMs,
          checksMs: 0,
          teardownMs: Date.now() - teardownStart,
        },
        images: {
          pod: up.world.images.pod,
          tpm: up.world.images.tpm,
          observer: up.world.images.observer,
          host: up.world.images.host,
          ...up.world.images.sims,
        },
        topology: up.world.topology,
        world: description,
        checks: [],
        history: history.events,
        logs,
        attachments: history.attachments,
      };
      const report: RunReport = {
        format: 'sovh-run/1',
        runId,
        startedAt: record.startedAt,
        durationMs: Date.now() - startedAt,
        command: options.command,
        harness: options.harness,
        capabilities: environment.capabilities,
        seed: options.seed,
        stack: environment.stack.record,
        scenarios: [result],
      };
      try {
        await writeRunReport(report, reportDir, {
          inspectImages: (tags) => inspectImages(environment.engine.docker, tags),
        });
      } finally {
        await removeWorldDir(dir);
      }
      log.info(`world ${name} is down; its history: ${join(reportDir, 'report.html')}`);
      return reportDir;
    })();
    return down;
  };

  async function handle(request: ControlRequest): Promise<unknown> {
    if (down !== undefined && request.op !== 'down' && request.op !== 'status') {
      throw new SovhError(
        'WORLD_GOING_DOWN',
        `world ${name} is going down; start another with \`npx sovh up\``,
      );
    }
    switch (request.op) {
      case 'status':
        return {
          ...live.status(),
          state: down === undefined ? 'up' : 'going-down',
          log: record.log,
        };
      case 'inject':
        return live.inject(request.fault, request.parameters, request.forMs);
      case 'heal':
        return { healed: await live.heal(request.fault) };
      case 'down':
        return { reportDir: await goDown() };
    }
  }

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      process.stderr.write(
        `\n${signal} again: exiting now; \`npx sovh down ${name}\` removes what is left\n`,
      );
      process.exit(130);
    }
    signalled = true;
    process.stderr.write(`\n${signal}: bringing world ${name} down\n`);
    void goDown().catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const upRecord: WorldRecord = { ...record, state: 'up', sessionId: up.session.id };
  await writeWorldRecord(dir, upRecord);
  options.onUp(live, upRecord);
  // The process lives as long as the socket listens; it ends once the world is down.
  await new Promise<void>((resolve) => server.once('close', resolve));
  const reportPath = await goDown();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return reportPath;
}
