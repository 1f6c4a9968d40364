import { describe, expect, it } from 'vitest';
import { planZoneNetworks } from './address-plan.ts';
import { routesFor } from './route-plan.ts';
import type { TopologyInput } from './topology-schema.ts';
import { resolveTopology } from './topology-validator.ts';

const kinds = { knownServiceKinds: ['router', 'endpoint'] };

/** sovereign - edge - exchange - ixp - foreign, and a domestic site behind metro. */
const chain: TopologyInput = {
  zones: [
    { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/16'] },
    { name: 'dc2', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.41.0.0/16'] },
    { name: 'exchange', jurisdiction: 'NL', kind: 'exchange', cidrs: ['10.60.0.0/16'] },
    { name: 'foreign', jurisdiction: 'US', kind: 'foreign', cidrs: ['10.80.0.0/16'] },
  ],
  services: [
    { name: 'metro', kind: 'router', zone: 'sovereign', legs: ['dc2'] },
    { name: 'edge', kind: 'router', zone: 'sovereign', legs: ['exchange'] },
    { name: 'ixp', kind: 'router', zone: 'exchange', legs: ['foreign'] },
    { name: 'api', kind: 'endpoint', zone: 'foreign' },
  ],
};

describe('routesFor', () => {
  const topology = resolveTopology(chain, kinds);

  it('routes a member of a zone to every other zone through the first router on the shortest path', () => {
    expect(routesFor(topology, ['sovereign'])).toEqual([
      {
        destinationZone: 'dc2',
        cidrs: ['10.41.0.0/16'],
        via: { router: 'metro', zone: 'sovereign' },
      },
      {
        destinationZone: 'exchange',
        cidrs: ['10.60.0.0/16'],
        via: { router: 'edge', zone: 'sovereign' },
      },
      {
        destinationZone: 'foreign',
        cidrs: ['10.80.0.0/16'],
        via: { router: 'edge', zone: 'sovereign' },
      },
    ]);
  });

  it('gives a router routes only to zones it has no leg on, never through itself', () => {
    expect(routesFor(topology, ['sovereign', 'exchange'], 'edge')).toEqual([
      {
        destinationZone: 'dc2',
        cidrs: ['10.41.0.0/16'],
        via: { router: 'metro', zone: 'sovereign' },
      },
      {
        destinationZone: 'foreign',
        cidrs: ['10.80.0.0/16'],
        via: { router: 'ixp', zone: 'exchange' },
      },
    ]);
    expect(
      routesFor(topology, ['exchange', 'foreign'], 'ixp').map((r) => [
        r.destinationZone,
        r.via.router,
      ]),
    ).toEqual([
      ['sovereign', 'edge'],
      ['dc2', 'edge'],
    ]);
  });

  it('leaves out zones no router connects', () => {
    const island = resolveTopology({ ...chain, services: [] }, kinds);
    expect(routesFor(island, ['sovereign'])).toEqual([]);
  });
});

describe('routers in the address plan', () => {
  it('makes a router a member of each zone it has a leg on', () => {
    const plans = planZoneNetworks(resolveTopology(chain, kinds));
    const members = (zone: string) =>
      plans.find((p) => p.zone === zone)?.members.map((m) => m.node);
    expect(members('exchange')).toEqual(['observer-exchange', 'edge', 'ixp']);
    expect(members('foreign')).toEqual(['observer-foreign', 'ixp', 'api']);
  });
});

describe('legs and links validation', () => {
  const invalid = (input: TopologyInput) => {
    try {
      resolveTopology(input, kinds);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('the topology was accepted');
  };

  it('names an unknown leg zone and the known ones', () => {
    const message = invalid({
      ...chain,
      services: [{ name: 'r', kind: 'router', zone: 'sovereign', legs: ['mars'] }],
    });
    expect(message).toContain(
      'services[0].legs[0]: unknown zone "mars"; use one of: sovereign, dc2, exchange, foreign',
    );
  });

  it("refuses a leg on the service's own zone", () => {
    const message = invalid({
      ...chain,
      services: [{ name: 'r', kind: 'router', zone: 'sovereign', legs: ['sovereign'] }],
    });
    expect(message).toContain('services[0].legs[0]: "r" is already on zone "sovereign"');
  });

  it('refuses a link through a router without a leg on one of its zones, naming the fix', () => {
    const message = invalid({
      ...chain,
      links: [{ router: 'metro', zones: ['sovereign', 'foreign'], delayMs: 10 }],
    });
    expect(message).toContain(
      'links[0].zones: router "metro" has no leg on zone "foreign"; add "foreign" to services[0].legs',
    );
  });

  it('refuses an unknown router, jitter above the delay and a loss above 100%', () => {
    const message = invalid({
      ...chain,
      links: [
        { router: 'nowhere', zones: ['sovereign', 'dc2'] },
        { router: 'metro', zones: ['sovereign', 'dc2'], delayMs: 5, jitterMs: 8 },
      ],
    });
    expect(message).toContain(
      'links[0].router: unknown router "nowhere"; name a service with legs, one of: metro, edge, ixp',
    );
    expect(message).toContain('links[1].jitterMs: jitter 8ms exceeds the delay 5ms');
    expect(
      invalid({
        ...chain,
        links: [{ router: 'metro', zones: ['sovereign', 'dc2'], lossPercent: 120 }],
      }),
    ).toContain('links[0].lossPercent');
  });

  it('accepts a link with its impairments and fills the defaults', () => {
    const topology = resolveTopology(
      {
        ...chain,
        links: [{ router: 'metro', zones: ['sovereign', 'dc2'], delayMs: 20, rateMbit: 100 }],
      },
      kinds,
    );
    expect(topology.links).toEqual([
      {
        router: 'metro',
        zones: ['sovereign', 'dc2'],
        delayMs: 20,
        jitterMs: 0,
        lossPercent: 0,
        rateMbit: 100,
      },
    ]);
  });
});
