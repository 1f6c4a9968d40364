import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { raceDeadline } from '../util/deadline.ts';
import { describeError } from '../util/sovh-error.ts';

/** How a network's removal ended. */
export type NetworkRemoval =
  | { outcome: 'removed' }
  | { outcome: 'gone' }
  /** The engine keeps an endpoint no container holds any more: only an engine restart frees it. */
  | { outcome: 'stale-endpoint'; note: string }
  | { outcome: 'failed'; problem: string };

/** How long teardown waits for a network's endpoints to go once its containers are removed. */
export const endpointsGoneBoundMs = 30_000;
const engineCallBoundMs = 15_000;

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}

function hasActiveEndpoints(error: unknown): boolean {
  return /active endpoints/i.test(describeError(error));
}

/** One engine call, bounded: a stalled engine must not hold teardown. */
function bounded<T>(what: string, call: Promise<T>): Promise<T> {
  return raceDeadline(
    call,
    engineCallBoundMs,
    () => new Error(`the engine did not answer "${what}" within ${String(engineCallBoundMs)}ms`),
  );
}

/** The endpoints a network lists now: container ids (or names of stale ones) on it. */
async function endpointsOf(docker: Docker, networkId: string): Promise<string[]> {
  const info = (await bounded('network inspect', docker.getNetwork(networkId).inspect())) as {
    Containers?: Record<string, { Name?: string }> | null;
  };
  return Object.entries(info.Containers ?? {}).map(([id, c]) => c.Name ?? id);
}

/**
 * Takes every container off a network (forced) before the containers are removed. Removing a
 * container and its network side by side, under load, can leave the engine with an endpoint that
 * no container holds and that it never releases; disconnecting first is what prevents it.
 */
export async function disconnectAll(docker: Docker, networkId: string): Promise<void> {
  const endpoints = await endpointsOf(docker, networkId).catch(() => []);
  await Promise.all(
    endpoints.map((container) =>
      bounded(
        'network disconnect',
        docker.getNetwork(networkId).disconnect({ Container: container, Force: true }),
      ).catch(() => undefined),
    ),
  );
}

/**
 * Removes a network whose containers are gone: waits (bounded) for its endpoints to go, forces
 * off any the engine still lists, and retries while the engine says endpoints are active. A
 * network that lists no endpoint but still cannot be removed holds a stale one in the engine:
 * that is named, with the fix, and is not a failure of the run (later runs take other subnets).
 */
export async function removeNetwork(
  docker: Docker,
  network: { id: string; name: string },
  boundMs = endpointsGoneBoundMs,
): Promise<NetworkRemoval> {
  const deadline = Date.now() + boundMs;
  let lastError: unknown;
  for (;;) {
    try {
      const listed = await endpointsOf(docker, network.id);
      if (listed.length > 0) await disconnectAll(docker, network.id);
      await bounded('network remove', docker.getNetwork(network.id).remove());
      return { outcome: 'removed' };
    } catch (error) {
      if (statusOf(error) === 404) return { outcome: 'gone' };
      lastError = error;
      if (!hasActiveEndpoints(error) && !/did not answer/.test(describeError(error))) break;
    }
    if (Date.now() >= deadline) break;
    await sleep(500);
  }
  const listed = await endpointsOf(docker, network.id).catch(() => undefined);
  if (hasActiveEndpoints(lastError) && listed !== undefined && listed.length === 0) {
    return {
      outcome: 'stale-endpoint',
      note:
        `network ${network.name} keeps an endpoint that no container holds (an engine defect; ` +
        `\`docker network inspect\` lists none). Only an engine restart frees it: ` +
        '`systemctl restart docker` (or stop and start dockerd), then `npx sovh down --all`. ' +
        'Until then later runs use other subnets.',
    };
  }
  return {
    outcome: 'failed',
    problem: `network ${network.name}: ${describeError(lastError)}${
      listed !== undefined && listed.length > 0 ? ` (still attached: ${listed.join(', ')})` : ''
    }`,
  };
}
