import type { StartedContainer } from '../runtime/started-container.ts';
import type { StartedNetwork } from '../runtime/internal-network.ts';
import { observerName } from '../topology/address-plan.ts';
import { routesFor } from '../topology/route-plan.ts';
import type { ResolvedTopology } from '../topology/topology-validator.ts';
import { serviceZones } from '../topology/topology-validator.ts';
import type { StartedSim, StaticRoute } from '../../sims/sim-kind.ts';
import type { StartedMachine } from './started-machine.ts';
import { applyStaticRoutes } from './static-routes.ts';

/** Every node's IPv6 address on each dual-stack zone network: zone, then node, then address. */
export type Ipv6Addresses = Map<string, Map<string, string>>;

/**
 * The IPv6 routes a node on `zones` needs: the IPv4 plan's paths (route-plan.ts), to each dual-stack
 * zone's IPv6 ranges, through the same router's IPv6 address. Pure, for its unit test.
 */
export function ipv6RoutesFor(
  topology: ResolvedTopology,
  zones: readonly string[],
  addresses: Ipv6Addresses,
  self?: string,
): StaticRoute[] {
  const ranges = new Map(topology.zones.map((z) => [z.name, z.ipv6Cidrs]));
  return routesFor(topology, zones, self).flatMap((route) => {
    const via = addresses.get(route.via.zone)?.get(route.via.router);
    if (via === undefined) return [];
    return (ranges.get(route.destinationZone) ?? []).map((cidr) => ({ cidr, via }));
  });
}

/**
 * Reads every node's IPv6 addresses from the engine. The engine assigns them (a harness-chosen
 * address could collide with one it gave a container started earlier), so they are read back.
 */
export async function readIpv6Addresses(
  networks: readonly StartedNetwork[],
  nodes: readonly { node: string; container: StartedContainer }[],
): Promise<Ipv6Addresses> {
  const zoneOf = new Map(
    networks.filter((n) => n.subnet6 !== undefined).map((n) => [n.name, n.logicalName]),
  );
  const addresses: Ipv6Addresses = new Map(
    [...zoneOf.values()].map((zone) => [zone, new Map<string, string>()]),
  );
  if (zoneOf.size === 0) return addresses;
  for (const { node, container } of nodes) {
    for (const [network, address] of await container.ipv6Addresses()) {
      const zone = zoneOf.get(network);
      if (zone !== undefined) addresses.get(zone)?.set(node, address);
    }
  }
  return addresses;
}

/**
 * Gives the observers, the simulators that accept routes and the machines of static zones their
 * IPv6 routes, as installStaticRoutes does for IPv4, and takes the engine's IPv6 default route
 * off the machines (it leads to the engine host, which drops it: see ipv6-bridge-isolation.ts).
 */
export async function installIpv6Routes(
  topology: ResolvedTopology,
  addresses: Ipv6Addresses,
  nodes: {
    observers: Map<string, StartedContainer>;
    sims: readonly StartedSim[];
    machines: readonly StartedMachine[];
  },
): Promise<void> {
  if (![...addresses.values()].some((zone) => zone.size > 0)) return;
  const zoneOf = new Map(topology.zones.map((z) => [z.name, z]));
  await Promise.all([
    ...[...nodes.observers].map(([zone, observer]) =>
      applyStaticRoutes(observer, ipv6RoutesFor(topology, [zone], addresses)),
    ),
    ...nodes.sims.map(async (sim) => {
      const service = topology.services.find((s) => s.name === sim.name);
      if (service === undefined || sim.addRoutes === undefined) return;
      const routes = ipv6RoutesFor(topology, serviceZones(service), addresses, service.name);
      if (routes.length > 0) await sim.addRoutes(routes);
    }),
    ...nodes.machines.map(async (machine) => {
      if (!addresses.get(machine.spec.zone)?.has(machine.spec.name)) return;
      await machine.removeDefaultRoute('ipv6');
      if (zoneOf.get(machine.spec.zone)?.routing === 'bgp') return;
      await machine.addRoutes(ipv6RoutesFor(topology, [machine.spec.zone], addresses));
    }),
  ]);
}

/** The nodes whose IPv6 addresses the world records: observers, simulators, machines. */
export function ipv6Nodes(
  observers: Map<string, StartedContainer>,
  sims: readonly StartedSim[],
  machines: readonly StartedMachine[],
): { node: string; container: StartedContainer }[] {
  return [
    ...[...observers].map(([zone, container]) => ({ node: observerName(zone), container })),
    ...sims.map((sim) => ({ node: sim.name, container: sim.container })),
    ...machines.map((machine) => ({ node: machine.spec.name, container: machine.pod })),
  ];
}
