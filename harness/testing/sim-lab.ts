import { expect } from 'vitest';
import { observerImage, startObserver } from '../../sims/observer/observer.ts';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { ImageBuilder } from '../engine/image-builder.ts';
import type { ImageRecipe } from '../engine/image-recipe.ts';
import { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import { nthAddress } from '../util/cidr.ts';
import { silentLogger } from '../util/log.ts';
import { resourcesIn, testEngine, testNamespace } from './docker-test-kit.ts';

/**
 * A bench for one simulator: its image, one internal network and an observer container that
 * reads the simulator from outside, the way a scenario's checks do. The simulator goes at
 * `address(3)`, the observer is at `address(2)`.
 */
export interface SimLab {
  readonly engine: EngineEndpoint;
  readonly namespace: string;
  readonly session: RunSession;
  /** The simulator image's tag. */
  readonly image: string;
  readonly network: { readonly name: string; readonly subnet: string };
  readonly observer: StartedContainer;
  address(host: number): string;
}

export async function openSimLab(options: {
  name: string;
  simImage: ImageRecipe;
  /** Candidate /24 subnets; the first free one is used. */
  subnets: string[];
}): Promise<SimLab> {
  const engine = await testEngine();
  const namespace = testNamespace(options.name);
  const images = new ImageBuilder(engine.docker, silentLogger);
  const [simTag, observerTag] = await Promise.all([
    images.ensure(options.simImage),
    images.ensure(observerImage),
  ]);
  const session = await RunSession.open({
    docker: engine.docker,
    namespace,
    log: silentLogger,
    scenario: `${options.name}-test`,
  });
  const network = await session.createNetwork('lab', options.subnets);
  const address = (host: number) => nthAddress(network.subnet, host);
  const observer = await startObserver(
    session,
    observerTag.tag,
    'lab',
    { name: network.name, address: address(2) },
    'observer-lab',
  );
  return { engine, namespace, session, image: simTag.tag, network, observer, address };
}

/** Tears the lab down and asserts that the engine holds nothing of it afterwards. */
export async function closeSimLab(lab: SimLab): Promise<void> {
  await lab.session.teardown();
  expect(await resourcesIn(lab.engine, lab.namespace)).toEqual({
    containers: 0,
    networks: 0,
    volumes: 0,
  });
}
