import { cidrSize, mustParseCidr, nthAddress, subnetsOf } from '../util/cidr.ts';
import { mustParseCidr6, subnets64Of } from '../util/cidr6.ts';
import { TopologyError } from './topology-error.ts';
import type { ResolvedTopology } from './topology-validator.ts';

/** The prefix length of the subnet a run carves out of a zone's range for its network. */
export const zoneSubnetPrefix = 24;
/** The first usable offsets; the engine takes .1 as the bridge's gateway. */
const firstMemberOffset = 2;

export interface NetworkMember {
  /** A service, a machine or the zone's observer. */
  node: string;
  /** The member's address is the n-th of the subnet the network gets. */
  offset: number;
}

export interface ZoneNetworkPlan {
  zone: string;
  /** Candidate subnets in order, all inside the zone's CIDRs (concurrent runs take different ones). */
  subnetCandidates: string[];
  /**
   * For a dual-stack zone, candidate /64s of its first IPv6 range, paired with the IPv4 candidates
   * by position (wrapping when the range holds fewer); empty for an IPv4-only zone.
   */
  ipv6SubnetCandidates: string[];
  members: NetworkMember[];
}

/** The name of the observer container every zone gets: the harness's own eyes in that zone. */
export function observerName(zone: string): string {
  return `observer-${zone}`;
}

/**
 * Plans one internal network per zone. Addresses are offsets into whichever candidate subnet the
 * engine grants, so the plan is deterministic while concurrent runs on one engine do not collide.
 */
export function planZoneNetworks(topology: ResolvedTopology): ZoneNetworkPlan[] {
  return topology.zones.map((zone, zi) => {
    const memberNodes = [
      observerName(zone.name),
      // A router is a member of every zone it has a leg on.
      ...topology.services
        .filter((s) => s.zone === zone.name || s.legs.includes(zone.name))
        .map((s) => s.name),
      ...topology.machines.filter((m) => m.zone === zone.name).map((m) => m.name),
    ];
    const cidrs = zone.cidrs.map(mustParseCidr);
    const candidates = cidrs.flatMap((cidr) => [...subnetsOf(cidr, zoneSubnetPrefix)]);
    const smallest = Math.min(...candidates.map((c) => cidrSize(mustParseCidr(c))));
    const needed = memberNodes.length + firstMemberOffset + 1;
    if (needed > smallest) {
      throw new TopologyError([
        {
          path: `zones[${zi}].cidrs`,
          problem: `zone "${zone.name}" needs ${needed} addresses for its ${memberNodes.length} members, its subnets hold ${smallest}`,
          fix: `widen the zone's CIDRs to at least /${32 - Math.ceil(Math.log2(needed))}`,
        },
      ]);
    }
    const [firstIpv6] = zone.ipv6Cidrs;
    return {
      zone: zone.name,
      subnetCandidates: candidates,
      ipv6SubnetCandidates:
        firstIpv6 === undefined ? [] : subnets64Of(mustParseCidr6(firstIpv6), candidates.length),
      members: memberNodes.map((node, i) => ({ node, offset: firstMemberOffset + i })),
    };
  });
}

/** The address of a member once its network's subnet is known. */
export function memberAddress(plan: ZoneNetworkPlan, subnet: string, node: string): string {
  const member = plan.members.find((m) => m.node === node);
  if (member === undefined)
    throw new RangeError(`${node} is not on the network of zone ${plan.zone}`);
  return nthAddress(subnet, member.offset);
}
