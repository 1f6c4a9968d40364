import { randomBytes } from 'node:crypto';
import { ensureEngine } from '../engine/engine-starter.ts';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { ImageBuilder } from '../engine/image-builder.ts';
import { baseImageRecipe } from '../engine/image-recipe.ts';
import { listSessions } from '../runtime/engine-resources.ts';
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

/** How many containers, networks and volumes of a namespace the engine holds. */
export async function resourcesIn(
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
