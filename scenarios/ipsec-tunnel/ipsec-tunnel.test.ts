import { describe, expect, it } from 'vitest';
import { planZoneNetworks } from '../../harness/topology/address-plan.ts';
import { routesFor } from '../../harness/topology/route-plan.ts';
import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import { resolveTopology } from '../../harness/topology/topology-validator.ts';
import { inRanges } from './ipsec-packets.ts';
import { exchangeRouter, policyRanges, sites } from './ipsec-plan.ts';
import scenario from './ipsec-tunnel.ts';

const kinds = { knownServiceKinds: ['router'] };

function variant(name?: string) {
  const mutant = scenario.mutants.find((m) => m.name === name);
  const input: TopologyInput = mutant?.topology?.(scenario.topology) ?? scenario.topology;
  return resolveTopology(input, kinds);
}

/** The ranges of a site's zones that no policy range of its router contains. */
function unprotected(name: string | undefined, site: 'a' | 'b'): string[] {
  const topology = variant(name);
  return topology.zones
    .filter((z) => (sites[site].zones as readonly string[]).includes(z.name))
    .flatMap((z) => z.cidrs)
    .filter((cidr) => !inRanges(cidr.split('/')[0], policyRanges[site]));
}

/** The zone a router's tunnel endpoint is on: its own zone in the topology. */
function endpointZone(name: string | undefined, router: string) {
  const topology = variant(name);
  const zone = topology.services.find((s) => s.name === router)?.zone;
  return topology.zones.find((z) => z.name === zone);
}

describe('ipsec-tunnel', () => {
  it('needs ESP in the kernel, so that a kernel without it reports every check not applicable, by name', () => {
    expect(scenario.needs).toContain('xfrm-esp');
  });

  it('gives each zone a network and routes the sites to each other across the exchange', () => {
    const topology = variant();
    expect(planZoneNetworks(topology).map((n) => n.zone)).toEqual([
      'site-a',
      'site-b',
      'site-b-lab',
      'exchange-a',
      'exchange-b',
    ]);
    const fromA = routesFor(topology, ['site-a', 'exchange-a'], sites.a.router);
    expect(fromA.filter((r) => r.destinationZone.startsWith('site-b')).map((r) => r.via)).toEqual([
      { router: exchangeRouter, zone: 'exchange-a' },
      { router: exchangeRouter, zone: 'exchange-a' },
    ]);
  });

  it("names every subnet of both sites in the routers' policies, with both endpoints domestic", () => {
    expect(unprotected(undefined, 'a')).toEqual([]);
    expect(unprotected(undefined, 'b')).toEqual([]);
    expect(endpointZone(undefined, sites.a.router)?.kind).toBe('sovereign');
    expect(endpointZone(undefined, sites.b.router)?.kind).toBe('sovereign');
  });

  it("leaves site B's lab out of the policies when it is renumbered", () => {
    expect(unprotected('policy-misses-a-subnet', 'b')).toEqual(['10.58.0.0/16']);
    expect(unprotected('policy-misses-a-subnet', 'a')).toEqual([]);
  });

  it("puts site B's endpoint in a foreign region, still reached across the exchange", () => {
    const mutant = 'tunnel-to-foreign-endpoint';
    expect(endpointZone(mutant, sites.b.router)?.kind).toBe('foreign');
    expect(endpointZone(mutant, sites.a.router)?.kind).toBe('sovereign');
    const topology = variant(mutant);
    const toForeign = routesFor(topology, ['exchange-a', 'exchange-b'], exchangeRouter).find(
      (r) => r.destinationZone === 'foreign',
    );
    expect(toForeign?.via).toEqual({ router: sites.b.router, zone: 'exchange-b' });
    expect(unprotected(mutant, 'b')).toEqual([]);
  });

  it('has a mutant for every check', () => {
    const named = new Set(scenario.mutants.flatMap((m) => m.expectFailing));
    expect(scenario.checks.map((c) => c.name).filter((c) => !named.has(c))).toEqual([]);
  });
});
