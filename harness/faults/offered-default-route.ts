import { asRouter } from '../../sims/router/started-router.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';

/** Below any route a stack sets by hand, as a DHCP client's or a router advertisement's is. */
const offeredMetric = 100;

/**
 * The host's network offers its machine a default route through a router of the zone, as a DHCP
 * server or a router advertisement on a real network does, whatever the stack set up: the route
 * goes into the machine's namespace beside the stack's own, at metric 100. A fail-closed stack
 * keeps every domestic prefix that BGP withdraws unreachable all the same (its unreachable routes
 * for the domestic CIDRs are more specific than any default). The heal removes the route.
 */
export function offeredDefaultRoute(hostName: string, routerName: string): Fault {
  return {
    name: `offered-default-route-${hostName}`,
    description: `the network offers host ${hostName}'s machine a default route through router ${routerName} (metric ${offeredMetric}), as DHCP or a router advertisement would`,
    async invoke(world: World) {
      const pod = world.host(hostName).machine.pod;
      const via = asRouter(world.sim(routerName)).address;
      const route = ['default', 'via', via, 'metric', String(offeredMetric)];
      await pod.run(['ip', 'route', 'add', ...route], { timeoutMs: 10_000 });
      return async () => {
        await pod.run(['ip', 'route', 'del', ...route], { timeoutMs: 10_000 });
      };
    },
  };
}
