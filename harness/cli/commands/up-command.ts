import { runSettings, type RunSettings, type SettingsFlags } from '../../config/run-settings.ts';
import { superviseWorld } from '../../live/supervisor.ts';
import { checkWorldName } from '../../live/world-dirs.ts';
import { prepareEnvironment, type RunEnvironment } from '../../scenario/environment.ts';
import { selectScenarios } from '../../scenario/scenario-catalog.ts';
import type { Scenario } from '../../scenario/scenario.ts';
import type { Logger } from '../../util/log.ts';
import { newSeed } from '../../util/seeded-random.ts';
import { SovhError } from '../../util/sovh-error.ts';
import { harnessVersion } from '../harness-version.ts';
import { renderUpSummary } from '../live-output.ts';
import { renderSeedLine } from '../seed-output.ts';
import { describeWithheldMutants, stackSummaryLine } from '../stack-output.ts';
import { startDetached } from './up-detached.ts';

export interface UpOptions extends SettingsFlags {
  mutant?: string;
  name?: string;
  speedup?: number;
  detach?: boolean;
  reportDir?: string;
  /** The seed of the world's draws (`sovh run --seed`); a random one when not given. */
  seed?: number;
  /** A capsule: which of its recorded runs (1-based) to bring up, when it holds several. */
  run?: number;
  /** A capsule: bring its world up even when an image built here is not the recorded one. */
  rebuildOk?: boolean;
}

/**
 * `sovh up NAME`: brings the scenario's world up and holds it: this process is the world's
 * supervisor (its clock, its control socket) until `sovh down` or Ctrl-C, which write the world's
 * history as a report and remove it. With --detach it runs in the background and this command
 * returns once the world answers. The world draws from the seed (a router's link jitter, what the
 * scenario context draws) in the same scopes as `sovh run --seed` of the scenario. `sovh up
 * CAPSULE.tgz` brings up the world of a run a capsule recorded (see up-capsule.ts).
 */
export async function upCommand(name: string, options: UpOptions, log: Logger): Promise<number> {
  const { isCapsule } = await import('./replay-capsule.ts');
  if (await isCapsule(name)) {
    const { upCapsule } = await import('./up-capsule.ts');
    return upCapsule(name, options, log);
  }
  const settings = await runSettings(options);
  const [scenario] = selectScenarios([name], settings.catalog);
  if (scenario === undefined) throw new SovhError('UNKNOWN_SCENARIO', `unknown scenario "${name}"`);
  if (options.mutant !== undefined && !scenario.mutants.some((m) => m.name === options.mutant))
    describeWithheldMutants(settings.catalog, [scenario], options.mutant);
  const worldName = checkWorldName(options.name ?? scenario.name);
  // Chosen here, so that a detached supervisor draws from the seed this command prints.
  const seed = options.seed ?? newSeed();
  if (options.detach === true)
    return startDetached(worldName, log, { seed, given: options.seed !== undefined });
  return holdWorld(
    {
      worldName,
      scenario,
      ...(options.mutant === undefined ? {} : { mutant: options.mutant }),
      seed,
      settings,
      ...(options.speedup === undefined ? {} : { speedup: options.speedup }),
      ...(options.reportDir === undefined ? {} : { reportDir: options.reportDir }),
    },
    log,
  );
}

/** What `holdWorld` brings up: one scenario's world, with its seed and settings. */
export interface HeldWorld {
  worldName: string;
  scenario: Scenario;
  mutant?: string;
  seed: number;
  settings: RunSettings;
  speedup?: number;
  reportDir?: string;
  /** Runs once the environment is ready, before the world: a capsule checks its images here. */
  beforeUp?: (environment: RunEnvironment) => Promise<void>;
}

/** Brings the world up in this process and holds it until `sovh down` or Ctrl-C. */
export async function holdWorld(held: HeldWorld, log: Logger): Promise<number> {
  const { worldName, seed, settings } = held;
  const environment = await prepareEnvironment({
    log,
    stack: settings.stack,
    declaredSections: settings.declaredSections,
  });
  log.info(stackSummaryLine(environment.stack.record));
  await held.beforeUp?.(environment);
  log.info(`world ${worldName}: seed ${String(seed)}`);
  const reportDir = await superviseWorld({
    name: worldName,
    scenario: held.scenario,
    ...(held.mutant === undefined ? {} : { mutant: held.mutant }),
    environment,
    speedup: held.speedup ?? 1,
    seed,
    ...(held.reportDir === undefined ? {} : { reportDir: held.reportDir }),
    command: ['sovh', ...process.argv.slice(2)].join(' '),
    harness: harnessVersion(),
    onUp: (live, record) => {
      process.stdout.write(renderUpSummary({ ...live.status(), state: 'up', log: record.log }));
      process.stdout.write(`${renderSeedLine(seed, [`--seed ${String(seed)}`])}\n`);
      process.stdout.write(
        `this process holds the world: Ctrl-C or \`npx sovh down ${worldName}\` brings it down\n`,
      );
    },
  });
  process.stdout.write(`world ${worldName} is down; report: ${reportDir}\n`);
  return 0;
}
