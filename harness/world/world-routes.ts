import type { StartedContainer } from '../runtime/started-container.ts';
import { routesFor } from '../topology/route-plan.ts';
import type { ResolvedTopology } from '../topology/topology-validator.ts';
import { serviceZones } from '../topology/topology-validator.ts';
import type { StartedSim, StaticRoute } from '../../sims/sim-kind.ts';
import type { StartedMachine } from './started-machine.ts';
import { applyStaticRoutes } from './static-routes.ts';

/** The address of a node on a zone's network. */
type AddressOf = (zone: string, node: string) => string;

function staticRoutes(
  topology: ResolvedTopology,
  zones: readonly string[],
  addressOf: AddressOf,
  self?: string,
): StaticRoute[] {
  return routesFor(topology, zones, self).flatMap((route) =>
    route.cidrs.map((cidr) => ({ cidr, via: addressOf(route.via.zone, route.via.router) })),
  );
}

/**
 * Gives every node the routes to the zones it is not on, through the routers of the topology (see
 * route-plan.ts): the observers (the harness's eyes reach every zone a router connects), the
 * simulators that accept routes, and the machines of zones with static routing. Machines of a
 * `bgp` zone get none: their hosts learn routes from the zone's BGP routers, or have none.
 */
export async function installStaticRoutes(
  topology: ResolvedTopology,
  addressOf: AddressOf,
  nodes: {
    observers: Map<string, StartedContainer>;
    sims: readonly StartedSim[];
    machines: readonly StartedMachine[];
  },
): Promise<void> {
  const zoneOf = new Map(topology.zones.map((z) => [z.name, z]));
  await Promise.all([
    ...[...nodes.observers].map(([zone, observer]) =>
      applyStaticRoutes(observer, staticRoutes(topology, [zone], addressOf)),
    ),
    ...nodes.sims.map(async (sim) => {
      const service = topology.services.find((s) => s.name === sim.name);
      if (service === undefined || sim.addRoutes === undefined) return;
      await sim.addRoutes(staticRoutes(topology, serviceZones(service), addressOf, service.name));
    }),
    ...nodes.machines.map(async (machine) => {
      // The engine's default route leads to the engine host, which drops everything from an
      // internal network: a machine's only routes are the ones its network gives it.
      await machine.removeDefaultRoute();
      if (zoneOf.get(machine.spec.zone)?.routing === 'bgp') return;
      await machine.addRoutes(staticRoutes(topology, [machine.spec.zone], addressOf));
    }),
  ]);
}
