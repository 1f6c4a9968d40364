import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentNamespace } from '../runtime/labels.ts';
import { prepareEnvironment } from '../scenario/environment.ts';
import { everyWorldImages } from '../scenario/scenario-images.ts';
import { consoleLogger } from '../util/log.ts';

/** Where the janitor notes what it swept (the test run's console is gone by then). */
export const janitorLog = join(tmpdir(), 'sovh-test-janitor.log');

/**
 * Before any Docker-backed test: find or start the engine, probe the capabilities and build the
 * images every world uses (with progress on the console), so that test workers find them ready.
 * Images of single scenarios (simulators, mutants) are built by their tests, where a failure
 * belongs to that scenario alone. Then starts the janitor (session-janitor.ts), which removes what
 * the workers' worlds leave when the run is interrupted.
 */
export default async function setup(): Promise<void> {
  const log = consoleLogger();
  await prepareEnvironment({ log, prebuild: everyWorldImages });
  const janitor = spawn(
    process.execPath,
    [
      join(import.meta.dirname, 'session-janitor.mjs'),
      String(process.pid),
      `${currentNamespace()},test-*`,
      janitorLog,
    ],
    { detached: true, stdio: 'ignore' },
  );
  janitor.unref();
}
