import { describeError } from '../util/sovh-error.ts';
import type { World } from '../world/world.ts';

const tailLines = 10;

/**
 * The hosts whose stack exited while their VM was up, each in one line with its exit code, the
 * contract rule it broke and its last log lines. A schedule that stopped because a stack died
 * says so by name, instead of only "the store did not answer".
 */
export async function stackExits(world: World): Promise<string[]> {
  const exits: string[] = [];
  for (const host of world.allHosts()) {
    if (!host.isRunning) continue;
    const { container } = host;
    try {
      const state = (await container.docker.getContainer(container.id).inspect()).State;
      if (state.Running) continue;
      const output = (await container.logs(tailLines).catch(() => '')).trimEnd();
      exits.push(
        `host ${host.name}'s stack exited with code ${state.ExitCode} while its VM was up; the contract says it keeps running until the container is stopped; its last lines: ${output.split('\n').join(' | ') || '(none)'}`,
      );
    } catch (error) {
      exits.push(`host ${host.name}'s container could not be inspected: ${describeError(error)}`);
    }
  }
  return exits;
}
