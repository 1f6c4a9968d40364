import type { TopologyInput } from '../../harness/topology/topology-schema.ts';
import { borderRouters, networkZones } from '../network-world/network-zones.ts';

/** The IPv6 ranges of the border zones: unique local, one /48 per zone. */
export const ipv6Ranges = {
  sovereign: 'fd5a:40::/48',
  exchange: 'fd5a:60::/48',
  foreign: 'fd5a:80::/48',
} as const;

/** The single-site border's three zones, each with its IPv6 range beside its IPv4 one. */
export const dualStackBorderZones: TopologyInput['zones'] = [
  { ...networkZones.sovereign, ipv6Cidrs: [ipv6Ranges.sovereign] },
  { ...networkZones.exchange, ipv6Cidrs: [ipv6Ranges.exchange] },
  { ...networkZones.foreign, ipv6Cidrs: [ipv6Ranges.foreign] },
];

/**
 * The single-site border, dual-stack: the sovereign zone, the exchange and a foreign region each
 * with an IPv6 range beside its IPv4 one, the same two routers forwarding both families, a domestic
 * listener and a foreign one on the ports a careless fence lets out.
 */
export const ipv6Topology: TopologyInput = {
  zones: dualStackBorderZones,
  services: [
    ...borderRouters,
    {
      name: 'domestic-app',
      kind: 'endpoint',
      zone: 'sovereign',
      options: { tcpPorts: [443], udpPorts: [514], icmp: true },
    },
    {
      name: 'foreign-api',
      kind: 'endpoint',
      zone: 'foreign',
      // The ports a careless fence lets out, over both transports DNS uses (53, 853 for DoT),
      // and the pushes a host is asked for (remote syslog, OpenTelemetry).
      options: { tcpPorts: [443, 80, 53, 853, 5696, 4317], udpPorts: [53, 123, 514], icmp: true },
    },
  ],
  hosts: [{ name: 'vm1', zone: 'sovereign' }],
};
