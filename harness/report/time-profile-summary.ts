import type { CallTime, PhaseTime, TimeProfile } from '../util/time-profile.ts';
import type { RunReport } from './run-report.ts';

/** Several runs' profiles added up: phases by name, engine calls by kind. */
export interface ProfileTotals {
  runs: number;
  /** The runs' summed wall time (durationMs of each run). */
  wallMs: number;
  phases: PhaseTime[];
  engineCalls: CallTime[];
  engineRequests: number;
  engineWaitMs: number;
  cpuMs: number;
}

/**
 * Adds up the profiles of scenario runs (those without one, written before profiles existed, are
 * left out). Phases keep the order they first appear in; calls sort by total time.
 */
export function sumProfiles(
  runs: readonly { durationMs: number; profile?: TimeProfile }[],
): ProfileTotals {
  const phases = new Map<string, PhaseTime>();
  const calls = new Map<string, CallTime>();
  const totals: ProfileTotals = {
    runs: 0,
    wallMs: 0,
    phases: [],
    engineCalls: [],
    engineRequests: 0,
    engineWaitMs: 0,
    cpuMs: 0,
  };
  for (const run of runs) {
    const { profile } = run;
    if (profile === undefined) continue;
    totals.runs += 1;
    totals.wallMs += run.durationMs;
    totals.engineRequests += profile.engineRequests;
    totals.engineWaitMs += profile.engineWaitMs;
    totals.cpuMs += profile.cpu.userMs + profile.cpu.systemMs;
    for (const p of profile.phases) {
      const entry = phases.get(p.phase) ?? { phase: p.phase, wallMs: 0, cpuMs: 0 };
      entry.wallMs += p.wallMs;
      entry.cpuMs += p.cpuMs;
      phases.set(p.phase, entry);
    }
    for (const c of profile.engineCalls) {
      const entry = calls.get(c.kind) ?? { kind: c.kind, count: 0, totalMs: 0, maxMs: 0 };
      entry.count += c.count;
      entry.totalMs += c.totalMs;
      entry.maxMs = Math.max(entry.maxMs, c.maxMs);
      calls.set(c.kind, entry);
    }
  }
  totals.phases = [...phases.values()];
  totals.engineCalls = [...calls.values()].sort(
    (a, b) => b.totalMs - a.totalMs || a.kind.localeCompare(b.kind),
  );
  return totals;
}

/** The largest phases first, at most `top`. */
export function topPhases(totals: ProfileTotals, top: number): PhaseTime[] {
  return [...totals.phases].sort((a, b) => b.wallMs - a.wallMs).slice(0, top);
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${String(Math.round(ms))} ms`;
  if (ms < 100_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${String(Math.round(ms / 1000))} s`;
}

function share(part: number, whole: number): string {
  return whole <= 0 ? '' : `${String(Math.round((100 * part) / whole))} %`;
}

function table(rows: string[][], rightAligned: readonly boolean[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((row) =>
    `  ${row
      .map((cell, i) =>
        rightAligned[i] === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')}`.trimEnd(),
  );
}

/**
 * The end-of-run table of `sovh run`: where the scenario runs' time went, the largest phases and
 * engine calls first. Empty when no run has a profile.
 */
export function renderTimeProfile(report: Pick<RunReport, 'scenarios'>, top = 5): string {
  const totals = sumProfiles(report.scenarios);
  if (totals.runs === 0) return '';
  const lines = [
    `where the time went (${String(totals.runs)} scenario run(s), ${formatMs(totals.wallMs)}; harness CPU ${formatMs(totals.cpuMs)}):`,
  ];
  lines.push(
    ...table(
      [
        ['phase', 'wall', 'share', 'harness CPU'],
        ...topPhases(totals, top).map((p) => [
          p.phase,
          formatMs(p.wallMs),
          share(p.wallMs, totals.wallMs),
          formatMs(p.cpuMs),
        ]),
      ],
      [false, true, true, true],
    ),
  );
  const calls = totals.engineCalls.slice(0, top);
  if (calls.length > 0)
    lines.push(
      ...table(
        [
          ['engine call', 'count', 'total', 'max', 'mean'],
          ...calls.map((c) => [
            c.kind,
            String(c.count),
            formatMs(c.totalMs),
            formatMs(c.maxMs),
            formatMs(c.count === 0 ? 0 : c.totalMs / c.count),
          ]),
        ],
        [false, true, true, true, true],
      ),
    );
  lines.push(
    `  ${String(totals.engineRequests)} engine requests; waiting on the engine ${formatMs(totals.engineWaitMs)} (${share(totals.engineWaitMs, totals.wallMs)} of the wall time); every figure per run in results.json (profile)`,
  );
  return lines.join('\n');
}
