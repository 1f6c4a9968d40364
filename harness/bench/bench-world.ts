import type { TopologyInput } from '../topology/topology-schema.ts';
import { resolveTopology } from '../topology/topology-validator.ts';
import { RunSession } from '../runtime/run-session.ts';
import type { RunEnvironment } from '../scenario/environment.ts';
import { prepareWorldImages } from '../scenario/scenario-images.ts';
import { silentLogger } from '../util/log.ts';
import { World } from '../world/world.ts';
import { knownSimKinds } from '../../sims/registry.ts';

/** A session of a benchmark's own, labelled `bench-<name>`; the caller tears it down. */
export function openBenchSession(environment: RunEnvironment, name: string): Promise<RunSession> {
  return RunSession.open({
    docker: environment.engine.docker,
    namespace: environment.namespace,
    log: silentLogger,
    scenario: `bench-${name}`,
  });
}

/** Brings a benchmark's world up, hands it to `measure`, and always tears it down. */
export async function withBenchWorld<T>(
  environment: RunEnvironment,
  name: string,
  input: TopologyInput,
  measure: (world: World) => Promise<T>,
): Promise<T> {
  const topology = resolveTopology(input, {
    knownServiceKinds: knownSimKinds(),
    source: `benchmark ${name}`,
  });
  const images = await prepareWorldImages(environment.images, topology, undefined);
  const session = await openBenchSession(environment, name);
  try {
    const world = await World.bringUp({ session, topology, images, log: silentLogger });
    return await measure(world);
  } finally {
    await session.teardown();
  }
}
