import { RunSession } from '../runtime/run-session.ts';
import { World } from '../world/world.ts';
import type { RunEnvironment } from './environment.ts';
import { prepareWorldImages } from './scenario-images.ts';
import { findMutant, scenarioTopology } from './scenario-runner.ts';
import type { Scenario } from './scenario.ts';
import type { SeededRandom } from '../util/seeded-random.ts';

/**
 * Brings a scenario's world up and leaves it running (`sovh up`): no schedule, no checks. A
 * failed or interrupted bring-up removes what it made; a finished one stays until `sovh down`.
 */
export async function bringUpKeptWorld(
  scenario: Scenario,
  environment: RunEnvironment,
  mutantName?: string,
  /** The world's seeded randomness (`scenarioRandom`): what its simulators draw follows it. */
  random?: SeededRandom,
): Promise<{ session: RunSession; world: World }> {
  const mutant = findMutant(scenario, mutantName);
  const topology = scenarioTopology(scenario, mutant);
  const images = await prepareWorldImages(environment.images, topology, mutant, environment.stack);
  const session = await RunSession.open({
    docker: environment.engine.docker,
    namespace: environment.namespace,
    log: environment.log,
    scenario: scenario.name,
    keep: true,
  });
  try {
    const world = await World.bringUp({
      session,
      topology,
      images,
      log: environment.log,
      ...(random === undefined ? {} : { random }),
    });
    session.detach();
    return { session, world };
  } catch (error) {
    await session.teardown();
    throw error;
  }
}
