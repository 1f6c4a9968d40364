import {
  mutantVerdictLabels,
  verdictOfMutant,
  type ScenarioResult,
} from '../scenario/scenario-result.ts';
import { runTotals, type RunReport } from './run-report.ts';

function label(result: ScenarioResult): string {
  return result.mutant === undefined
    ? result.scenario
    : `${result.scenario} [mutant ${result.mutant.name}]`;
}

function outcome(result: ScenarioResult): string {
  const count = (status: string) => result.checks.filter((c) => c.status === status).length;
  const failed = result.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  const unknown = result.checks.filter((c) => c.status === 'unknown').map((c) => c.name);
  const parts = [`${count('pass')}/${result.checks.length} checks passed`];
  if (failed.length > 0) parts.push(`failed: ${failed.join(', ')}`);
  if (unknown.length > 0) parts.push(`unknown: ${unknown.join(', ')}`);
  if (count('not-applicable') > 0) parts.push(`${count('not-applicable')} not applicable`);
  if (result.mutant !== undefined) {
    const verdict = verdictOfMutant(result.mutant);
    parts.push(
      verdict === 'caught'
        ? 'mutant caught'
        : `mutant ${mutantVerdictLabels[verdict].text} (${result.mutant.verdictDetail})`,
    );
  }
  if (result.status === 'error' && result.reason !== undefined)
    parts.push(`error: ${result.reason}`);
  if (result.status === 'not-applicable' && result.reason !== undefined)
    parts.push(`not applicable: ${result.reason}`);
  return parts.join('; ');
}

/** The end-of-run summary: one line per scenario run, then the totals. */
export function renderConsoleSummary(report: RunReport): string {
  const width = Math.max(...report.scenarios.map((s) => label(s).length), 10);
  const lines = report.scenarios.map(
    (s) =>
      `${label(s).padEnd(width)}  ${s.status.toUpperCase().padEnd(14)} ${(s.durationMs / 1000).toFixed(1).padStart(6)} s  ${outcome(s)}`,
  );
  const totals = runTotals(report);
  lines.push(
    `${totals.scenarios} scenario run(s): ${totals.passed} passed, ${totals.failed} failed, ${totals.notApplicable} not applicable, ${totals.errors} error(s); ` +
      `checks: ${totals.checks.pass} pass, ${totals.checks.fail} fail, ${totals.checks['not-applicable']} not applicable, ${totals.checks.unknown} unknown`,
  );
  return lines.join('\n');
}
