import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { labelKeys } from '../runtime/labels.ts';
import { listSessions } from '../runtime/engine-resources.ts';
import { reapDeadSessions } from '../runtime/reaper.ts';
import type { Logger } from '../util/log.ts';

/**
 * The docker tests' janitor. Ctrl-C on `npm test` ends vitest at once: its main process exits
 * without its global teardown, and the forked workers die before their worlds' teardown, so
 * their containers, networks and volumes would stay until the next run's reaper. The global setup
 * starts this janitor in a process of its own (session-janitor.mjs). It waits for the test run's
 * main process to end, then removes what the test namespaces hold of runs whose owner process is
 * gone. Live runs (another test run, a worker still tearing down) and kept worlds are left alone.
 */

/**
 * The namespaces to sweep: each pattern is a namespace, or a prefix ending in `*` that takes every
 * namespace found with it (`test-*`: the test kit's). A janitor started by a test names its own
 * namespace alone, so that it never reaps what other tests running beside it left on purpose
 * (or waits on their engine's stale endpoints).
 */
export function namespacesToSweep(found: Iterable<string>, patterns: readonly string[]): string[] {
  const present = [...found];
  const chosen = patterns.flatMap((pattern) =>
    pattern.endsWith('*') ? present.filter((n) => n.startsWith(pattern.slice(0, -1))) : [pattern],
  );
  return [...new Set(chosen)].sort();
}

/** Every namespace that holds a container, network or volume of the harness. */
export async function namespacesInEngine(docker: Docker): Promise<Set<string>> {
  const filters = { label: [`${labelKeys.managed}=true`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  const labels = [
    ...containers.map((c) => c.Labels),
    ...networks.map((n) => n.Labels),
    ...volumes.Volumes.map((v) => v.Labels),
  ];
  return new Set(
    labels.flatMap((l) => {
      const namespace = (l as Record<string, string> | null | undefined)?.[labelKeys.namespace];
      return namespace === undefined ? [] : [namespace];
    }),
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Waits until `watchPid` has ended, then reaps dead sessions of the test namespaces, again every
 * `pollMs` for `settleMs`, so that workers that outlived the main process are swept once they end.
 * Returns how many sessions it removed.
 */
export async function sweepAfter(options: {
  docker: Docker;
  watchPid: number;
  /** Namespaces, or prefixes ending in `*` (see namespacesToSweep). */
  namespaces: readonly string[];
  log: Logger;
  pollMs?: number;
  settleMs?: number;
}): Promise<number> {
  const pollMs = options.pollMs ?? 1_000;
  while (isAlive(options.watchPid)) await sleep(pollMs);
  const until = Date.now() + (options.settleMs ?? 30_000);
  let removed = 0;
  for (;;) {
    const namespaces = namespacesToSweep(
      await namespacesInEngine(options.docker),
      options.namespaces,
    );
    let remaining = 0;
    for (const namespace of namespaces) {
      const result = await reapDeadSessions(options.docker, namespace, options.log);
      removed += result.removedSessions.length;
      for (const problem of result.problems) options.log.warn(problem);
      const left = await listSessions(options.docker, namespace);
      remaining += left.filter((s) => !s.keep).length;
    }
    // Nothing but kept worlds left, or live runs that are not ending: either way, done.
    if (remaining === 0 || Date.now() >= until) break;
    await sleep(pollMs);
  }
  return removed;
}
