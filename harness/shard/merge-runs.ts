import type { ImageFacts } from '../engine/image-facts.ts';
import { newRunId, type RunReport } from '../report/run-report.ts';
import { runLabel } from '../report/scenario-run-label.ts';
import { SovhError } from '../util/sovh-error.ts';
import { formatShardSpec } from './shard-spec.ts';

/** One shard's output as read from its verified evidence bundle. */
export interface ShardOutput {
  /** Where it was read from, for messages. */
  source: string;
  report: RunReport;
  keyFingerprint: string;
  imageFacts: ImageFacts[];
}

function fail(message: string): never {
  throw new SovhError('BAD_SHARDS', message);
}

/**
 * One run made of its shards: every scenario run of every shard, in shard order, under one new
 * run id. Refuses shards that cannot belong together (a run that was not sharded, different shard
 * counts or harness versions, a shard given twice or missing, a scenario run in two shards), each
 * named, because a merged report that silently lacks a shard would read as a smaller green run.
 */
export function mergeShardReports(
  shards: readonly ShardOutput[],
  command: string,
): { report: RunReport; imageFacts: ImageFacts[] } {
  if (shards.length === 0) fail('no shard given: name the report folders of every shard');
  for (const s of shards)
    if (s.report.shard === undefined)
      fail(
        `${s.source} is not a shard (its run had no --shard); merge only runs made with --shard i/n`,
      );
  const total = shards[0]?.report.shard?.total ?? 0;
  const seen = new Map<number, string>();
  for (const s of shards) {
    const shard = s.report.shard ?? { index: 0, total: 0 };
    if (shard.total !== total)
      fail(`${s.source} is shard ${formatShardSpec(shard)}, the others are of ${String(total)}`);
    const before = seen.get(shard.index);
    if (before !== undefined)
      fail(`shard ${formatShardSpec(shard)} is given twice: ${before} and ${s.source}`);
    seen.set(shard.index, s.source);
    if (s.report.harness.version !== shards[0]?.report.harness.version)
      fail(
        `${s.source} was made by sovh ${s.report.harness.version}, ${shards[0]?.source ?? ''} by ${shards[0]?.report.harness.version ?? ''}: merge shards of one harness version`,
      );
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0)
    fail(
      `shard(s) ${missing.map((i) => `${String(i)}/${String(total)}`).join(', ')} missing: give the report folder of every shard`,
    );
  const ordered = [...shards].sort(
    (a, b) => (a.report.shard?.index ?? 0) - (b.report.shard?.index ?? 0),
  );
  const labels = new Map<string, string>();
  for (const s of ordered)
    for (const result of s.report.scenarios) {
      const label = runLabel(result);
      const other = labels.get(label);
      if (other !== undefined) fail(`${label} ran in two shards: ${other} and ${s.source}`);
      labels.set(label, s.source);
    }
  const starts = ordered.map((s) => Date.parse(s.report.startedAt));
  const ends = ordered.map((s) => Date.parse(s.report.startedAt) + s.report.durationMs);
  const first = ordered[0]?.report as RunReport;
  const report: RunReport = {
    format: 'sovh-run/1',
    runId: newRunId(),
    startedAt: new Date(Math.min(...starts)).toISOString(),
    durationMs: Math.max(...ends) - Math.min(...starts),
    command,
    harness: first.harness,
    capabilities: first.capabilities,
    scenarios: ordered.flatMap((s) => s.report.scenarios),
    // One seed when every shard ran with it (`--seed N` in each); else each scenario run keeps its own.
    ...(sharedSeed(ordered.map((s) => s.report.seed)) ?? {}),
    ...(first.options === undefined ? {} : { options: first.options }),
    mergedFrom: ordered.map((s) => ({
      runId: s.report.runId,
      shard: s.report.shard ?? { index: 0, total: 0 },
      keyFingerprint: s.keyFingerprint,
      command: s.report.command,
      capabilitiesProbedAt: s.report.capabilities.probedAt,
    })),
  };
  const facts = new Map<string, ImageFacts>();
  for (const s of ordered) for (const f of s.imageFacts) if (!facts.has(f.tag)) facts.set(f.tag, f);
  return { report, imageFacts: [...facts.values()] };
}

function sharedSeed(seeds: (number | undefined)[]): { seed: number } | undefined {
  const [seed] = seeds;
  return seed !== undefined && seeds.every((s) => s === seed) ? { seed } : undefined;
}
