import type { StartedContainer } from '../runtime/started-container.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';

/** The interface that holds an address in a container's network namespace. */
async function deviceOf(container: StartedContainer, address: string): Promise<string> {
  const listing = (await container.run(['ip', '-o', '-4', 'addr', 'show'], { timeoutMs: 10_000 }))
    .stdout;
  const line = listing.split('\n').find((l) => l.includes(` ${address}/`));
  const device = line?.split(/\s+/)[1];
  if (device === undefined)
    throw new Error(`no interface of ${container.nodeName} holds ${address}: ${listing.trim()}`);
  return device;
}

/**
 * A destination outside the jurisdiction on a domestic path: the host's machine answers on a
 * second address that no domestic CIDR holds (as a host with a foreign provider's address would),
 * and one zone's observer gets an on-link route to it. A session from that observer to this
 * address is a session toward a foreign destination. The address belongs to the machine, a
 * container of the run; the heal removes the address and the route.
 */
export function foreignAddressOnMachine(options: {
  host: string;
  address: string;
  /** The zone whose observer will call the address (the host's own zone network). */
  clientZone: string;
  clientAddress: string;
}): Fault {
  const { host: hostName, address, clientZone, clientAddress } = options;
  return {
    name: `foreign-address-on-${hostName}`,
    description: `the machine of host ${hostName} also answers on ${address}, outside every domestic CIDR, reachable from ${clientZone}'s observer`,
    async invoke(world: World) {
      const machine = world.host(hostName).machine;
      const observer = world.observer(clientZone);
      const machineDevice = await deviceOf(machine.pod, machine.address);
      const observerDevice = await deviceOf(observer, clientAddress);
      await machine.pod.run(['ip', 'addr', 'add', `${address}/32`, 'dev', machineDevice], {
        timeoutMs: 10_000,
      });
      await observer.run(['ip', 'route', 'add', `${address}/32`, 'dev', observerDevice], {
        timeoutMs: 10_000,
      });
      return async () => {
        await observer.exec(['ip', 'route', 'del', `${address}/32`], { timeoutMs: 10_000 });
        await machine.pod.exec(['ip', 'addr', 'del', `${address}/32`, 'dev', machineDevice], {
          timeoutMs: 10_000,
        });
      };
    },
  };
}
