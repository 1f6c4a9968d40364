import { asRouter } from '../../sims/router/started-router.ts';
import type { World } from '../world/world.ts';
import { SovhError } from '../util/sovh-error.ts';
import type { Fault } from './fault.ts';

/** A 32-bit AS number BIRD takes in a path: 1 to 4294967294 (0 and 4294967295 are reserved). */
export function isAsNumber(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 4_294_967_294;
}

/**
 * A route leak: a router announces prefixes that are not its own (a domestic prefix appearing on
 * the foreign side of the exchange). With `originAsn` the leak keeps a domestic origin behind the
 * leaking AS, as a route passed on rather than made: only an AS in the middle of the path is
 * foreign, which a filter that looks at the origin alone lets through. The heal withdraws them.
 */
export function leakRoutes(
  routerName: string,
  prefixes: readonly string[],
  originAsn?: number,
): Fault {
  if (originAsn !== undefined && !isAsNumber(originAsn))
    throw new SovhError(
      'BAD_FAULT_PARAMETER',
      `origin ${originAsn} is not an AS number: give a whole number from 1 to 4294967294`,
    );
  const origin = originAsn === undefined ? '' : ` with origin AS ${originAsn}`;
  return {
    name: `route-leak-${routerName}`,
    description: `router ${routerName} announces ${prefixes.join(', ')} over BGP${origin}, which it does not own`,
    async invoke(world: World) {
      const router = asRouter(world.sim(routerName));
      for (const prefix of prefixes) await router.announce(prefix, originAsn);
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
