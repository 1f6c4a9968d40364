import { SovhError } from '../util/sovh-error.ts';
import { maxSeed } from '../util/seeded-random.ts';
import type { RecordedRunOptions, RunReport } from './run-report.ts';
import { runLabel } from './scenario-run-label.ts';

/** One scenario run to make again: the recorded scenario, mutant and seed. */
export interface RecordedScenarioRun {
  scenario: string;
  mutant?: string;
  seed: number;
}

/** What `sovh replay` makes again from a recorded run. */
export interface ReplayPlan {
  runId: string;
  runs: RecordedScenarioRun[];
  options: RecordedRunOptions;
  /** The engine's id of the stack's image in the recorded run, to say when it is not the same. */
  stackImageId?: string;
  /**
   * The recorded run was a certification (`sovh certify`): its replay makes the scenario runs
   * again on the same profile, as a plain run, and writes no certification verdict or quote.
   */
  certification: boolean;
}

/**
 * Reads what a recorded run needs to be made again, refusing by name what cannot be replayed:
 * results of another harness version (its scenarios, checks and draws may differ), results
 * without seeds, the history of a live world (no checks), or a run with nothing in it.
 */
export function replayPlan(
  report: RunReport,
  file: string,
  harness: { version: string },
  fallbackCwd: string,
): ReplayPlan {
  // Read as what the file holds, not what the type promises: results.json may be from anywhere.
  const recordedVersion = (report as { harness?: { version?: unknown } }).harness?.version;
  if (recordedVersion !== harness.version) {
    throw new SovhError(
      'REPLAY_OTHER_VERSION',
      `${file} was written by sovh ${typeof recordedVersion === 'string' ? recordedVersion : '(no version recorded)'}, this is sovh ${harness.version}: ` +
        'another version may have other scenarios, checks and draws, so its verdicts would not compare. ' +
        `Replay it with the version that made it${typeof recordedVersion === 'string' ? ` (npx sovh@${recordedVersion} replay ...)` : ''}, or run it anew with \`sovh run\``,
      { details: { recorded: recordedVersion, current: harness.version } },
    );
  }
  if (report.scenarios.length === 0)
    throw new SovhError(
      'REPLAY_EMPTY',
      `${file} records no scenario run: there is nothing to replay`,
    );
  const runs = report.scenarios.map((result, i): RecordedScenarioRun => {
    const where = `${file}: scenarios[${String(i)}]`;
    if (typeof result.scenario !== 'string' || !Array.isArray(result.checks))
      throw new SovhError(
        'RESULTS_INVALID',
        `${where} is not a scenario run (no scenario name or checks list); was the file edited?`,
      );
    if (result.checks.length === 0)
      throw new SovhError(
        'REPLAY_NO_CHECKS',
        `${where} (${runLabel(result)}) has no checks: it is the history of a live world (\`sovh up\`), which has no verdicts to compare; replay a folder written by \`sovh run\``,
      );
    const seed = result.seed ?? report.seed;
    if (seed === undefined || !Number.isSafeInteger(seed) || seed < 0 || seed > maxSeed)
      throw new SovhError(
        'REPLAY_NO_SEED',
        `${where} (${runLabel(result)}) has no seed: it was recorded before runs had seeds, so its draws cannot be made again. ` +
          'Run it anew with `sovh run --seed N` and replay that',
      );
    return {
      scenario: result.scenario,
      ...(result.mutant === undefined ? {} : { mutant: result.mutant.name }),
      seed,
    };
  });
  return {
    runId: report.runId,
    runs,
    options: report.options ?? { cwd: fallbackCwd },
    ...(report.stack === undefined ? {} : { stackImageId: report.stack.id }),
    certification: /^sovh certify\b/.test(report.command),
  };
}
