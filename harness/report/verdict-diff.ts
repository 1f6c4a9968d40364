import type { VerdictStatus as CheckStatus } from '../checks/verdict.ts';
import type { ScenarioResult } from '../scenario/scenario-result.ts';
import { runLabel } from './scenario-run-label.ts';

/** One check's verdict in the recorded run and in its replay; `missing` when one has no such check. */
export interface CheckComparison {
  /** The scenario run, e.g. `dns-leakage [mutant foreign-resolver-listed]` (with `#2` when repeated). */
  run: string;
  check: string;
  recorded: CheckStatus | 'missing';
  replayed: CheckStatus | 'missing';
  recordedSummary?: string;
  replayedSummary?: string;
}

export interface VerdictDiff {
  comparisons: CheckComparison[];
  /** The comparisons whose statuses differ. */
  differences: CheckComparison[];
}

/**
 * Pairs the scenario runs of a recorded run and of its replay by scenario and mutant (the n-th
 * repetition with the n-th), then their checks by name, and compares statuses. Only the status
 * counts: summaries carry measured values (times, counts) that differ between any two runs.
 */
export function diffVerdicts(
  recorded: readonly ScenarioResult[],
  replayed: readonly ScenarioResult[],
): VerdictDiff {
  const recordedRuns = keyed(recorded);
  const replayedRuns = keyed(replayed);
  const keys = [...new Set([...recordedRuns.keys(), ...replayedRuns.keys()])];
  const comparisons: CheckComparison[] = [];
  for (const run of keys) {
    const before = recordedRuns.get(run)?.checks ?? [];
    const after = replayedRuns.get(run)?.checks ?? [];
    const names = [...new Set([...before.map((c) => c.name), ...after.map((c) => c.name)])];
    for (const check of names) {
      const was = before.find((c) => c.name === check);
      const now = after.find((c) => c.name === check);
      comparisons.push({
        run,
        check,
        recorded: was?.status ?? 'missing',
        replayed: now?.status ?? 'missing',
        ...(was === undefined ? {} : { recordedSummary: was.summary }),
        ...(now === undefined ? {} : { replayedSummary: now.summary }),
      });
    }
  }
  return { comparisons, differences: comparisons.filter((c) => c.recorded !== c.replayed) };
}

/** Scenario runs by label; the second and later runs of one label get `#n`. */
function keyed(results: readonly ScenarioResult[]): Map<string, ScenarioResult> {
  const runs = new Map<string, ScenarioResult>();
  const seen = new Map<string, number>();
  for (const result of results) {
    const label = runLabel(result);
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    runs.set(n === 1 ? label : `${label} #${String(n)}`, result);
  }
  return runs;
}

/** The diff for the console: every check, marked, the differing ones with both summaries. */
export function renderVerdictDiff(diff: VerdictDiff, recordedRunId: string): string {
  const width = Math.max(0, ...diff.comparisons.map((c) => `${c.run}: ${c.check}`.length));
  const lines = [`verdicts against the recorded run ${recordedRunId}:`];
  for (const c of diff.comparisons) {
    const name = `${c.run}: ${c.check}`.padEnd(width);
    if (c.recorded === c.replayed) {
      lines.push(`  same     ${name}  ${c.recorded}`);
      continue;
    }
    lines.push(`  DIFFERS  ${name}  recorded ${c.recorded}, now ${c.replayed}`);
    if (c.recordedSummary !== undefined) lines.push(`             was: ${c.recordedSummary}`);
    if (c.replayedSummary !== undefined) lines.push(`             now: ${c.replayedSummary}`);
  }
  const total = diff.comparisons.length;
  lines.push(
    diff.differences.length === 0
      ? `replay: all ${String(total)} verdict(s) the same as recorded`
      : `replay: ${String(diff.differences.length)} of ${String(total)} verdict(s) differ from the recorded run`,
  );
  return lines.join('\n');
}
