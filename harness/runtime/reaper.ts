import type Docker from 'dockerode';
import type { Logger } from '../util/log.ts';
import { listSessions, removeSessionResources, type SessionResources } from './engine-resources.ts';
import { isOwnerDead, parseIdentity } from './process-identity.ts';

export interface ReapResult {
  removedSessions: string[];
  containers: number;
  networks: number;
  volumes: number;
  problems: string[];
  /** Engine states named with their fix (a stale endpoint), not failures of the harness. */
  notes: string[];
}

/** A session is dead when its owner process is gone and nobody asked to keep it (`sovh up`). */
export function isDeadSession(session: SessionResources): boolean {
  if (session.keep) return false;
  const owner = session.owner === undefined ? undefined : parseIdentity(session.owner);
  // Resources without a readable owner can only have come from a crashed or foreign writer.
  return owner === undefined || isOwnerDead(owner);
}

async function reap(
  docker: Docker,
  sessions: SessionResources[],
  log: Logger,
): Promise<ReapResult> {
  const result: ReapResult = {
    removedSessions: [],
    containers: 0,
    networks: 0,
    volumes: 0,
    problems: [],
    notes: [],
  };
  for (const session of sessions) {
    const { problems, notes } = await removeSessionResources(docker, session);
    result.removedSessions.push(session.sessionId);
    result.containers += session.containers.length;
    result.networks += session.networks.length;
    result.volumes += session.volumes.length;
    result.problems.push(...problems);
    result.notes.push(...notes);
    for (const note of notes) log.warn(note);
    log.detail(
      `removed session ${session.sessionId}: ${session.containers.length} containers, ` +
        `${session.networks.length} networks, ${session.volumes.length} volumes`,
    );
  }
  return result;
}

/** Removes what dead runs left behind in this namespace. Live runs and kept runs are untouched. */
export async function reapDeadSessions(
  docker: Docker,
  namespace: string,
  log: Logger,
): Promise<ReapResult> {
  const dead = (await listSessions(docker, namespace)).filter(isDeadSession);
  if (dead.length > 0) log.info(`removing leftovers of ${dead.length} dead run(s)`);
  return reap(docker, dead, log);
}

/**
 * `sovh down`: removes kept sessions (`sovh up`), and with `all` every session of the namespace,
 * live or not.
 */
export async function removeSessions(
  docker: Docker,
  namespace: string,
  options: { all: boolean; sessionId?: string },
  log: Logger,
): Promise<ReapResult> {
  const sessions = await listSessions(docker, namespace, options.sessionId);
  const chosen = options.all ? sessions : sessions.filter((s) => s.keep || isDeadSession(s));
  return reap(docker, chosen, log);
}
