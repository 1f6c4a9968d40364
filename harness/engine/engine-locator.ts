import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Logger } from '../util/log.ts';
import { SovhError, describeError } from '../util/sovh-error.ts';

/** A container engine that answered a ping, and how it was reached. */
export interface EngineEndpoint {
  docker: Docker;
  /** Where the engine was found, e.g. "unix:///var/run/docker.sock" or the DOCKER_HOST value. */
  address: string;
  /** "docker" or "podman" (Podman's Docker-compatible API serves the same calls). */
  flavour: 'docker' | 'podman';
  version: string;
  apiVersion: string;
}

const pingTimeoutMs = 3_000;

/** The unix sockets tried in order when DOCKER_HOST is not set. */
export function candidateSockets(env: NodeJS.ProcessEnv = process.env): string[] {
  const sockets = ['/var/run/docker.sock', '/run/podman/podman.sock'];
  const runtimeDir = env.XDG_RUNTIME_DIR;
  if (runtimeDir !== undefined && runtimeDir !== '') {
    sockets.push(join(runtimeDir, 'docker.sock'), join(runtimeDir, 'podman', 'podman.sock'));
  }
  return sockets;
}

async function describeEngine(docker: Docker, address: string): Promise<EngineEndpoint> {
  const version = await docker.version();
  // Older engines and Podman may omit the component list.
  const components = (version.Components as typeof version.Components | undefined) ?? [];
  const isPodman = components.some((c) => /podman/i.test(c.Name));
  return {
    docker,
    address,
    flavour: isPodman ? 'podman' : 'docker',
    version: version.Version,
    apiVersion: version.ApiVersion,
  };
}

/**
 * A client for a DOCKER_HOST value: unix sockets and plain tcp are read here; anything else
 * (ssh://, TLS via DOCKER_TLS_VERIFY / DOCKER_CERT_PATH) is left to docker-modem, which reads the
 * process environment itself.
 */
function dockerFor(dockerHost: string): Docker {
  const unix = /^unix:\/\/(.+)$/.exec(dockerHost);
  if (unix?.[1] !== undefined) return new Docker({ socketPath: unix[1] });
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(dockerHost);
  if (tcp?.[1] !== undefined && process.env.DOCKER_TLS_VERIFY === undefined) {
    return new Docker({ host: tcp[1], port: Number(tcp[2]), protocol: 'http' });
  }
  return new Docker();
}

async function ping(docker: Docker): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${pingTimeoutMs}ms`));
    }, pingTimeoutMs);
  });
  try {
    await Promise.race([docker.ping(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Finds an engine that answers: DOCKER_HOST when set (and then only it, because the user chose
 * it), else the well-known Docker and Podman sockets. Returns undefined when none answers.
 */
export async function locateEngine(
  env: NodeJS.ProcessEnv = process.env,
  log?: Logger,
  sockets: readonly string[] = candidateSockets(env),
): Promise<EngineEndpoint | undefined> {
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost !== undefined && dockerHost !== '') {
    const docker = dockerFor(dockerHost);
    try {
      await ping(docker);
    } catch (error) {
      throw new SovhError(
        'ENGINE_UNREACHABLE',
        `DOCKER_HOST=${dockerHost} did not answer a ping within ${pingTimeoutMs}ms ` +
          `(${describeError(error)}). Start that engine, or unset DOCKER_HOST to use the local one.`,
        { cause: error },
      );
    }
    return describeEngine(docker, dockerHost);
  }
  for (const socketPath of sockets) {
    if (!existsSync(socketPath)) continue;
    const docker = new Docker({ socketPath });
    try {
      await ping(docker);
      return await describeEngine(docker, `unix://${socketPath}`);
    } catch (error) {
      log?.detail(`engine socket ${socketPath} did not answer: ${describeError(error)}`);
    }
  }
  return undefined;
}
