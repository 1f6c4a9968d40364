import {
  mutantVerdictLabels,
  verdictOfMutant,
  type ScenarioResult,
} from '../scenario/scenario-result.ts';
import { runExitCode, type RunReport } from './run-report.ts';

/** Exit code of a run whose mutants could not all be judged (none escaped, nothing failed). */
export const mutantUnjudgedExitCode = 4;

/**
 * The exit code of a run with mutants: 1 when a mutant escaped (or `referencesFailed`), else 4
 * when one could not be judged (not applicable here, unknown, or stopped), else 0. A mutant that
 * could not be judged is neither a pass nor a catch: it must not read as either.
 */
export function mutantRunExitCode(
  results: readonly ScenarioResult[],
  referencesFailed: boolean,
): number {
  const verdicts = results.flatMap((r) =>
    r.mutant === undefined ? [] : [verdictOfMutant(r.mutant)],
  );
  if (referencesFailed || verdicts.includes('escaped')) return 1;
  if (verdicts.includes('unjudged')) return mutantUnjudgedExitCode;
  return 0;
}

/**
 * The exit code of a whole run: with mutant runs in it, what `mutantRunExitCode` says (reference
 * runs judged as a plain run); without, `runExitCode`.
 */
export function exitCodeOfRun(report: RunReport, options: { strict?: boolean } = {}): number {
  if (report.scenarios.every((r) => r.mutant === undefined)) return runExitCode(report, options);
  const references = report.scenarios.filter((r) => r.mutant === undefined);
  const referencesFailed = runExitCode({ ...report, scenarios: references }, options) !== 0;
  return mutantRunExitCode(report.scenarios, referencesFailed);
}

/** The mutant table printed after a run with mutants: one line per mutant, with why. */
export function renderMutantTable(results: readonly ScenarioResult[]): string {
  const rows = results.flatMap((r) =>
    r.mutant === undefined
      ? []
      : [
          {
            run: `${r.scenario} [mutant ${r.mutant.name}]`,
            verdict: mutantVerdictLabels[verdictOfMutant(r.mutant)].text,
            detail: r.mutant.verdictDetail,
          },
        ],
  );
  if (rows.length === 0) return '';
  const runWidth = Math.max(...rows.map((r) => r.run.length));
  const verdictWidth = Math.max(...rows.map((r) => r.verdict.length));
  const counts = (text: string) => rows.filter((r) => r.verdict === text).length;
  return [
    'mutants:',
    ...rows.map(
      (r) => `  ${r.run.padEnd(runWidth)}  ${r.verdict.padEnd(verdictWidth)}  ${r.detail}`,
    ),
    `  ${String(counts('caught'))} caught, ${String(counts(mutantVerdictLabels.escaped.text))} escaped, ` +
      `${String(counts(mutantVerdictLabels.unjudged.text))} could not be judged`,
  ].join('\n');
}
