import type { VerdictStatus as CheckStatus } from '../checks/verdict.ts';
import type { ScenarioResult } from '../scenario/scenario-result.ts';
import { runLabel } from './scenario-run-label.ts';

/** One figure of a check's summary across repetitions: "keys gone ... by # ms" at position 0. */
export interface FigureSpread {
  /** The summary with each number replaced by #, and which # this is (1-based). */
  template: string;
  position: number;
  min: number;
  median: number;
  max: number;
}

/** How one check of one scenario run behaved over every repetition. */
export interface CheckStability {
  run: string;
  check: string;
  repetitions: number;
  /** How many repetitions ended in each status. */
  statuses: Partial<Record<CheckStatus, number>>;
  /** The same status every time. */
  stable: boolean;
  /** The numbers of its summaries, where every repetition's summary reads the same but for them. */
  figures: FigureSpread[];
}

/** A number standing on its own ("1793 ms", "0.95", "1.5s"), not part of a name ("TPM2", "sha256"). */
const numberPattern = /(?<![A-Za-z_\d.])-?\d+(?:\.\d+)?(?![\d_])/g;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * The spread of each number in a check's summaries. Summaries that read differently apart from
 * their numbers (a pass and a fail, another reason) measure different things: their figures are
 * grouped by wording, and only a wording seen at least twice has a spread worth printing.
 */
function figureSpreads(summaries: readonly string[]): FigureSpread[] {
  const byTemplate = new Map<string, number[][]>();
  for (const summary of summaries) {
    const template = summary.replace(numberPattern, '#');
    const numbers = [...summary.matchAll(numberPattern)].map((m) => Number(m[0]));
    byTemplate.set(template, [...(byTemplate.get(template) ?? []), numbers]);
  }
  const spreads: FigureSpread[] = [];
  for (const [template, rows] of byTemplate) {
    if (rows.length < 2) continue;
    const width = rows[0]?.length ?? 0;
    for (let position = 0; position < width; position += 1) {
      const values = rows.map((row) => row[position] ?? 0);
      const [min, max] = [Math.min(...values), Math.max(...values)];
      if (min === max) continue; // a constant (a bound, a count of rounds) is not a measurement
      spreads.push({ template, position: position + 1, min, median: median(values), max });
    }
  }
  return spreads;
}

/** Groups the results of a repeated run by scenario run and check, in the order first seen. */
export function checkStability(results: readonly ScenarioResult[]): CheckStability[] {
  const groups = new Map<string, { run: string; check: string; seen: CheckResultLike[] }>();
  for (const result of results) {
    const run = runLabel(result);
    for (const check of result.checks) {
      const key = `${run}\u0000${check.name}`;
      const group = groups.get(key) ?? { run, check: check.name, seen: [] };
      group.seen.push(check);
      groups.set(key, group);
    }
  }
  return [...groups.values()].map(({ run, check, seen }) => {
    const statuses: Partial<Record<CheckStatus, number>> = {};
    for (const c of seen) statuses[c.status] = (statuses[c.status] ?? 0) + 1;
    return {
      run,
      check,
      repetitions: seen.length,
      statuses,
      stable: Object.keys(statuses).length === 1,
      figures: figureSpreads(seen.map((c) => c.summary)),
    };
  });
}

type CheckResultLike = ScenarioResult['checks'][number];

function describeStatuses(row: CheckStability): string {
  return Object.entries(row.statuses)
    .map(([status, count]) => `${status} ${String(count)}/${String(row.repetitions)}`)
    .join(', ');
}

function formatFigure(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/**
 * The table `sovh run --repeat N` prints: every check with how often it ended in each status,
 * unstable ones first and marked, and the min / median / max of each measured figure.
 */
export function renderStabilityTable(rows: readonly CheckStability[]): string {
  if (rows.length === 0) return '';
  const ordered = [...rows.filter((r) => !r.stable), ...rows.filter((r) => r.stable)];
  const nameWidth = Math.max(...ordered.map((r) => `${r.run} / ${r.check}`.length));
  const unstable = rows.filter((r) => !r.stable).length;
  const lines = [
    `stability over repetitions (${String(unstable)} unstable of ${String(rows.length)} checks):`,
  ];
  for (const row of ordered) {
    const name = `${row.run} / ${row.check}`.padEnd(nameWidth);
    lines.push(`  ${row.stable ? 'stable  ' : 'UNSTABLE'}  ${name}  ${describeStatuses(row)}`);
    for (const figure of row.figures)
      lines.push(
        `      figure #${String(figure.position)} of "${figure.template}": min ${formatFigure(figure.min)}, median ${formatFigure(figure.median)}, max ${formatFigure(figure.max)}`,
      );
  }
  return lines.join('\n');
}
