import { locateEngine } from '../../engine/engine-locator.ts';
import { askSupervisor } from '../../live/control-protocol.ts';
import { listWorldRecords, removeWorldDir, type WorldRecord } from '../../live/world-dirs.ts';
import { currentNamespace } from '../../runtime/labels.ts';
import { pruneOrphanHostRules } from '../../runtime/orphan-host-rules.ts';
import { removeSessions } from '../../runtime/reaper.ts';
import type { Logger } from '../../util/log.ts';
import { describeError, SovhError } from '../../util/sovh-error.ts';

/** Asks a live world's supervisor to go down; it writes the world's history as a report. */
async function downLiveWorld(record: WorldRecord): Promise<string> {
  const { reportDir } = (await askSupervisor(record.socket, record.name, { op: 'down' })) as {
    reportDir: string;
  };
  return reportDir;
}

/**
 * `sovh down [WORLD] [--all]`: brings live worlds down through their supervisors (each writes its
 * report), then removes kept worlds and dead runs' leftovers; with WORLD only that world; with
 * --all every run's.
 */
export async function downCommand(
  world: string | undefined,
  options: { all?: boolean; session?: string },
  log: Logger,
): Promise<number> {
  const namespace = currentNamespace();
  const records = await listWorldRecords(namespace);
  const chosen = world === undefined ? records : records.filter((r) => r.record.name === world);
  if (world !== undefined && chosen.length === 0) {
    const up = records.map((r) => r.record.name);
    throw new SovhError(
      'UNKNOWN_WORLD',
      `no world named "${world}" is up; ${up.length === 0 ? 'no world is up' : `worlds up: ${up.join(', ')}`} (\`npx sovh down\` alone removes every kept world and dead run's leftovers)`,
    );
  }
  let problems = 0;
  const leftSessions: string[] = [];
  if (options.session === undefined) {
    for (const { dir, record, alive } of chosen) {
      if (alive && record.state !== 'starting') {
        try {
          const reportDir = await downLiveWorld(record);
          process.stdout.write(`world ${record.name} is down; its history: ${reportDir}\n`);
          continue;
        } catch (error) {
          log.warn(
            `world ${record.name}'s supervisor could not bring it down: ${describeError(error)}`,
          );
        }
      }
      // A supervisor that is gone leaves its world to be removed by its labels.
      if (record.sessionId !== undefined) leftSessions.push(record.sessionId);
      if (!alive) await removeWorldDir(dir);
    }
  }
  const engine = await locateEngine();
  if (engine === undefined) {
    log.info('no container engine answered: nothing more to remove');
    return 0;
  }
  const targets: (string | undefined)[] =
    world === undefined ? [options.session] : leftSessions.length > 0 ? leftSessions : [];
  let removed = 0;
  const counts = { containers: 0, networks: 0, volumes: 0 };
  for (const sessionId of targets) {
    const result = await removeSessions(
      engine.docker,
      namespace,
      { all: options.all === true, ...(sessionId === undefined ? {} : { sessionId }) },
      log,
    );
    removed += result.removedSessions.length;
    counts.containers += result.containers;
    counts.networks += result.networks;
    counts.volumes += result.volumes;
    for (const problem of result.problems) process.stderr.write(`could not remove ${problem}\n`);
    problems += result.problems.length;
  }
  if (targets.length > 0)
    process.stdout.write(
      `removed ${removed} run(s): ${counts.containers} container(s), ${counts.networks} network(s), ${counts.volumes} volume(s)\n`,
    );
  // Outside the engine's objects: the host rules runs add for their bridges. Those of gone
  // bridges (a run killed before its teardown) go now, whichever namespace made them.
  try {
    const pruned = await pruneOrphanHostRules(engine.docker);
    if (pruned.removed.length > 0)
      process.stdout.write(
        `removed the host routing rules of ${String(pruned.removed.length)} gone bridge(s): ${pruned.removed.join(', ')}\n`,
      );
  } catch (error) {
    process.stderr.write(`could not remove ${describeError(error)}\n`);
    problems += 1;
  }
  // Notes (a stale endpoint only an engine restart frees) were already printed as warnings.
  return problems === 0 ? 0 : 1;
}
