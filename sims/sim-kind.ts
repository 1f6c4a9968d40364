import type { z } from 'zod';
import type { DockerfileImageRecipe } from '../harness/engine/image-recipe.ts';
import type { RunSession } from '../harness/runtime/run-session.ts';
import type { StartedContainer } from '../harness/runtime/started-container.ts';
import type { PlacedHost, ResolvedTopology } from '../harness/topology/topology-validator.ts';
import type { Link, Service } from '../harness/topology/topology-schema.ts';
import type { SeededRandom } from '../harness/util/seeded-random.ts';

/** What a kind gets to start one simulator of a topology. */
export interface SimStartRequest<Options> {
  session: RunSession;
  /** The tag of the kind's image, already built. */
  image: string;
  service: Omit<Service, 'options'> & { options: Options };
  /**
   * The zone network the simulator sits on and its planned address there; `subnet6` when the
   * network is dual-stack (the engine gives the simulator an IPv6 address of it).
   */
  network: { name: string; address: string; subnet6?: string };
  /** The further zone networks the simulator joins (a router's legs), each with its address. */
  legs?: { zone: string; name: string; address: string; subnet6?: string }[];
  /** The links of the topology that run through this simulator (a router applies them). */
  links?: Link[];
  /** The planned address of any node on a zone's network (throws when the node is not on it). */
  addressOf?: (zone: string, node: string) => string;
  /** Every host of the world with its disk volumes, made before any simulator starts. */
  hosts?: readonly HostDisks[];
  /**
   * The run's seeded randomness for what the simulator draws (a router's link jitter), scoped to
   * the simulator; absent, the kind draws from a seed of its own.
   */
  random?: SeededRandom;
}

/** A host of the world and the volumes that are its disks (they exist before the host boots). */
export interface HostDisks {
  host: PlacedHost;
  diskVolume: string;
  dataVolume: string;
}

/**
 * What a simulator adds to every boot of a host in its reach: a volume that carries a device's
 * socket, files such as client certificates, environment variables. Applied by HostVm.boot.
 */
export interface HostAttachments {
  volumes?: { source: string; target: string; readOnly?: boolean }[];
  files?: { path: string; content: string | Buffer; mode?: number }[];
  environment?: Record<string, string>;
}

/** A static route the world gives a node: `cidr` through the router at `via`. */
export interface StaticRoute {
  cidr: string;
  via: string;
}

/** A running simulator. */
export interface StartedSim {
  name: string;
  kind: string;
  address: string;
  container: StartedContainer;
  /** Facts for reports and the evidence bundle: versions, ports, modes. */
  facts: Record<string, string>;
  /**
   * What a host sees of this simulator in its site file (e.g. `{ kms: {...} }`), if anything. The
   * topology tells which hosts are in reach (e.g. the machines a UPS feeds).
   */
  siteSection?(host: PlacedHost, topology: ResolvedTopology): Record<string, unknown>;
  /** What a host in this simulator's reach gets at every boot; nothing for hosts out of reach. */
  hostAttachments?(host: PlacedHost): HostAttachments | Promise<HostAttachments>;
  /**
   * Installs the routes to zones the simulator is not on. A kind without it stays reachable from
   * its own zone only (its replies have no way back to other zones).
   */
  addRoutes?(routes: readonly StaticRoute[]): Promise<void>;
}

/**
 * One kind of simulator (containerlab-style): its image, its options and how to start it. Kinds
 * are registered in sims/registry.ts; the topology names them by `kind`.
 */
export interface SimKind<Options = unknown> {
  kind: string;
  description: string;
  image: DockerfileImageRecipe;
  options: z.ZodType<Options>;
  start(request: SimStartRequest<Options>): Promise<StartedSim>;
}
