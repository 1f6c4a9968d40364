import { asRouter } from '../../sims/router/started-router.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';

/**
 * A route leak: a router announces prefixes that are not its own (a domestic prefix appearing on
 * the foreign side of the exchange). The heal withdraws them again.
 */
export function leakRoutes(routerName: string, prefixes: readonly string[]): Fault {
  return {
    name: `route-leak-${routerName}`,
    description: `router ${routerName} announces ${prefixes.join(', ')} over BGP, which it does not own`,
    async invoke(world: World) {
      const router = asRouter(world.sim(routerName));
      for (const prefix of prefixes) await router.announce(prefix);
      return async () => {
        for (const prefix of prefixes) await router.withdraw(prefix);
      };
    },
  };
}

/** A route revocation: a router withdraws a prefix it announces; the heal announces it again. */
export function withdrawRoute(routerName: string, prefix: string): Fault {
  return {
    name: `route-withdrawal-${routerName}`,
    description: `router ${routerName} withdraws ${prefix} from BGP`,
    async invoke(world: World) {
      const router = asRouter(world.sim(routerName));
      await router.withdraw(prefix);
      return async () => {
        await router.announce(prefix);
      };
    },
  };
}
