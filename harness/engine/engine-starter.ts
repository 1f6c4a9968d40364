import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import Docker from 'dockerode';
import type { Logger } from '../util/log.ts';
import { SovhError } from '../util/sovh-error.ts';
import { waitUntil } from '../util/wait-until.ts';
import { aptInstall } from './apt-installer.ts';
import { commandExists, readHostSystem } from './host-system.ts';
import { locateEngine, type EngineEndpoint } from './engine-locator.ts';

export const dockerdLogPath = '/var/log/sovh-dockerd.log';
const engineStartTimeoutMs = 60_000;

export interface EnsureEngineOptions {
  log: Logger;
  /** Install docker.io and start dockerd when no engine answers (root on Debian/Ubuntu only). */
  autoStart?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The unix sockets to try; the well-known Docker and Podman ones by default. */
  sockets?: readonly string[];
}

/**
 * Returns an engine that answers, starting one when allowed. The started dockerd is left running
 * on purpose: it is the machine's engine, shared by later runs, not a resource of one run.
 */
export async function ensureEngine(options: EnsureEngineOptions): Promise<EngineEndpoint> {
  const env = options.env ?? process.env;
  const found = await locateEngine(env, options.log, options.sockets);
  if (found !== undefined) return found;

  const system = await readHostSystem();
  const canStart = options.autoStart !== false && system.isRoot && system.isDebianLike;
  if (!canStart) {
    throw new SovhError(
      'ENGINE_NOT_FOUND',
      'no container engine answered (tried DOCKER_HOST, /var/run/docker.sock and the Podman ' +
        'sockets). Start Docker (e.g. `sudo apt-get install docker.io && sudo dockerd &`, or ' +
        '`sudo systemctl start docker`), or point DOCKER_HOST at an engine' +
        (system.isRoot && system.isDebianLike
          ? ''
          : '; the harness starts one itself only as root on Debian or Ubuntu') +
        '.',
    );
  }

  options.log.info('no container engine answered; starting dockerd');
  if (!(await commandExists('dockerd'))) {
    await aptInstall(['docker.io'], 'the container engine', options.log);
  }
  const logFd = openSync(dockerdLogPath, 'a');
  const daemon = spawn('dockerd', [], { detached: true, stdio: ['ignore', logFd, logFd] });
  daemon.unref();
  options.log.info(`dockerd started (pid ${daemon.pid ?? '?'}, log: ${dockerdLogPath})`);

  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  await waitUntil(
    async () => {
      if (daemon.exitCode !== null) {
        throw new SovhError(
          'ENGINE_START_FAILED',
          `dockerd exited with code ${daemon.exitCode}; see ${dockerdLogPath}`,
        );
      }
      await docker.ping();
      return true;
    },
    {
      what: 'dockerd',
      expected: `answering (log: ${dockerdLogPath})`,
      timeoutMs: engineStartTimeoutMs,
      intervalMs: 500,
    },
  );
  const started = await locateEngine(env, options.log);
  if (started === undefined) {
    throw new SovhError(
      'ENGINE_START_FAILED',
      `dockerd started but does not answer; see ${dockerdLogPath}`,
    );
  }
  options.log.info(`engine ready: Docker ${started.version} (API ${started.apiVersion})`);
  return started;
}
