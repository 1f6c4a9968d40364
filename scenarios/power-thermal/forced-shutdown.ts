import type { Fault } from '../../harness/faults/fault.ts';
import type { World } from '../../harness/world/world.ts';
import { machineUps } from '../../harness/world/machine-devices.ts';

/**
 * A primary monitor (the UPS's own management, or the site's power manager) orders a forced
 * shutdown: upsd sets FSD on the UPS feeding `machine`, as NUT's `upsmon -c fsd` does on the
 * primary. The heal clears FSD (NUT clears it only by restarting upsd). A fault of this scenario
 * family; the registry of named faults does not list it.
 */
export function upsForcedShutdown(machine: string): Fault {
  return {
    name: `ups-forced-shutdown-${machine}`,
    description: `upsd sets FSD (forced shutdown) on the UPS feeding ${machine}, as a primary monitor orders it`,
    async invoke(world: World) {
      const ups = machineUps(world, machine);
      await ups.forcedShutdown();
      return async () => {
        await ups.clearForcedShutdown();
      };
    },
  };
}
