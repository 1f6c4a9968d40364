import { ensureEngine } from '../engine/engine-starter.ts';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { ImageBuilder } from '../engine/image-builder.ts';
import type { ImageRecipe } from '../engine/image-recipe.ts';
import type { CapabilityReport } from '../runtime/capabilities.ts';
import { probeCapabilities } from '../runtime/capability-probe.ts';
import { currentNamespace } from '../runtime/labels.ts';
import type { Logger } from '../util/log.ts';
import { observerImage } from '../../sims/observer/observer.ts';

/** Everything runs share: the engine, the image builder and what the machine can do. */
export interface RunEnvironment {
  engine: EngineEndpoint;
  images: ImageBuilder;
  capabilities: CapabilityReport;
  namespace: string;
  log: Logger;
}

export async function prepareEnvironment(options: {
  log: Logger;
  refreshProbe?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Images to build meanwhile: a cold start then builds them beside the observer and probe. */
  prebuild?: readonly ImageRecipe[];
}): Promise<RunEnvironment> {
  const env = options.env ?? process.env;
  const namespace = currentNamespace(env);
  const engine = await ensureEngine({ log: options.log, env });
  const images = new ImageBuilder(engine.docker, options.log, env);
  const prebuilt = Promise.all((options.prebuild ?? []).map((recipe) => images.ensure(recipe)));
  // The observer image doubles as the capability prober.
  const probed = images.ensure(observerImage).then((observer) =>
    probeCapabilities(engine, observer.tag, options.log, {
      namespace,
      refresh: options.refreshProbe,
    }),
  );
  // Both settle before either error is thrown: no build is left running behind a failure.
  const [capabilities] = await Promise.all([probed, prebuilt]).catch(async (error: unknown) => {
    await Promise.allSettled([probed, prebuilt]);
    throw error;
  });
  return { engine, images, capabilities, namespace, log: options.log };
}
