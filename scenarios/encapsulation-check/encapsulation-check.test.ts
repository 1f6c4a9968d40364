import { describe, expect, it } from 'vitest';
import { routesFor } from '../../harness/topology/route-plan.ts';
import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import { resolveTopology, serviceZones } from '../../harness/topology/topology-validator.ts';
import { routerOptions } from '../../sims/router/router.ts';
import scenario from './encapsulation-check.ts';

const kinds = { knownServiceKinds: ['router', 'sovereign-api'] };

function variant(name?: string): TopologyInput {
  const mutant = scenario.mutants.find((m) => m.name === name);
  return mutant?.topology?.(scenario.topology) ?? scenario.topology;
}

/** Each router's tunnels, with the zone kinds of their two endpoints as the topology places them. */
function tunnelEnds(input: TopologyInput) {
  const topology = resolveTopology(input, kinds);
  const kindOf = (zone: string) => topology.zones.find((z) => z.name === zone)?.kind;
  return topology.services
    .filter((s) => s.kind === 'router')
    .flatMap((s) =>
      routerOptions.parse(s.options).vxlan.map((t) => {
        const peer = topology.services.find((p) => p.name === t.peer);
        expect(serviceZones(s)).toContain(t.local);
        expect(peer && serviceZones(peer)).toContain(t.remote);
        return `${s.name}:${String(kindOf(t.local))}->${String(kindOf(t.remote))}`;
      }),
    );
}

describe('encapsulation-check topologies', () => {
  it('join the sites with a tunnel between domestic endpoints whose underlay crosses the exchange', () => {
    expect(tunnelEnds(variant())).toEqual([
      'gw-a:sovereign->sovereign',
      'gw-b:sovereign->sovereign',
    ]);
    const topology = resolveTopology(variant(), kinds);
    // The world's plan sends site A's router toward site B through the exchange router: the path
    // the tunnel's packets take once the carried CIDR is routed into it.
    expect(
      routesFor(topology, ['site-a', 'exchange-a'], 'gw-a').find(
        (r) => r.destinationZone === 'site-b',
      )?.via,
    ).toEqual({ router: 'ixp', zone: 'exchange-a' });
  });

  it('moves one endpoint abroad in the abroad mutant, and drop the tunnel in the bypass', () => {
    expect(tunnelEnds(variant('tunnel-endpoint-abroad'))).toEqual([
      'gw-a:sovereign->foreign',
      'gw-b:foreign->sovereign',
    ]);
    expect(tunnelEnds(variant('tunnel-bypassed'))).toEqual([]);
  });

  it('floods the same VNI from site A to a foreign router across the exchange in the bridged mutant', () => {
    const input = variant('vni-bridged-abroad');
    expect(tunnelEnds(input)).toEqual([
      'gw-a:sovereign->sovereign',
      'gw-b:sovereign->sovereign',
      'gw-x:foreign->sovereign',
    ]);
    const topology = resolveTopology(input, kinds);
    const gwA = topology.services.find((s) => s.name === 'gw-a');
    const [tunnel] = routerOptions.parse(gwA?.options).vxlan;
    expect(tunnel?.vni).toBe(
      routerOptions.parse(topology.services.find((s) => s.name === 'gw-x')?.options).vxlan[0]?.vni,
    );
    const flood = tunnel?.floodTo[0];
    const target = topology.services.find((s) => s.name === flood?.peer);
    expect(target && serviceZones(target)).toContain(flood?.remote);
    expect(topology.zones.find((z) => z.name === flood?.remote)?.kind).toBe('foreign');
    // The copies abroad take the underlay through the exchange router, as the tunnel's own do.
    expect(
      routesFor(topology, ['site-a', 'exchange-a'], 'gw-a').find(
        (r) => r.destinationZone === 'foreign',
      )?.via,
    ).toEqual({ router: 'ixp', zone: 'exchange-a' });
    expect(tunnelEnds(variant())).not.toContain('gw-x:foreign->sovereign');
  });
});
