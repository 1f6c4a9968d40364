import type Docker from 'dockerode';
import { SovhError } from '../util/sovh-error.ts';
import { labelFilter, labelKeys } from './labels.ts';
import { StartedContainer } from './started-container.ts';

/** When several containers carry a node's name, the one that acts for it. */
const rolePriority = ['host', 'sim', 'machine', 'observer', 'tpm'];

function rank(role: string | undefined): number {
  const index = rolePriority.findIndex((r) => role === r || role?.startsWith(`${r}:`));
  return index === -1 ? rolePriority.length : index;
}

/**
 * Finds the running container of a topology node (a host, a simulator, a machine) in the worlds
 * of a namespace, preferring kept worlds (`sovh up`) and then the newest.
 */
export async function findRunningNode(
  docker: Docker,
  namespace: string,
  node: string,
): Promise<StartedContainer> {
  const containers = await docker.listContainers({
    filters: { ...labelFilter(namespace), status: ['running'] },
  });
  const candidates = containers
    .filter((c) => c.Labels[labelKeys.node] === node)
    .sort(
      (a, b) =>
        Number(b.Labels[labelKeys.keep] === 'true') - Number(a.Labels[labelKeys.keep] === 'true') ||
        rank(a.Labels[labelKeys.role]) - rank(b.Labels[labelKeys.role]) ||
        b.Created - a.Created,
    );
  const chosen = candidates[0];
  if (chosen === undefined) {
    const running = [
      ...new Set(
        containers.map((c) => c.Labels[labelKeys.node]).filter((n): n is string => n !== undefined),
      ),
    ].sort();
    throw new SovhError(
      'UNKNOWN_NODE',
      running.length === 0
        ? `no node "${node}" is running: no world is up. Start one with \`npx sovh up <scenario>\``
        : `no running node named "${node}"; running nodes: ${running.join(', ')}`,
    );
  }
  return new StartedContainer(
    docker,
    chosen.Id,
    (chosen.Names[0] ?? chosen.Id).replace(/^\//, ''),
    node,
  );
}
