import { storePort } from '../../contract/site-file.ts';
import { waitUntil } from '../../util/wait-until.ts';
import type { HostVm } from '../../world/host-vm.ts';
import type { World } from '../../world/world.ts';
import { tcpConnect, type TcpProbe } from './tcp-probe.ts';

/** Whether a host's store accepts a connection from its machine's zone observer right now. */
export async function probeStore(world: World, host: HostVm): Promise<TcpProbe> {
  return tcpConnect(world.observer(host.machine.spec.zone), host.address, storePort, 2);
}

/** Waits until a host's store accepts connections from its zone: the stack booted and serves. */
export async function awaitServing(
  world: World,
  host: HostVm,
  timeoutMs = 60_000,
): Promise<TcpProbe> {
  return waitUntil(
    async () => {
      const probe = await probeStore(world, host);
      return probe.connected ? probe : undefined;
    },
    {
      what: `the store of host ${host.name}`,
      expected: 'accepting connections',
      timeoutMs,
      // Each try is an exec in a container: a second apart keeps a boot wait cheap.
      intervalMs: 1_000,
    },
  );
}

/** The address of a node of the world (an observer, a simulator, a machine) by its name. */
export function nodeAddress(world: World, name: string): string {
  const node = world.describe().nodes.find((n) => n.name === name);
  if (node === undefined || node.address === '')
    throw new Error(`no running node named ${name} in this world`);
  return node.address;
}
