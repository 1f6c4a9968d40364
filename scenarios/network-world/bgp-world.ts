import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import { networkZones } from './network-zones.ts';

/** AS numbers of the BGP world: two domestic routers, the exchange, and the hosts. */
export const asns = { metro: 64501, edge: 64510, ixp: 64600, hosts: 65001 } as const;
/** The domestic site's prefix, announced by the metro router (the domestic path). */
export const domesticSitePrefix = networkZones.dc2.cidrs[0] ?? '10.41.0.0/16';
/** More specifics of the domestic site: what a leak through the exchange announces. */
export const leakedMoreSpecifics = ['10.41.0.0/17', '10.41.128.0/17'];

/**
 * The BGP world: hosts in a sovereign zone with BGP routing peer with two domestic routers: metro
 * (the domestic path to the second site, dc2) and edge (the border toward the exchange, with a
 * default route to it). At the exchange, ixp peers with edge and announces the foreign region.
 */
export function bgpWorld(): TopologyInput {
  return {
    zones: [
      { ...networkZones.sovereign, routing: 'bgp' },
      networkZones.dc2,
      networkZones.exchange,
      networkZones.foreign,
    ],
    services: [
      {
        name: 'metro',
        kind: 'router',
        zone: 'sovereign',
        legs: ['dc2'],
        options: {
          asn: asns.metro,
          domestic: true,
          hostAsn: asns.hosts,
          announce: [domesticSitePrefix],
        },
      },
      {
        name: 'edge',
        kind: 'router',
        zone: 'sovereign',
        legs: ['exchange'],
        options: {
          asn: asns.edge,
          domestic: true,
          upstream: true,
          hostAsn: asns.hosts,
          bgpPeers: [{ router: 'ixp', asn: asns.ixp }],
          announce: networkZones.sovereign.cidrs,
          defaultVia: 'ixp',
        },
      },
      {
        name: 'ixp',
        kind: 'router',
        zone: 'exchange',
        legs: ['foreign'],
        options: {
          asn: asns.ixp,
          bgpPeers: [{ router: 'edge', asn: asns.edge }],
          announce: [...networkZones.foreign.cidrs, ...networkZones.exchange.cidrs],
        },
      },
      { name: 'dc2-app', kind: 'endpoint', zone: 'dc2', options: { tcpPorts: [443] } },
    ],
    hosts: [{ name: 'vm1', zone: 'sovereign' }],
  };
}
