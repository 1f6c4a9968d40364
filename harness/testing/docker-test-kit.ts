import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { afterAll, beforeAll } from 'vitest';
import { ensureEngine } from '../engine/engine-starter.ts';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { ImageBuilder } from '../engine/image-builder.ts';
import { baseImageRecipe } from '../engine/image-recipe.ts';
import type Docker from 'dockerode';
import { listSessions, type SessionResources } from '../runtime/engine-resources.ts';
import { removeNetwork } from '../runtime/network-removal.ts';
import { labelKeys } from '../runtime/labels.ts';
import { removeSessions } from '../runtime/reaper.ts';
import { silentLogger } from '../util/log.ts';

/** A namespace of its own for a test, so that reaping and `down --all` touch nothing else. */
export function testNamespace(prefix: string): string {
  return `test-${prefix}-${randomBytes(3).toString('hex')}`;
}

export async function testEngine(): Promise<EngineEndpoint> {
  return ensureEngine({ log: silentLogger });
}

/** The base image's tag: enough for runtime tests (it has sleep, sh and coreutils). */
export async function baseImageTag(engine: EngineEndpoint): Promise<string> {
  return (await new ImageBuilder(engine.docker, silentLogger).ensure(baseImageRecipe)).tag;
}

/**
 * What runs of a namespace left in the engine (only those of `owner`, the label of a test
 * process, when given). A network that holds only a stale endpoint (an engine defect that only an
 * engine restart clears, see removeNetwork) is named on the console and not counted: the harness
 * disconnects before it removes, so it cannot prevent what an earlier engine state left.
 */
export async function leftoverSessions(
  docker: Docker,
  namespace: string,
  owner?: string,
): Promise<SessionResources[]> {
  const sessions = (await listSessions(docker, namespace)).filter(
    (s) => owner === undefined || s.owner === owner,
  );
  for (const session of sessions) {
    const kept: SessionResources['networks'] = [];
    for (const network of session.networks) {
      const removal = await removeNetwork(docker, network, 5_000);
      if (removal.outcome === 'stale-endpoint') process.stderr.write(`note: ${removal.note}\n`);
      else kept.push(network);
    }
    session.networks = kept;
  }
  return sessions.filter((s) => s.containers.length + s.networks.length + s.volumes.length > 0);
}

/**
 * How many containers, networks and volumes of a namespace the engine holds once its runs are
 * over. It removes every network of the namespace it can (see leftoverSessions): never call it
 * while a run of the namespace is live (its fresh networks have no container yet), use
 * liveResourceCount then.
 */
export async function resourcesIn(
  engine: EngineEndpoint,
  namespace: string,
): Promise<{ containers: number; networks: number; volumes: number }> {
  const sessions = await leftoverSessions(engine.docker, namespace);
  return {
    containers: sessions.reduce((n, s) => n + s.containers.length, 0),
    networks: sessions.reduce((n, s) => n + s.networks.length, 0),
    volumes: sessions.reduce((n, s) => n + s.volumes.length, 0),
  };
}

/** How many containers, networks and volumes a namespace holds now, touching nothing. */
export async function liveResourceCount(
  engine: EngineEndpoint,
  namespace: string,
): Promise<{ containers: number; networks: number; volumes: number }> {
  const sessions = await listSessions(engine.docker, namespace);
  return {
    containers: sessions.reduce((n, s) => n + s.containers.length, 0),
    networks: sessions.reduce((n, s) => n + s.networks.length, 0),
    volumes: sessions.reduce((n, s) => n + s.volumes.length, 0),
  };
}

/** No container, network or volume: what a namespace must hold after its runs. */
export const nothingLeft = { containers: 0, networks: 0, volumes: 0 } as const;

/**
 * The engine and fresh namespaces for a test file's CLI runs; every namespace handed out is
 * emptied when the file ends. Call in a describe block: it installs its own hooks.
 */
export function namespacedEngine(): {
  engine: () => EngineEndpoint;
  namespace: (prefix: string) => string;
} {
  let engine: EngineEndpoint | undefined;
  const namespaces: string[] = [];
  beforeAll(async () => {
    engine = await testEngine();
  });
  afterAll(async () => {
    if (engine === undefined) return;
    for (const ns of namespaces)
      await removeSessions(engine.docker, ns, { all: true }, silentLogger);
  });
  return {
    engine: () => {
      if (engine === undefined) throw new Error('the engine is not ready before beforeAll');
      return engine;
    },
    namespace: (prefix) => {
      const name = testNamespace(prefix);
      namespaces.push(name);
      return name;
    },
  };
}

/**
 * What a run killed before its teardown leaves: a volume labelled as session `deadbeef`, whose
 * owner is a process id that cannot exist. `labels` are a live session's, to take its namespace.
 */
export async function createDeadSessionVolume(
  engine: EngineEndpoint,
  labels: Record<string, string>,
  name: string,
): Promise<void> {
  await engine.docker.createVolume({
    Name: name,
    Labels: {
      ...labels,
      [labelKeys.session]: 'deadbeef',
      [labelKeys.owner]: `${hostname()}/4194399/1`,
    },
  });
}
