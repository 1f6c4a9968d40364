import { describe, expect, it } from 'vitest';
import type { RunReport } from '../report/run-report.ts';
import type { ScenarioResult } from '../scenario/scenario-result.ts';
import { mergeShardReports, type ShardOutput } from './merge-runs.ts';

function shard(
  index: number,
  total: number,
  scenarios: string[],
  startedAt = '2026-12-02T10:00:00.000Z',
): ShardOutput {
  return {
    source: `reports/shard-${String(index)}`,
    keyFingerprint: `key-${String(index)}`,
    imageFacts: [{ tag: `sovh/host:${String(index)}` }],
    report: {
      format: 'sovh-run/1',
      runId: `run-${String(index)}`,
      startedAt,
      durationMs: 60_000,
      command: `sovh run --shard ${String(index)}/${String(total)}`,
      harness: { version: '0.1.0', node: 'v20', platform: 'linux' },
      capabilities: { probedAt: startedAt } as RunReport['capabilities'],
      scenarios: scenarios.map((scenario) => ({ scenario }) as ScenarioResult),
      shard: { index, total },
    },
  };
}

describe('merging shards', () => {
  it('makes one run of every shard, in shard order, keeping each shard’s key', () => {
    const { report, imageFacts } = mergeShardReports(
      [shard(2, 2, ['c'], '2026-12-02T10:00:30.000Z'), shard(1, 2, ['a', 'b'])],
      'sovh merge',
    );
    expect(report.scenarios.map((s) => s.scenario)).toEqual(['a', 'b', 'c']);
    expect(report.durationMs).toBe(90_000);
    expect(report.mergedFrom?.map((m) => m.keyFingerprint)).toEqual(['key-1', 'key-2']);
    expect(report.shard).toBeUndefined();
    expect(imageFacts.map((f) => f.tag)).toEqual(['sovh/host:1', 'sovh/host:2']);
  });

  it('refuses shards that do not make one whole run, naming what is wrong', () => {
    expect(() => mergeShardReports([shard(1, 2, ['a'])], 'm')).toThrow(/shard\(s\) 2\/2 missing/);
    expect(() => mergeShardReports([shard(1, 2, ['a']), shard(1, 2, ['b'])], 'm')).toThrow(
      /shard 1\/2 is given twice/,
    );
    expect(() => mergeShardReports([shard(1, 2, ['a']), shard(2, 3, ['b'])], 'm')).toThrow(
      /is shard 2\/3, the others are of 2/,
    );
    expect(() => mergeShardReports([shard(1, 2, ['a']), shard(2, 2, ['a'])], 'm')).toThrow(
      /a ran in two shards/,
    );
    const unsharded = shard(1, 1, ['a']);
    delete unsharded.report.shard;
    expect(() => mergeShardReports([unsharded], 'm')).toThrow(/is not a shard/);
  });
});
