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
}

export interface InternalNetworkRequest {
  name: string;
  logicalName: string;
  /** Subnets to try in order; the first one that overlaps no network of the engine is used. */
  subnetCandidates: Iterable<string>;
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
  for (const subnet of request.subnetCandidates) {
    if (used.some((u) => cidrsOverlap(u, subnet))) continue;
    tried.push(subnet);
    try {
      const network = await docker.createNetwork({
        Name: request.name,
        Driver: 'bridge',
        Internal: true,
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] },
        Labels: request.labels,
      });
      return { id: network.id, name: request.name, logicalName: request.logicalName, subnet };
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
