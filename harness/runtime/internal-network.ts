import type Docker from 'dockerode';
import { cidrsOverlap } from '../util/cidr.ts';
import { SovhError } from '../util/sovh-error.ts';

/** A network of the run: always `internal`, so nothing on it has a route off the machine. */
export interface StartedNetwork {
  id: string;
  /** The engine's name of the network. */
  name: string;
  /** The topology's name of the network (a zone, a machine bus, ...). */
  logicalName: string;
  subnet: string;
  /** A dual-stack network's IPv6 /64; absent on an IPv4-only network. */
  subnet6?: string;
}

export interface InternalNetworkRequest {
  name: string;
  logicalName: string;
  /** Subnets to try in order; the first one that overlaps no network of the engine is used. */
  subnetCandidates: Iterable<string>;
  /**
   * IPv6 /64s paired with the IPv4 candidates by position (wrapping): when given, the network is
   * dual-stack and the engine gives each container an IPv6 address of it too.
   */
  ipv6SubnetCandidates?: readonly string[];
  labels: Record<string, string>;
}

async function subnetsInUse(docker: Docker): Promise<string[]> {
  const networks = await docker.listNetworks();
  return networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '')).filter(Boolean);
}

function isPoolOverlap(error: unknown): boolean {
  return /overlap/i.test((error as Error | undefined)?.message ?? '');
}

/**
 * Creates an internal bridge network on the first free candidate subnet. Concurrent runs on one
 * engine race for subnets, so an overlap reported by the engine moves on to the next candidate.
 */
export async function createInternalNetwork(
  docker: Docker,
  request: InternalNetworkRequest,
): Promise<StartedNetwork> {
  const used = await subnetsInUse(docker);
  const tried: string[] = [];
  const ipv6 = request.ipv6SubnetCandidates ?? [];
  let position = -1;
  for (const subnet of request.subnetCandidates) {
    position += 1;
    const subnet6 = ipv6.length === 0 ? undefined : ipv6[position % ipv6.length];
    if (used.some((u) => cidrsOverlap(u, subnet) || u === subnet6)) continue;
    tried.push(subnet);
    try {
      const network = await docker.createNetwork({
        Name: request.name,
        Driver: 'bridge',
        Internal: true,
        CheckDuplicate: true,
        EnableIPv6: subnet6 !== undefined,
        IPAM: {
          Driver: 'default',
          Config: [{ Subnet: subnet }, ...(subnet6 === undefined ? [] : [{ Subnet: subnet6 }])],
        },
        Labels: request.labels,
      });
      return {
        id: network.id,
        name: request.name,
        logicalName: request.logicalName,
        subnet,
        ...(subnet6 === undefined ? {} : { subnet6 }),
      };
    } catch (error) {
      if (!isPoolOverlap(error)) throw error;
    }
  }
  throw new SovhError(
    'NO_FREE_SUBNET',
    `network ${request.logicalName}: no free subnet left in its address range (tried ` +
      `${tried.length}, ${used.length} subnets in use on the engine). Widen the zone's CIDRs or ` +
      'remove other networks (`npx sovh down --all`).',
  );
}
