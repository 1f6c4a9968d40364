import type Docker from 'dockerode';
import { raceDeadline } from '../util/deadline.ts';
import { labelFilter, labelKeys } from './labels.ts';
import { disconnectAll, endpointsGoneBoundMs, removeNetwork } from './network-removal.ts';
import {
  engineHostHelperRole,
  unlockFromOutside,
  unlockManyFromOutside,
  unlockVolumeFromOutside,
} from './outside-unlock.ts';

/** The harness's resources in one namespace, grouped by the session that made them. */
export interface SessionResources {
  sessionId: string;
  owner: string | undefined;
  keep: boolean;
  scenario: string | undefined;
  containers: {
    id: string;
    name: string;
    node: string | undefined;
    role: string | undefined;
    state: string;
    /** Files to unlock (chattr -i) before removal; see labelKeys.unlockPaths. */
    unlockPaths?: string[];
    /** The harness image that unlocks them from outside; see labelKeys.unlockWith. */
    unlockWith?: string;
    labels: Record<string, string>;
    /** Joins another container's network namespace (a host or TPM in a machine's pod). */
    joinsNamespace: boolean;
  }[];
  networks: { id: string; name: string }[];
  volumes: {
    name: string;
    /** The harness image that unlocks its files when a removal meets an immutable one. */
    unlockWith?: string;
    labels: Record<string, string>;
  }[];
}

export async function listSessions(
  docker: Docker,
  namespace: string,
  sessionId?: string,
): Promise<SessionResources[]> {
  const filters = labelFilter(namespace, sessionId);
  const [containers, networks, volumeList] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  const sessions = new Map<string, SessionResources>();
  const sessionOf = (labels: Record<string, string> | null | undefined): SessionResources => {
    const id = labels?.[labelKeys.session] ?? 'unknown';
    let entry = sessions.get(id);
    if (entry === undefined) {
      entry = {
        sessionId: id,
        owner: labels?.[labelKeys.owner],
        keep: labels?.[labelKeys.keep] === 'true',
        scenario: labels?.[labelKeys.scenario],
        containers: [],
        networks: [],
        volumes: [],
      };
      sessions.set(id, entry);
    }
    return entry;
  };
  for (const container of containers) {
    sessionOf(container.Labels).containers.push({
      id: container.Id,
      name: (container.Names[0] ?? container.Id).replace(/^\//, ''),
      node: container.Labels[labelKeys.node],
      role: container.Labels[labelKeys.role],
      state: container.State,
      unlockPaths: container.Labels[labelKeys.unlockPaths]?.split(',').filter(Boolean),
      unlockWith: container.Labels[labelKeys.unlockWith],
      labels: container.Labels,
      joinsNamespace: container.HostConfig.NetworkMode.startsWith('container:'),
    });
  }
  for (const network of networks) {
    sessionOf(network.Labels).networks.push({ id: network.Id, name: network.Name });
  }
  for (const volume of volumeList.Volumes) {
    // Volume labels may be null on some engines; sessionOf reads them with optional chaining.
    const labels = (volume.Labels as Record<string, string> | null) ?? {};
    sessionOf(labels).volumes.push({
      name: volume.Name,
      unlockWith: labels[labelKeys.unlockWith],
      labels,
    });
  }
  return [...sessions.values()];
}

type SessionContainer = SessionResources['containers'][number];

/** A container that may hold files it locked, and that the engine can still start or reach. */
function mayHoldLocks(c: SessionContainer): boolean {
  return (
    (c.unlockPaths?.length ?? 0) > 0 &&
    c.unlockWith !== undefined &&
    c.state !== 'dead' &&
    c.state !== 'removing'
  );
}

/**
 * Clears the immutable flag of the files the session's containers may have locked, from harness
 * containers (outside-unlock.ts): never with the containers' own tools. A stopped container is
 * started for that: the engine cannot remove one that holds an immutable file, and would leave it
 * "dead". One helper in the engine host's PID namespace serves every container; where the engine
 * refuses it, one helper joins each container's PID namespace instead. Bounded: a hung container
 * must not stall teardown. Failures are left to the removal, which names what stays.
 */
async function unlockSessionFiles(docker: Docker, containers: SessionContainer[]): Promise<void> {
  const locking = containers.filter(mayHoldLocks);
  const running = await Promise.all(
    locking.map(async (c) => {
      try {
        const container = docker.getContainer(c.id);
        if (c.state !== 'running') await container.start();
        const { State } = await container.inspect();
        return State.Running && State.Pid > 0 ? { container: c, pid: State.Pid } : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  const targets = running.filter((t) => t !== undefined);
  const [first] = targets;
  if (first === undefined) return;
  try {
    await unlockManyFromOutside(
      docker,
      targets.map((t) => ({ pid: t.pid, paths: t.container.unlockPaths ?? [] })),
      {
        image: first.container.unlockWith as string,
        labels: first.container.labels,
        unlocker: containers.find((c) => c.role === engineHostHelperRole && c.state === 'running')
          ?.id,
      },
    );
  } catch {
    await Promise.all(
      targets.map(({ container: c }) =>
        unlockFromOutside(docker, c, c.unlockWith as string, c.unlockPaths ?? []).catch(
          () => undefined,
        ),
      ),
    );
  }
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number } | undefined)?.statusCode === 404;
}

/** What removing a session's resources left: failures, and engine states named with their fix. */
export interface RemovalOutcome {
  /** Resources that could not be removed: a defect of this run's teardown. */
  problems: string[];
  /** Engine states that are not the run's fault (a stale endpoint), each with its fix. */
  notes: string[];
}

/**
 * Removes a session's resources: networks emptied first (every container disconnected, forced),
 * then containers (guests of a network namespace before its owner), then networks once their
 * endpoints are gone, then volumes. Resources already gone are fine; anything else that fails is
 * reported, and a network the engine cannot free is named as such (see removeNetwork).
 */
export async function removeSessionResources(
  docker: Docker,
  session: SessionResources,
): Promise<RemovalOutcome> {
  const outcome: RemovalOutcome = { problems: [], notes: [] };
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      if (!isNotFound(error)) outcome.problems.push(`${what}: ${(error as Error).message}`);
    }
  };
  const removeContainers = (containers: SessionResources['containers']) =>
    Promise.all(
      containers.map(async (c) => {
        await attempt(`container ${c.name}`, () =>
          raceDeadline(
            docker.getContainer(c.id).remove({ force: true, v: true }),
            containerRemovalBoundMs,
            () =>
              new Error(`not removed by the engine within ${String(containerRemovalBoundMs)}ms`),
          ),
        );
      }),
    );
  const disconnecting = Promise.all(session.networks.map((n) => disconnectAll(docker, n.id)));
  // A stopped container is started for its unlock: only once its networks are emptied, so that
  // it does not come back onto them. Running ones are unlocked meanwhile.
  if (session.containers.some((c) => mayHoldLocks(c) && c.state !== 'running')) {
    await disconnecting;
    await unlockSessionFiles(docker, session.containers);
  } else {
    await Promise.all([disconnecting, unlockSessionFiles(docker, session.containers)]);
  }
  // Containers living in another's network namespace go first: removing a namespace's owner
  // while its guests are being removed can leave the engine with a network endpoint it never
  // releases (the network then cannot be removed until the engine restarts).
  await removeContainers(session.containers.filter((c) => c.joinsNamespace));
  await removeContainers(session.containers.filter((c) => !c.joinsNamespace));
  // With no container of the session left when it was listed, no endpoint of its networks is on
  // its way out: one try tells a stale endpoint (an engine defect that only a restart frees) from
  // a removable network. Waiting the teardown's bound for it instead cost every later run of the
  // machine 30 s while such a network stayed.
  const endpointsBoundMs = session.containers.length === 0 ? 0 : endpointsGoneBoundMs;
  const removals = await Promise.all(
    session.networks.map((n) => removeNetwork(docker, n, endpointsBoundMs)),
  );
  for (const removal of removals) {
    if (removal.outcome === 'failed') outcome.problems.push(removal.problem);
    if (removal.outcome === 'stale-endpoint') outcome.notes.push(removal.note);
  }
  await Promise.all(
    session.volumes.map((v) =>
      attempt(`volume ${v.name}`, () => removeVolume(docker, v, session.containers)),
    ),
  );
  return outcome;
}

const containerRemovalBoundMs = 60_000;

function isNotPermitted(error: unknown): boolean {
  return /operation not permitted/i.test((error as Error | undefined)?.message ?? '');
}

/**
 * Removes a volume; one the engine cannot delete because a file in it is immutable (a machine's
 * resolv.conf that a host locked, when the run died before its teardown unlocked it) is unlocked
 * from outside first, with the helper image its labels or its session's containers name.
 */
async function removeVolume(
  docker: Docker,
  volume: SessionResources['volumes'][number],
  containers: SessionResources['containers'],
): Promise<void> {
  try {
    await docker.getVolume(volume.name).remove({ force: true });
  } catch (error) {
    const helperImage = volume.unlockWith ?? containers.find((c) => c.unlockWith)?.unlockWith;
    if (!isNotPermitted(error) || helperImage === undefined) throw error;
    await unlockVolumeFromOutside(docker, volume, helperImage);
    await docker.getVolume(volume.name).remove({ force: true });
  }
}
