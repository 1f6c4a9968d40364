import { describe, expect, it } from 'vitest';
import { shardRuns } from './shard-plan.ts';
import { parseShardSpec } from './shard-spec.ts';

const run = (scenario: string, mutant?: string) => ({ scenario: { name: scenario }, mutant });
const runs = [
  run('a'),
  run('a', 'a1'),
  run('a', 'a2'),
  run('b'),
  run('b', 'b1'),
  run('c'),
  run('d'),
  run('d', 'd1'),
];
const label = (r: { scenario: { name: string }; mutant?: string }) =>
  r.mutant === undefined ? r.scenario.name : `${r.scenario.name}/${r.mutant}`;

describe('shards', () => {
  it('read i/n and refuse anything else, naming the fix', () => {
    expect(parseShardSpec('2/3')).toEqual({ index: 2, total: 3 });
    for (const bad of ['0/3', '4/3', '1/0', 'x', '1/2/3', ''])
      expect(() => parseShardSpec(bad)).toThrow(/give i\/n with 1 <= i <= n/);
  });

  it('take every run exactly once between them, a scenario with its mutants', () => {
    for (const total of [1, 2, 3, 5]) {
      const taken = Array.from({ length: total }, (_, i) =>
        shardRuns(runs, { index: i + 1, total }).map(label),
      );
      expect(taken.flat().sort()).toEqual(runs.map(label).sort());
      for (const shard of taken) {
        const scenarios = new Set(shard.map((l) => l.split('/')[0]));
        for (const name of scenarios)
          expect(shard.filter((l) => l.split('/')[0] === name)).toEqual(
            runs.filter((r) => r.scenario.name === name).map(label),
          );
      }
    }
  });

  it('balance the runs: heaviest group first, to the lightest shard', () => {
    const sizes = [1, 2].map((index) => shardRuns(runs, { index, total: 2 }).length);
    // a (3 runs) to shard 1, b and d (2 each) to shard 2, then c (1) to shard 1.
    expect(sizes).toEqual([4, 4]);
  });
});
