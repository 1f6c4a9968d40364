import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import { borderRouters } from '../network-world/network-zones.ts';
import { globalOnlyName, sovereignRecords } from './dns-checks.ts';

/**
 * The services of dns-leakage's world: the border routers, the foreign "global" resolver, offered
 * to the hosts (first, as a careless DHCP server or router advertisement would) by its address of
 * `offeredOver`, and (unless left out) the sovereign resolver, offered by its address of
 * `sovereignOfferedOver`; with host vm1 in the sovereign zone.
 */
export function dnsLeakageWorld(
  zones: TopologyInput['zones'],
  offeredOver: 'ipv4' | 'ipv6',
  withSovereignResolver = true,
  sovereignOfferedOver: 'ipv4' | 'ipv6' = 'ipv4',
): TopologyInput {
  return {
    zones,
    services: [
      ...borderRouters,
      {
        name: 'global-dns',
        kind: 'resolver',
        zone: 'foreign',
        options: {
          role: 'global',
          offered: true,
          offeredOver,
          records: { 'api.sovereign.example': '10.80.66.10', [globalOnlyName]: '10.80.66.11' },
        },
      },
      ...(withSovereignResolver
        ? [
            {
              name: 'sovereign-dns',
              kind: 'resolver',
              zone: 'sovereign',
              options: {
                role: 'sovereign',
                offeredOver: sovereignOfferedOver,
                records: sovereignRecords,
              },
            },
          ]
        : []),
    ],
    hosts: [{ name: 'vm1', zone: 'sovereign' }],
  };
}
