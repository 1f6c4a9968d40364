import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';
import { powerOffMachine, powerOnMachine } from './mains-failure.ts';

/**
 * A machine loses power (its UPS ran dry, a breaker tripped): every host on it stops at once. The
 * heal powers it on: its TPM starts afresh and the hosts that belong on it boot cold.
 */
export function machinePowerOff(machineName: string): Fault {
  return {
    name: `power-off-${machineName}`,
    description: `machine ${machineName} loses power: every host on it stops at once`,
    async invoke(world: World) {
      world.machine(machineName);
      await powerOffMachine(world, machineName);
      return () => powerOnMachine(world, machineName);
    },
  };
}
