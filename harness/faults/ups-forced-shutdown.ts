import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';
import { upsNamed } from './mains-failure.ts';

/**
 * A primary monitor (the UPS's own management, or the site's power manager) orders a forced
 * shutdown: upsd sets FSD on the UPS, as NUT's `upsmon -c fsd` does on the primary. The heal
 * clears FSD (NUT itself clears it only by restarting upsd).
 */
export function upsForcedShutdown(upsName: string): Fault {
  return {
    name: `ups-forced-shutdown-${upsName}`,
    description: `upsd sets FSD (forced shutdown) on UPS ${upsName}, as a primary monitor orders it`,
    async invoke(world: World) {
      const ups = upsNamed(world, upsName);
      await ups.forcedShutdown();
      return async () => {
        await ups.clearForcedShutdown();
      };
    },
  };
}
