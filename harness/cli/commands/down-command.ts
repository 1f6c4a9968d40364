import { locateEngine } from '../../engine/engine-locator.ts';
import { currentNamespace } from '../../runtime/labels.ts';
import { removeSessions } from '../../runtime/reaper.ts';
import { pruneOrphanHostRules } from '../../runtime/orphan-host-rules.ts';
import type { Logger } from '../../util/log.ts';
import { describeError } from '../../util/sovh-error.ts';

/** `sovh down [--all]`: removes kept worlds and dead runs' leftovers; with --all, every run's. */
export async function downCommand(
  options: { all?: boolean; session?: string },
  log: Logger,
): Promise<number> {
  const engine = await locateEngine();
  if (engine === undefined) {
    log.info('no container engine answered: nothing to remove');
    return 0;
  }
  const result = await removeSessions(
    engine.docker,
    currentNamespace(),
    { all: options.all === true, sessionId: options.session },
    log,
  );
  process.stdout.write(
    `removed ${result.removedSessions.length} run(s): ${result.containers} container(s), ${result.networks} network(s), ${result.volumes} volume(s)\n`,
  );
  const problems = [...result.problems];
  // Outside the engine's objects: the host rules runs add for their bridges. Those of gone
  // bridges (a run killed before its teardown) go now, whichever namespace made them.
  try {
    const pruned = await pruneOrphanHostRules(engine.docker);
    if (pruned.removed.length > 0)
      process.stdout.write(
        `removed the host routing rules of ${String(pruned.removed.length)} gone bridge(s): ${pruned.removed.join(', ')}\n`,
      );
  } catch (error) {
    problems.push(describeError(error));
  }
  for (const problem of problems) process.stderr.write(`could not remove ${problem}\n`);
  // Notes (a stale endpoint only an engine restart frees) were already printed as warnings.
  return problems.length === 0 ? 0 : 1;
}
