import { dirname, resolve } from 'node:path';
import { readResultsFile } from '../../report/results-file.ts';
import { replayPlan, type RecordedScenarioRun } from '../../report/replay-plan.ts';
import type { RunEnvironment } from '../../scenario/environment.ts';
import type { RunReport } from '../../report/run-report.ts';
import { diffVerdicts, renderVerdictDiff } from '../../report/verdict-diff.ts';
import { selectScenarios, type ScenarioCatalog } from '../../scenario/scenario-catalog.ts';
import { findMutant, scenarioTopology } from '../../scenario/scenario-runner.ts';
import type { Logger } from '../../util/log.ts';
import { SovhError } from '../../util/sovh-error.ts';
import { harnessVersion } from '../harness-version.ts';
import { runCommand, type PlannedRun } from './run-command.ts';

/** Exit codes of `sovh replay` (2, bad input, and 3, reports not written, are those of `sovh run`). */
export const replayExitCodes = { same: 0, differ: 1 } as const;

/**
 * `sovh replay RUN-DIR`: makes the recorded scenario runs again (same scenarios, mutants, stack
 * flags and seeds), writes the replay's own reports, then names every check whose verdict is not
 * the recorded one. A replay of a failed run that fails the same checks is a success (exit 0).
 */
export async function replayCommand(
  runDir: string,
  options: { reportDir?: string },
  log: Logger,
  capsule?: ReplayOfCapsule,
): Promise<number> {
  const { file, report: recorded } = await readResultsFile(runDir);
  const recordedDir = dirname(resolve(file));
  const plan = replayPlan(recorded, file, harnessVersion(), recordedDir);
  if (options.reportDir !== undefined && resolve(options.reportDir) === recordedDir) {
    throw new SovhError(
      'REPLAY_SAME_DIR',
      `--report-dir ${options.reportDir} is the recorded run's own folder; the replay would overwrite what it compares with. Give another folder, or none (reports/<run-id>/)`,
    );
  }
  if (plan.certification)
    log.warn(
      `run ${plan.runId} is a certification: its replay makes the same scenario runs on ${plan.options.profile === undefined ? 'the same devices' : `the device profile ${plan.options.profile}`} as a plain run, for their verdicts; it writes no certification verdict and no TPM quote. To certify again: ${recorded.command.replace(/^sovh /, 'npx sovh ')}`,
    );
  const seeds = [...new Set(plan.runs.map((r) => r.seed))];
  log.info(
    `replaying run ${plan.runId} (${file}): ${String(plan.runs.length)} scenario run(s), seed ${seeds.join(', ')}`,
  );
  let replayed: RunReport | undefined;
  let planned: PlannedRun[] = [];
  const code = await runCommand(
    // Incident files are loaded again (as recorded) so that their scenarios are in the catalog.
    plan.options.incidents ?? [],
    {
      ...(plan.options.stack === undefined ? {} : { stack: plan.options.stack }),
      ...(plan.options.config === undefined ? {} : { config: plan.options.config }),
      ...(plan.options.profile === undefined ? {} : { profile: plan.options.profile }),
      ...(plan.options.strict === undefined ? {} : { strict: plan.options.strict }),
      ...(options.reportDir === undefined ? {} : { reportDir: options.reportDir }),
      ...(seeds.length === 1 ? { seed: seeds[0] } : {}),
    },
    log,
    {
      command: 'replay',
      cwd: plan.options.cwd,
      plan: (catalog) => (planned = plannedRuns(plan.runs, catalog, file)),
      replayOf: { runId: plan.runId, dir: capsule?.file ?? recordedDir },
      ...(capsule === undefined
        ? {}
        : { beforeScenarios: (environment) => capsule.checkImages(environment, planned) }),
      onWritten: (report) => {
        replayed = report;
      },
    },
  );
  // The replay's reports could not be written (exit 3): its verdicts are in the fallback file.
  if (replayed === undefined) return code;
  const diff = diffVerdicts(recorded.scenarios, replayed.scenarios);
  process.stdout.write(`\n${renderVerdictDiff(diff, plan.runId)}\n`);
  const stackNow = replayed.stack?.id;
  if (plan.stackImageId !== undefined && stackNow !== undefined && stackNow !== plan.stackImageId)
    process.stdout.write(
      `note: the stack's image is not the recorded one (recorded ${plan.stackImageId}, now ${stackNow}): a difference may come from it\n`,
    );
  return diff.differences.length === 0 ? replayExitCodes.same : replayExitCodes.differ;
}

/** What a replay of a capsule adds: its file, and the check of its images before any world. */
export interface ReplayOfCapsule {
  file: string;
  checkImages(environment: RunEnvironment, planned: readonly PlannedRun[]): Promise<void>;
}

/** The recorded runs, from the catalog of the recorded settings; a name it lacks is bad input. */
function plannedRuns(
  runs: readonly RecordedScenarioRun[],
  catalog: ScenarioCatalog,
  file: string,
): PlannedRun[] {
  return runs.map((run) => {
    let planned: PlannedRun;
    try {
      const [scenario] = selectScenarios([run.scenario], catalog);
      if (scenario === undefined) throw new Error(`no scenario ${run.scenario}`);
      findMutant(scenario, run.mutant);
      scenarioTopology(scenario, findMutant(scenario, run.mutant));
      planned = {
        scenario,
        seed: run.seed,
        ...(run.mutant === undefined ? {} : { mutant: run.mutant }),
      };
    } catch (error) {
      throw new SovhError(
        'REPLAY_UNKNOWN_RUN',
        `${file} records a run of ${run.scenario}${run.mutant === undefined ? '' : ` [mutant ${run.mutant}]`} that cannot be made here: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return planned;
  });
}
