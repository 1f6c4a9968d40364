import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';

/**
 * Moves a VM, disks and all, to another machine (with its own TPM), the way an operator or an
 * orchestrator would; the heal moves it back to the machine it came from.
 */
export function migrateVm(hostName: string, targetMachine: string): Fault {
  return {
    name: `migrate-${hostName}-to-${targetMachine}`,
    description: `VM ${hostName} restarted with its disks on machine ${targetMachine}`,
    async invoke(world: World) {
      const host = world.host(hostName);
      const origin = host.machine;
      await host.migrate(world.machine(targetMachine));
      return async () => {
        await host.migrate(origin);
      };
    },
  };
}
