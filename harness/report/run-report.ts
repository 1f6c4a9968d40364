import { randomBytes } from 'node:crypto';
import type { CapabilityReport } from '../runtime/capabilities.ts';
import type { ScenarioResult } from '../scenario/scenario-result.ts';
import type { StackRecord } from '../stack/stack-resolver.ts';

/** Everything one `sovh run` produced: the input of every reporter (results.json is this). */
export interface RunReport {
  format: 'sovh-run/1';
  runId: string;
  startedAt: string;
  durationMs: number;
  command: string;
  harness: { version: string; node: string; platform: string };
  capabilities: CapabilityReport;
  /**
   * The run's seed (`sovh run --seed N`, else drawn at random): every scenario run's draws follow
   * from it (see harness/util/seeded-random.ts). Absent in results written before runs had seeds,
   * and in a merge of shards that ran with different seeds (each scenario run keeps its own).
   */
  seed?: number;
  /** The flags that chose the stack, config and profile, for `sovh replay` to choose them again. */
  options?: RecordedRunOptions;
  /** The run this one replayed (`sovh replay`). */
  replayOf?: { runId: string; dir: string };
  /** The stack under test: where it came from, its image id and digests, its declared sections. */
  stack?: StackRecord;
  scenarios: ScenarioResult[];
  /** How many times each planned scenario run was made (`sovh run --repeat N`), when more than once. */
  repeat?: number;
  /** The share of a sharded run this process took (`sovh run --shard i/n`). */
  shard?: { index: number; total: number };
  /** The shards a merged run was made of (`sovh merge`), each with its bundle's signing key. */
  mergedFrom?: {
    runId: string;
    shard: { index: number; total: number };
    keyFingerprint: string;
    command: string;
    capabilitiesProbedAt: string;
  }[];
}

/** What `sovh replay` needs to make a run's selection again, besides its scenario runs and seed. */
export interface RecordedRunOptions {
  /** The working directory, against which relative paths below (and a found config) resolve. */
  cwd: string;
  stack?: string;
  config?: string;
  profile?: string;
  strict?: boolean;
  /** The incident files the run loaded (absolute paths): a replay loads them again. */
  incidents?: string[];
}

/** A run id that sorts by time and is unique enough for concurrent runs: 20261126-141530-a1b2. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export interface RunTotals {
  scenarios: number;
  passed: number;
  failed: number;
  notApplicable: number;
  errors: number;
  checks: Record<'pass' | 'fail' | 'not-applicable' | 'unknown', number>;
}

export function runTotals(report: RunReport): RunTotals {
  const checks = { pass: 0, fail: 0, 'not-applicable': 0, unknown: 0 };
  for (const scenario of report.scenarios)
    for (const check of scenario.checks) checks[check.status] += 1;
  const count = (status: ScenarioResult['status']) =>
    report.scenarios.filter((s) => s.status === status).length;
  return {
    scenarios: report.scenarios.length,
    passed: count('passed'),
    failed: count('failed'),
    notApplicable: count('not-applicable'),
    errors: count('error'),
    checks,
  };
}

/**
 * The exit code of `sovh run`: 0 only when nothing failed, nothing was unknown and no scenario
 * stopped with an error. "not applicable" fails the run only with --strict, because a machine
 * without a kernel feature cannot make a check pass, and reports say so by name.
 */
export function runExitCode(report: RunReport, options: { strict?: boolean } = {}): number {
  const totals = runTotals(report);
  if (totals.failed > 0 || totals.errors > 0 || totals.checks.fail > 0 || totals.checks.unknown > 0)
    return 1;
  if (options.strict === true && (totals.notApplicable > 0 || totals.checks['not-applicable'] > 0))
    return 1;
  return 0;
}
