import { machineBmc } from '../world/machine-devices.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';

/** The management protocols a simulated BMC answers on. */
export const bmcProtocols = ['ipmi', 'snmp'] as const;
export type BmcProtocol = (typeof bmcProtocols)[number];

/**
 * One protocol of a machine's BMC goes silent (its agent hangs): requests on its port are dropped
 * on arrival, while the other protocol and the sensors carry on. A thermal watch must fall back
 * to the other protocol for as long as this lasts, and only that long. The heal lets it answer.
 */
export function bmcProtocolSilence(machineName: string, protocol: BmcProtocol): Fault {
  return {
    name: `bmc-${protocol}-silence-${machineName}`,
    description: `the ${protocol} agent of machine ${machineName}'s BMC stops answering`,
    async invoke(world: World) {
      return machineBmc(world, machineName).silence(protocol);
    },
  };
}
