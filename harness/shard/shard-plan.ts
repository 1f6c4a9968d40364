import type { ShardSpec } from './shard-spec.ts';

/** One planned scenario run: a scenario, against the stack or one of its mutants. */
export interface ShardableRun {
  scenario: { name: string };
  mutant?: string;
}

/**
 * The runs shard `shard` takes. A scenario and its mutants stay together (they share images and
 * their verdicts read best side by side); groups are weighed by their number of runs (or by
 * `weightOf`, e.g. recorded durations) and dealt, heaviest first, to the lightest shard so far,
 * ties to the lowest index. The plan depends only on the runs and n, so every runner given the
 * same arguments computes the same split, and the shards together take every run exactly once.
 */
export function shardRuns<R extends ShardableRun>(
  runs: readonly R[],
  shard: ShardSpec,
  weightOf: (group: readonly R[]) => number = (group) => group.length,
): R[] {
  const groups = new Map<string, R[]>();
  for (const run of runs) {
    const group = groups.get(run.scenario.name) ?? [];
    group.push(run);
    groups.set(run.scenario.name, group);
  }
  const ordered = [...groups.entries()]
    .map(([name, group], order) => ({ name, group, order, weight: weightOf(group) }))
    .sort((a, b) => b.weight - a.weight || a.order - b.order);
  const loads = Array.from({ length: shard.total }, () => 0);
  const taken = new Set<string>();
  for (const entry of ordered) {
    const lightest = loads.indexOf(Math.min(...loads));
    loads[lightest] = (loads[lightest] ?? 0) + entry.weight;
    if (lightest === shard.index - 1) taken.add(entry.name);
  }
  return runs.filter((run) => taken.has(run.scenario.name));
}
