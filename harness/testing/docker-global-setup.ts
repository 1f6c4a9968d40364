import { prepareEnvironment } from '../scenario/environment.ts';
import { prepareWorldImages } from '../scenario/scenario-images.ts';
import { scenarioTopology } from '../scenario/scenario-runner.ts';
import { consoleLogger } from '../util/log.ts';
import { scenarios } from '../../scenarios/index.ts';

/**
 * Before any Docker-backed test: find or start the engine, build every image the suite needs
 * (with progress on the console) and probe the capabilities once, so that test workers find it
 * all ready instead of racing to build it.
 */
export default async function setup(): Promise<void> {
  const log = consoleLogger();
  const environment = await prepareEnvironment({ log });
  for (const scenario of scenarios) {
    for (const mutant of [undefined, ...scenario.mutants]) {
      await prepareWorldImages(environment.images, scenarioTopology(scenario, mutant), mutant);
    }
  }
}
