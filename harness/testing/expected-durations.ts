/**
 * How long each test file took in a recorded run, keyed `project:path`, read from the default
 * reporter's lines (`✓  docker  scenarios/x/x.docker.test.ts (4 tests) 125528ms`). The suite's
 * sequencer starts the longest files first, so that two workers end together instead of one
 * running a five-minute file alone at the end.
 */
export type ExpectedDurations = Record<string, number>;

/** Files without a record (new ones) count as this long: neither first nor last. */
export const unknownDurationMs = 60_000;

const fileLine =
  /^\s*[✓×❯↓]\s+(\S+)\s+(\S+\.test\.ts)\s+\(\d+ tests?(?: \| [^)]*)?\)\s+(\d+)ms\s*$/;

/** The file lines of a reporter's log (colour codes removed first). */
export function parseReporterDurations(log: string): ExpectedDurations {
  const durations: ExpectedDurations = {};
  // eslint-disable-next-line no-control-regex
  for (const line of log.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    const match = fileLine.exec(line);
    if (match === null) continue;
    const [, project, path, ms] = match;
    durations[`${project}:${path}`] = Number(ms);
  }
  return durations;
}

/** Longest expected first; a stable order for equal ones. */
export function longestFirst<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  durations: ExpectedDurations,
): T[] {
  const expected = (item: T) => durations[keyOf(item)] ?? unknownDurationMs;
  return items
    .map((item, index) => ({ item, index, ms: expected(item) }))
    .sort((a, b) => b.ms - a.ms || a.index - b.index)
    .map(({ item }) => item);
}

/**
 * Keeps the order of the groups (vitest's `sequence.groupOrder`, lowest first) and orders each
 * group's files longest first, whatever their project: the files of a group share its workers.
 */
export function longestFirstInGroups<T>(
  items: readonly T[],
  groupOf: (item: T) => number,
  keyOf: (item: T) => string,
  durations: ExpectedDurations,
): T[] {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const group = groups.get(groupOf(item)) ?? [];
    group.push(item);
    groups.set(groupOf(item), group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([, group]) => longestFirst(group, keyOf, durations));
}
