import type { ResolvedTopology } from './topology-validator.ts';
import { serviceZones } from './topology-validator.ts';

/** A static route: the destination zone's CIDRs are reached through a router on the node's zone. */
export interface PlannedRoute {
  destinationZone: string;
  cidrs: string[];
  /** The router to hand packets to, and the zone (network) it is reached on. */
  via: { router: string; zone: string };
}

/** The zones each router joins, in declaration order (a router is a service with legs). */
function routersOf(topology: ResolvedTopology): { name: string; zones: string[] }[] {
  return topology.services
    .filter((s) => s.legs.length > 0)
    .map((s) => ({ name: s.name, zones: serviceZones(s) }));
}

/** Hop counts from every zone to `destination`, over routers; unreachable zones are absent. */
function distancesTo(destination: string, routers: { zones: string[] }[]): Map<string, number> {
  const distance = new Map([[destination, 0]]);
  const queue = [destination];
  for (let zone = queue.shift(); zone !== undefined; zone = queue.shift()) {
    const hops = distance.get(zone) ?? 0;
    for (const router of routers.filter((r) => r.zones.includes(zone))) {
      for (const next of router.zones) {
        if (!distance.has(next)) {
          distance.set(next, hops + 1);
          queue.push(next);
        }
      }
    }
  }
  return distance;
}

/**
 * The static routes a node on `zones` needs toward every zone it is not on: shortest path by
 * router hops, ties broken by declaration order, so the plan is the same on every run. A router
 * passes itself as `self` so that it never routes through itself.
 */
export function routesFor(
  topology: ResolvedTopology,
  zones: readonly string[],
  self?: string,
): PlannedRoute[] {
  const routers = routersOf(topology);
  const routes: PlannedRoute[] = [];
  for (const destination of topology.zones) {
    if (zones.includes(destination.name)) continue;
    const distance = distancesTo(destination.name, routers);
    const reachable = zones.filter((z) => distance.has(z));
    if (reachable.length === 0) continue;
    const nearest = reachable.reduce((best, z) =>
      (distance.get(z) ?? 0) < (distance.get(best) ?? 0) ? z : best,
    );
    const hops = distance.get(nearest) ?? 0;
    const router = routers.find(
      (r) =>
        r.name !== self &&
        r.zones.includes(nearest) &&
        r.zones.some((z) => distance.get(z) === hops - 1),
    );
    if (router === undefined) continue;
    routes.push({
      destinationZone: destination.name,
      cidrs: destination.cidrs,
      via: { router: router.name, zone: nearest },
    });
  }
  return routes;
}
