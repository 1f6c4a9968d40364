import { join } from 'node:path';
import { runSettings } from '../../config/run-settings.ts';
import { checkWorldName } from '../../live/world-dirs.ts';
import { replayPlan, type RecordedScenarioRun } from '../../report/replay-plan.ts';
import { selectScenarios } from '../../scenario/scenario-catalog.ts';
import type { Logger } from '../../util/log.ts';
import { SovhError } from '../../util/sovh-error.ts';
import { harnessVersion } from '../harness-version.ts';
import { checkImages, withOpenCapsule } from './replay-capsule.ts';
import { holdWorld, type UpOptions } from './up-command.ts';

/**
 * Which recorded run to bring up: the one `--run N` names (1-based), or the only one. A capsule
 * of several runs without `--run` is refused with the list, since each run is its own world.
 */
export function chooseCapsuleRun(
  runs: readonly RecordedScenarioRun[],
  chosen: number | undefined,
  capsule: string,
): number {
  const list = runs
    .map(
      (r, i) =>
        `  --run ${String(i + 1)}: ${r.scenario}${r.mutant === undefined ? '' : ` [mutant ${r.mutant}]`} (seed ${String(r.seed)})`,
    )
    .join('\n');
  if (chosen === undefined) {
    if (runs.length === 1) return 0;
    throw new SovhError(
      'UP_CAPSULE_WHICH_RUN',
      `${capsule} holds ${String(runs.length)} runs, each its own world: name one with --run N\n${list}`,
    );
  }
  if (!Number.isInteger(chosen) || chosen < 1 || chosen > runs.length)
    throw new SovhError(
      'UP_CAPSULE_WHICH_RUN',
      `--run ${String(chosen)}: ${capsule} holds runs 1 to ${String(runs.length)}:\n${list}`,
    );
  return chosen - 1;
}

/** Flags of `sovh up NAME` that a capsule's world takes from its recording instead. */
const recordedFlags = ['mutant', 'seed', 'stack', 'config', 'profile'] as const;

/**
 * `sovh up CAPSULE.tgz`: the world of a run a capsule recorded, held as `sovh up NAME` holds one:
 * the recorded scenario (or incident, from the capsule's copy) with its mutant, stack and seed,
 * its images checked against the recorded ones as `sovh replay` checks them. The capsule is
 * unpacked for as long as this process holds the world (its stack and incident files may be
 * needed again), so the world is held in the foreground.
 */
export async function upCapsule(capsule: string, options: UpOptions, log: Logger): Promise<number> {
  const given = recordedFlags.filter((flag) => options[flag] !== undefined);
  if (given.length > 0)
    throw new SovhError(
      'UP_CAPSULE_FLAGS',
      `${given.map((f) => `--${f}`).join(', ')}: a capsule's world has the recorded ${given.join(', ')}; leave ${given.length === 1 ? 'it' : 'them'} out (to try another, \`sovh up SCENARIO\` with the flags)`,
    );
  if (options.detach === true)
    throw new SovhError(
      'UP_CAPSULE_DETACH',
      `--detach: a capsule's world is held by the process that unpacked it, which lives as long as the world does. Hold it in a terminal of its own: \`npx sovh up ${capsule}\``,
    );
  return withOpenCapsule(capsule, log, async ({ manifest, runDir, results }) => {
    const plan = replayPlan(results, join(runDir, 'results.json'), harnessVersion(), runDir);
    const index = chooseCapsuleRun(plan.runs, options.run, capsule);
    const run = plan.runs[index];
    const recorded = manifest.runs[index];
    if (run === undefined) throw new Error(`no run ${String(index)} in ${capsule}`);
    const settings = await runSettings(
      {
        ...(plan.options.stack === undefined ? {} : { stack: plan.options.stack }),
        ...(plan.options.config === undefined ? {} : { config: plan.options.config }),
        ...(plan.options.profile === undefined ? {} : { profile: plan.options.profile }),
      },
      plan.options.cwd,
    );
    // An incident's scenario is in the catalog only once its file (the capsule's copy) is read.
    const { withIncidents } = await import('../../../scenarios/incident/incident-catalog.ts');
    const { catalog } = await withIncidents(
      plan.options.incidents ?? [],
      settings.catalog,
      settings.stack.kind === 'reference',
    );
    const [scenario] = selectScenarios([run.scenario], catalog);
    if (scenario === undefined)
      throw new SovhError(
        'UP_CAPSULE_UNKNOWN_RUN',
        `${capsule} records a run of ${run.scenario}, which this harness does not have`,
      );
    const planned = {
      scenario,
      seed: run.seed,
      ...(run.mutant === undefined ? {} : { mutant: run.mutant }),
    };
    return holdWorld(
      {
        worldName: checkWorldName(options.name ?? scenario.name),
        scenario,
        ...(run.mutant === undefined ? {} : { mutant: run.mutant }),
        seed: run.seed,
        settings: { ...settings, catalog },
        ...(options.speedup === undefined ? {} : { speedup: options.speedup }),
        ...(options.reportDir === undefined ? {} : { reportDir: options.reportDir }),
        beforeUp: (environment) =>
          checkImages(
            environment,
            [planned],
            { ...manifest, runs: recorded === undefined ? [] : [recorded] },
            options.rebuildOk === true,
            log,
          ),
      },
      log,
    );
  });
}
