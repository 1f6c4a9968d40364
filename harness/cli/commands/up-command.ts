import { runSettings, type SettingsFlags } from '../../config/run-settings.ts';
import { superviseWorld } from '../../live/supervisor.ts';
import { checkWorldName } from '../../live/world-dirs.ts';
import { prepareEnvironment } from '../../scenario/environment.ts';
import { selectScenarios } from '../../scenario/scenario-catalog.ts';
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
}

/**
 * `sovh up NAME`: brings the scenario's world up and holds it: this process is the world's
 * supervisor (its clock, its control socket) until `sovh down` or Ctrl-C, which write the world's
 * history as a report and remove it. With --detach it runs in the background and this command
 * returns once the world answers. The world draws from the seed (a router's link jitter, what the
 * scenario context draws) in the same scopes as `sovh run --seed` of the scenario.
 */
export async function upCommand(name: string, options: UpOptions, log: Logger): Promise<number> {
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

  const environment = await prepareEnvironment({
    log,
    stack: settings.stack,
    declaredSections: settings.declaredSections,
  });
  log.info(stackSummaryLine(environment.stack.record));
  log.info(`world ${worldName}: seed ${String(seed)}`);
  const reportDir = await superviseWorld({
    name: worldName,
    scenario,
    ...(options.mutant === undefined ? {} : { mutant: options.mutant }),
    environment,
    speedup: options.speedup ?? 1,
    seed,
    ...(options.reportDir === undefined ? {} : { reportDir: options.reportDir }),
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
