import { hostPaths } from '../../harness/contract/host-paths.ts';
import type { TopologyInput } from '../../harness/topology/topology-schema.ts';

type ZoneInput = TopologyInput['zones'][number];
type ServiceInput = NonNullable<TopologyInput['services']>[number];

/**
 * The zones of the network scenarios: a sovereign zone with the hosts, a second domestic site,
 * an exchange point and a foreign region. Each scenario takes the ones it needs.
 */
export const networkZones = {
  sovereign: { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/16'] },
  dc2: { name: 'dc2', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.41.0.0/16'] },
  exchange: { name: 'exchange', jurisdiction: 'NL', kind: 'exchange', cidrs: ['10.60.0.0/16'] },
  foreign: { name: 'foreign', jurisdiction: 'US', kind: 'foreign', cidrs: ['10.80.0.0/16'] },
} satisfies Record<string, ZoneInput>;

/**
 * The border of the single-site scenarios: the sovereign zone, the exchange and a foreign region,
 * joined by the zone's edge router and the exchange's router.
 */
export const borderZones = [networkZones.sovereign, networkZones.exchange, networkZones.foreign];
export const borderRouters: ServiceInput[] = [
  { name: 'edge', kind: 'router', zone: 'sovereign', legs: ['exchange'] },
  { name: 'ixp', kind: 'router', zone: 'exchange', legs: ['foreign'] },
];

/** Every domestic CIDR of the network scenarios (the sovereign zones'). */
export const domesticCidrs = [...networkZones.sovereign.cidrs, ...networkZones.dc2.cidrs];
export const foreignCidrs = [...networkZones.foreign.cidrs];
/** Where the host's messages log lives on its VM disk (CONTRACT.md). */
export const messagesLogPath = hostPaths.messagesLog;
