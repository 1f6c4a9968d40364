import type { z } from 'zod';
import type { DockerfileImageRecipe } from '../harness/engine/image-recipe.ts';
import type { RunSession } from '../harness/runtime/run-session.ts';
import type { StartedContainer } from '../harness/runtime/started-container.ts';
import type { PlacedHost } from '../harness/topology/topology-validator.ts';
import type { Service } from '../harness/topology/topology-schema.ts';

/** What a kind gets to start one simulator of a topology. */
export interface SimStartRequest<Options> {
  session: RunSession;
  /** The tag of the kind's image, already built. */
  image: string;
  service: Omit<Service, 'options'> & { options: Options };
  /** The zone network the simulator sits on and its planned address there. */
  network: { name: string; address: string };
}

/** A running simulator. */
export interface StartedSim {
  name: string;
  kind: string;
  address: string;
  container: StartedContainer;
  /** Facts for reports and the evidence bundle: versions, ports, modes. */
  facts: Record<string, string>;
  /** What a host sees of this simulator in its site file (e.g. `{ kms: {...} }`), if anything. */
  siteSection?(host: PlacedHost): Record<string, unknown>;
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
