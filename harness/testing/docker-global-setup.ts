import { prepareEnvironment } from '../scenario/environment.ts';
import { everyWorldImages } from '../scenario/scenario-images.ts';
import { consoleLogger } from '../util/log.ts';

/**
 * Before any Docker-backed test: find or start the engine, probe the capabilities and build the
 * images every world uses (with progress on the console), so that test workers find them ready.
 * Images of single scenarios (simulators, mutants) are built by their tests, where a failure
 * belongs to that scenario alone.
 */
export default async function setup(): Promise<void> {
  const log = consoleLogger();
  await prepareEnvironment({ log, prebuild: everyWorldImages });
}
